package io.framegate.server;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class AccessLogTest {
    @Test
    void everySpellingOfTheKeyParameterIsRedacted() {
        assertThat(AccessLog.redactKey("key=abc")).isEqualTo("key=REDACTED");
        assertThat(AccessLog.redactKey("alt=media&key=abc&key=def")).isEqualTo("alt=media&key=REDACTED&key=REDACTED");
        assertThat(AccessLog.redactKey("%6Bey=abc&KEY=def&kE%59=ghi")).doesNotContain("abc", "def", "ghi");
        assertThat(AccessLog.redactKey("%256Bey=abc;key=def")).doesNotContain("abc", "def");
        assertThat(AccessLog.redactKey("k%zzey=abc")).doesNotContain("abc"); // undecodable names are redacted too
        assertThat(AccessLog.redactKey("monkey=1&keys=2&key")).isEqualTo("monkey=1&keys=2&key");
    }

    @Test
    void clientViewKeepsWhitelistedNotesAndStripsClassNamesAndPaths() {
        assertThat(ClientView.notes(java.util.Map.of("engine_mode", "x", "failover", "401 Bearer t", "retry", "r")))
                .containsOnlyKeys("engine_mode");
        assertThat(ClientView.errorMessage("java.io.UncheckedIOException: cannot open /var/lib/fg/work/x.png"))
                .isEqualTo("cannot open a file");
        assertThat(ClientView.errorMessage("IllegalStateException")).isEqualTo("the video could not be made");
        assertThat(ClientView.errorMessage("see https://example.com/a/b for help")).contains("https://example.com/a/b");
    }
}
