package io.framegate.provider;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static com.github.tomakehurst.wiremock.client.WireMock.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link Http} against answers too large to take: each is cut at its cap, never read whole into memory or onto disk. */
class HttpTest extends WireTest {
    static final Duration T = Duration.ofSeconds(20);

    @Test
    void aJsonAnswerOverSixteenMebibytesIsCutAndCountsAsUnreadable() {
        byte[] huge = new byte[(int) Http.MAX_JSON_BYTES + 1024];
        java.util.Arrays.fill(huge, (byte) ' ');
        huge[0] = '{';
        huge[huge.length - 1] = '}';
        wm.stubFor(get(urlEqualTo("/status")).willReturn(aResponse().withHeader("Content-Type", "application/json")
                .withBody(huge)));
        Http http = new Http(T);

        assertThatThrownBy(() -> http.json(http.request(url() + "/status").GET().build(), "status", T))
                .isInstanceOf(UpstreamException.class)
                .satisfies(e -> assertThat(((UpstreamException) e).kind()).isEqualTo(UpstreamException.Kind.TRANSIENT))
                .hasMessage("status: the answer is larger than 16777216 bytes");
    }

    /**
     * A Veo operation carries its videos inline as base64 (Vertex without {@code storageUri}): a 1080p or 4K video is
     * more than Jackson's default string cap of 20 million characters, and such an answer was "not JSON" until the
     * deadline.
     */
    @Test
    void anInlineVideoOverTwentyMillionBase64CharactersIsRead() throws Exception {
        String b64 = "A".repeat(21_000_000);
        byte[] answer = ("{\"done\": true, \"response\": {\"videos\": [{\"bytesBase64Encoded\": \"" + b64 + "\"}]}}")
                .getBytes(java.nio.charset.StandardCharsets.US_ASCII);

        assertThat(Http.JSON.readTree(answer).at("/response/videos/0/bytesBase64Encoded").asText()).hasSize(21_000_000);
    }

    @Test
    void aResultOverTheCapFailsForGoodWhetherItsLengthIsDeclaredOrItJustKeepsComing() throws Exception {
        byte[] body = new byte[3 * 1024 * 1024];
        wm.stubFor(get(urlEqualTo("/declared")).willReturn(aResponse().withBody(body)));
        wm.stubFor(get(urlEqualTo("/streamed")).willReturn(aResponse().withBody(body).withChunkedDribbleDelay(6, 300)));
        Http http = new Http(T, 1024 * 1024).trusting(url());
        Path dir = Files.createDirectories(tmp.resolve("out"));

        for (String path : new String[] {"/declared", "/streamed"}) {
            assertThatThrownBy(() -> http.download(http.request(url() + path).GET().build(), dir.resolve("v.mp4"), "video", T))
                    .as(path).isInstanceOf(UpstreamException.class)
                    .satisfies(e -> assertThat(((UpstreamException) e).kind()).isEqualTo(UpstreamException.Kind.REJECTED))
                    .hasMessage("video: the result is larger than 1048576 bytes (the most Framegate downloads)");
            try (var files = Files.list(dir)) {
                assertThat(files).as("nothing left of %s", path).isEmpty();
            }
        }
    }
}
