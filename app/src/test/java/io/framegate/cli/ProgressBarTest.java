package io.framegate.cli;

import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * README, the CLI: a progress bar is drawn on a terminal (one line, redrawn in place), plain progress lines
 * otherwise (one per 10 %, so a log stays readable).
 */
class ProgressBarTest {
    private static String show(boolean terminal) {
        StringWriter text = new StringWriter();
        ProgressBar bar = new ProgressBar(new PrintWriter(text, true), terminal);
        for (int i = 0; i <= 40; i++) bar.onProgress("render", i, 40);
        bar.finish();
        return text.toString();
    }

    @Test
    void aTerminalGetsOneBarRedrawnInPlace() {
        String shown = show(true);
        assertThat(shown).startsWith("\r[").contains("\r[###############...............]  50%  render     20/40")
                .contains("\r[##############################] 100%  render     40/40");
        assertThat(shown.split("\n", -1)).as("one line (lines() would split at \\r too), ended by finish()").hasSize(2);
        assertThat(shown).endsWith(System.lineSeparator());
    }

    @Test
    void elsewhereEachTenPercentIsAPlainLine() {
        String shown = show(false);
        assertThat(shown).doesNotContain("\r").doesNotContain("\u001b");
        assertThat(shown.lines()).hasSize(11).allMatch(l -> l.startsWith("progress ") && l.contains(" render "));
        assertThat(shown.lines().toList().get(5)).startsWith("progress  50% render 20/40");
    }
}
