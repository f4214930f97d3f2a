package io.framegate.cli;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.assertj.core.api.Assertions.assertThat;

/** One in-process run of the {@code framegate} command: its exit code and what it printed on each stream. */
record CliRun(int code, String out, String err) {
    static CliRun of(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        int code = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new CliRun(code, out.toString(), err.toString());
    }

    /** Bad input: exit 2, each of {@code parts} said, no Java error or stack trace, refused before any work. */
    static void assertBadInput(CliRun r, String... parts) {
        assertThat(r.code()).as(r.err()).isEqualTo(2);
        for (String p : parts) assertThat(r.err()).contains(p);
        assertThat(r.err()).doesNotContain("Exception").doesNotContain("Error:").doesNotContain("\tat ");
        assertThat(r.err()).as("refused before any work").doesNotContain("progress");
    }
}
