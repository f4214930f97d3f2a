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

    /**
     * docs/config.md, How a request is sent upstream, 7: a result's redirects are followed one at a time, at most 5 (a
     * sixth is refused for good and never requested), and a credential header goes only to the origin it was meant
     * for: once a redirect leaves for another host it is not sent there, nor on any later hop. The other host is the
     * same stand-in under another name ({@code 127.0.0.1} after {@code localhost}), an address of the channel's own.
     */
    @Test
    void aResultFollowsAtMostFiveRedirectsAndItsCredentialNeverCrossesToAnotherHost() throws Exception {
        String here = url();
        String elsewhere = here.replace("localhost", "127.0.0.1");
        assertThat(elsewhere).isNotEqualTo(here);
        String[] hops = {here + "/r1", elsewhere + "/r2", elsewhere + "/r3", here + "/r4", here + "/r5"};
        for (int i = 0; i < hops.length; i++) {
            wm.stubFor(get(urlEqualTo("/r" + i)).willReturn(aResponse().withStatus(302).withHeader("Location", hops[i])));
        }
        byte[] video = TestMedia.mp4();
        wm.stubFor(get(urlEqualTo("/r5")).willReturn(aResponse().withHeader("Content-Type", "video/mp4").withBody(video)));
        for (int i = 0; i < 6; i++) {
            wm.stubFor(get(urlEqualTo("/s" + i)).willReturn(aResponse().withStatus(302).withHeader("Location", here + "/s" + (i + 1))));
        }
        wm.stubFor(get(urlEqualTo("/s6")).willReturn(aResponse().withBody(video)));
        Http http = new Http(T).trusting(url());
        Path dir = Files.createDirectories(tmp.resolve("out"));

        http.download(http.request(here + "/r0").header("x-goog-api-key", "the-channels-key").GET().build(),
                dir.resolve("v.mp4"), "video", T);
        assertThat(dir.resolve("v.mp4")).hasBinaryContent(video);
        for (int i = 0; i <= 5; i++) {
            var got = wm.findAll(getRequestedFor(urlEqualTo("/r" + i)));
            assertThat(got).as("/r%d requested once", i).hasSize(1);
            assertThat(got.getFirst().containsHeader("x-goog-api-key")).as("/r%d carries the key", i).isEqualTo(i <= 1);
        }

        assertThatThrownBy(() -> http.download(http.request(here + "/s0").GET().build(), dir.resolve("w.mp4"), "video", T))
                .isInstanceOf(UpstreamException.class)
                .satisfies(e -> assertThat(((UpstreamException) e).kind()).isEqualTo(UpstreamException.Kind.REJECTED))
                .hasMessageContaining("more than 5 redirects");
        assertThat(wm.findAll(getRequestedFor(urlEqualTo("/s5")))).hasSize(1);
        assertThat(wm.findAll(getRequestedFor(urlEqualTo("/s6")))).as("the sixth redirect is not followed").isEmpty();
        assertThat(dir.resolve("w.mp4")).doesNotExist();
    }
}
