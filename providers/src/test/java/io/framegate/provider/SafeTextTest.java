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

    @Test
    void httpFailuresAreWordsAndAStatus() {
        assertThat(SafeText.httpFailure("Gemini operation", 401, "UNAUTHENTICATED"))
                .isEqualTo("Gemini operation: the upstream refused the credential (HTTP 401 UNAUTHENTICATED)");
        assertThat(SafeText.httpFailure("x", 502, null)).isEqualTo("x: the upstream failed (HTTP 502)");
    }
}
