package io.framegate.provider;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class SafeTextTest {
    static byte[] body(String json) {
        return json.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void anErrorBodyGivesOnlyItsCodeAndNeverACredential() {
        assertThat(SafeText.errorCode(body("{\"error\": {\"code\": 429, \"message\": \"key AIzaSyA-123 over quota\", \"status\": \"RESOURCE_EXHAUSTED\"}}")))
                .isEqualTo("RESOURCE_EXHAUSTED");
        assertThat(SafeText.errorCode(body("{\"error\": {\"message\": \"m\", \"type\": \"invalid_request_error\", \"code\": null}}")))
                .isEqualTo("invalid_request_error");
        assertThat(SafeText.errorCode(body("{\"error\": {\"code\": \"sk-live-abc\", \"type\": \"ya29.a0AfH6SMB\"}}"))).isNull();
        assertThat(SafeText.errorCode(body("{\"error\": {\"code\": \"a1b2c3d4e5f6g7h8\"}}"))).as("key-shaped").isNull();
        assertThat(SafeText.errorCode(body("{\"error\": {\"code\": \"has space\"}}"))).isNull();
        assertThat(SafeText.errorCode(body("<html>Bad gateway</html>"))).isNull();
        assertThat(SafeText.errorCode(new byte[0])).isNull();
    }

    @Test
    void upstreamTextKeepsItsWordsButLosesAnythingTokenLike() {
        assertThat(SafeText.redact("Veo could not generate 1 videos. You will not be charged. Support codes: 42237218"))
                .isEqualTo("Veo could not generate 1 videos. You will not be charged. Support codes: 42237218");
        assertThat(SafeText.redact("bad key Bearer sk-agg-456 sent, token ya29.c.b0AXv0zTOk and AIzaSyDdI0hCZtE6vySjMm"))
                .doesNotContain("sk-agg-456").doesNotContain("ya29").doesNotContain("AIza").contains("bad key");
    }

    /**
     * An upstream's failure text reaches clients and the server log: terminal escapes (ANSI colours, a screen clear, an
     * OSC title), other control characters and invisible format characters (a right-to-left override) must not.
     */
    @Test
    void upstreamTextLosesTerminalEscapesControlAndInvisibleFormatCharacters() {
        assertThat(SafeText.redact("Failed \u001b[2J\u001b[1;31mREAD THIS\u001b[0m\r\nINFO fake log line\u0007 \u001b]0;title\u0007done"
                + " \u202eevil\u200b \u009b31m x\u0000y"))
                .isEqualTo("Failed READ THIS INFO fake log line done evil x y");
    }

    /**
     * A configured credential is redacted by its value, whatever its shape: whole, by its {@code :}-separated parts,
     * percent-encoded (either hex case) and base64; it is never an error code; a value under 8 characters is not
     * registered, so that it does not blank out ordinary words.
     */
    @Test
    void aConfiguredCredentialIsRedactedLiterallyWhateverItsShape() {
        String id = "qwertyuiopasdf";
        String secret = "zxcvbnmlkjhgfdsa";
        SafeText.secret(id + ":" + secret);
        SafeText.secret("short");
        String b64 = java.util.Base64.getEncoder().encodeToString((id + ":" + secret).getBytes(StandardCharsets.UTF_8));

        assertThat(SafeText.redact("key " + id + ":" + secret + " refused")).isEqualTo("key [redacted] refused");
        assertThat(SafeText.redact("id " + id + ", secret " + secret.toUpperCase())).isEqualTo("id [redacted], secret [redacted]");
        assertThat(SafeText.redact("sent " + id + "%3a" + secret + " as Basic " + b64))
                .doesNotContain(id).doesNotContain(secret).doesNotContain(b64.substring(0, 20));
        assertThat(SafeText.redact("a short answer")).isEqualTo("a short answer");
        assertThat(SafeText.code(secret)).isNull();
        assertThat(SafeText.code(secret.substring(0, 10))).as("a piece of one").isNull();
        assertThat(SafeText.errorCode(body("{\"error\": {\"code\": \"" + id + "\"}}"))).isNull();
        assertThat(SafeText.code("invalid_request_error")).isEqualTo("invalid_request_error");
        assertThat(new UpstreamException(UpstreamException.Kind.REJECTED, 400, null, "create " + secret, null).getMessage())
                .isEqualTo("create [redacted]");
    }

    @Test
    void httpFailuresAreWordsAndAStatus() {
        assertThat(SafeText.httpFailure("Gemini operation", 401, "UNAUTHENTICATED"))
                .isEqualTo("Gemini operation: the upstream refused the credential (HTTP 401 UNAUTHENTICATED)");
        assertThat(SafeText.httpFailure("x", 502, null)).isEqualTo("x: the upstream failed (HTTP 502)");
    }
}
