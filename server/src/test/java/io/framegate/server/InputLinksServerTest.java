package io.framegate.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import io.framegate.domain.ImageRole;
import io.framegate.domain.InputImage;
import io.framegate.domain.VideoSize;
import io.framegate.provider.UpstreamImages;
import io.framegate.provider.luma.LumaUpstream;
import io.framegate.server.jobs.WorkerSettings;
import io.framegate.server.media.MediaFinisher;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.Color;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static com.github.tomakehurst.wiremock.client.WireMock.*;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Framegate-served input links end to end: a real server with {@code FRAMEGATE_PUBLIC_URL} routes Luma ray-2 (Dream
 * Machine, keyframes by URL only) to a WireMock Luma; the keyframe URLs Luma receives serve exactly the fitted images
 * without a key, and nothing once tampered with or expired. Without a public URL the route is refused at create.
 */
class InputLinksServerTest {
    static final String LUMA_KEY = "luma-dm-e2e-key-9a1";
    static final String GEN = "8c1f0a4e-52b0-4d3e-9f61-2b7a5d0c4e11";
    static final ObjectMapper JSON = new ObjectMapper();
    static WireMockServer wm;
    static byte[] mp4;

    @TempDir
    Path dir;
    FramegateServer server;
    final TestClock clock = new TestClock();
    String key;
    String base;

    @BeforeAll
    static void standIn() throws Exception {
        wm = new WireMockServer(options().dynamicPort());
        wm.start();
        mp4 = RoutedServerTest.mp4();
    }

    @AfterAll
    static void stopStandIn() {
        wm.stop();
    }

    @AfterEach
    void stop() {
        if (server != null) server.close();
    }

    /** A server routing ray-2 to the stand-in; {@code publicUrl} true sets FRAMEGATE_PUBLIC_URL to its own origin. */
    void start(boolean publicUrl) throws Exception {
        start(publicUrl, "");
    }

    /** As {@link #start(boolean)}, with {@code extraYaml} appended to framegate.yaml. */
    void start(boolean publicUrl, String extraYaml) throws Exception {
        wm.resetAll();
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path data = dir.resolve("data");
        Files.createDirectories(data);
        Files.writeString(data.resolve("framegate.yaml"), """
                providers:
                  luma-dm: {type: luma, base_url: '%s', api_key_env: FG_LUMA_KEY}
                routes:
                  ray-2: [luma-dm]
                timing: {poll_initial: 100ms, poll_max: 200ms, deadline: 2m, retry_attempts: 2, retry_base: 50ms,
                         retry_max: 100ms, request_timeout: 10s}
                """.formatted(wm.baseUrl()) + extraYaml);
        Map<String, String> env = new HashMap<>(Map.of("FG_LUMA_KEY", LUMA_KEY));
        // a trailing slash, as operators write it: links must not get a double slash
        if (publicUrl) env.put("FRAMEGATE_PUBLIC_URL", "http://127.0.0.1:" + port + "/");
        ServerOptions o = ServerOptions.defaults(data).withHost("127.0.0.1").withPort(port).withPollAfterMillis(100)
                .withAccessLog(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8))
                .withWorkers(new WorkerSettings(1, 2, Duration.ofSeconds(30), Duration.ofMillis(100), Duration.ofSeconds(5)));
        server = FramegateServer.builder(o).environment(env::get).clock(clock)
                .localBackend(new TinyVideoBackend("local", true, 0)).finisher(new MediaFinisher()).build().start();
        key = server.keys().create("e2e").secret();
        base = "http://127.0.0.1:" + server.port();
        String gen = "{\"id\":\"" + GEN + "\",\"generation_type\":\"video\",\"state\":\"%s\",\"created_at\":\"2026-11-24T10:00:00.000Z\","
                + "\"model\":\"ray-2\",\"assets\":%s}";
        wm.stubFor(post(urlEqualTo("/generations")).withHeader("Authorization", equalTo("Bearer " + LUMA_KEY))
                .willReturn(okJson(gen.formatted("queued", "null"))));
        wm.stubFor(get(urlEqualTo("/generations/" + GEN))
                .willReturn(okJson(gen.formatted("completed", "{\"video\":\"" + wm.baseUrl() + "/dm/out.mp4\"}"))));
        wm.stubFor(get(urlEqualTo("/dm/out.mp4")).willReturn(aResponse().withHeader("Content-Type", "video/mp4").withBody(mp4)));
    }

    /** 1600x1200 (4:3) frames: a 1280x720 video needs them cropped, so the fitted bytes differ from what was sent. */
    static final byte[] FIRST = TestImages.png(1600, 1200, Color.ORANGE);
    static final byte[] LAST = TestImages.png(1600, 1200, Color.BLUE);

    HttpResponse<byte[]> fetch(String url, boolean withKey) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).GET();
        if (withKey) b.header("Authorization", "Bearer " + key);
        return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    HttpResponse<String> create() throws Exception {
        String body = """
                {"model": "ray-2", "prompt": "a slow push through the valley", "seconds": "5", "size": "1280x720",
                 "frame_images": [{"image_url": "data:image/png;base64,%s", "frame_type": "first_frame"},
                                  {"image_url": "data:image/png;base64,%s", "frame_type": "last_frame"}]}
                """.formatted(Base64.getEncoder().encodeToString(FIRST), Base64.getEncoder().encodeToString(LAST));
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(base + "/v1/videos"))
                .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    JsonNode waitFor(String id) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode v = JSON.readTree(fetch(base + "/v1/videos/" + id, true).body());
            if (List.of("completed", "failed").contains(v.path("status").asText())) return v;
            Thread.sleep(100);
        }
        throw new AssertionError("video " + id + " did not finish");
    }

    static byte[] fitted(byte[] png, ImageRole role) throws Exception {
        return UpstreamImages.fit(new InputImage(role, png, "image/png", "test"), VideoSize.parse("1280x720").orElseThrow(),
                io.framegate.domain.FitMode.CROP, new LumaUpstream(null, null, Duration.ofSeconds(1)).imageConstraints()).image().bytes();
    }

    @Test
    void lumaRay2GetsKeyframeUrlsThatServeExactlyTheFittedImagesWithoutAKeyUntilTheyExpire() throws Exception {
        start(true);
        HttpResponse<String> created = create();
        assertThat(created.statusCode()).as(created.body()).isEqualTo(200);
        JsonNode v = waitFor(JSON.readTree(created.body()).path("id").asText());
        assertThat(v.path("status").asText()).as(v.toString()).isEqualTo("completed");
        assertThat(fetch(base + "/v1/videos/" + v.path("id").asText() + "/content", true).body()).isEqualTo(mp4);

        JsonNode sent = JSON.readTree(wm.findAll(postRequestedFor(urlEqualTo("/generations"))).get(0).getBodyAsString());
        String frame0 = sent.at("/keyframes/frame0/url").asText();
        String frame1 = sent.at("/keyframes/frame1/url").asText();
        assertThat(sent.at("/keyframes/frame0/type").asText()).isEqualTo("image");
        assertThat(frame0).startsWith(base + "/v1/inputs/" + v.path("id").asText() + "/").contains("signature=");
        assertThat(frame1).isNotEqualTo(frame0);

        HttpResponse<byte[]> got0 = fetch(frame0, false);
        assertThat(got0.statusCode()).isEqualTo(200);
        assertThat(got0.headers().firstValue("Content-Type")).hasValue("image/png");
        byte[] want0 = fitted(FIRST, ImageRole.FIRST_FRAME);
        assertThat(want0).isNotEqualTo(FIRST);
        assertThat(got0.body()).isEqualTo(want0);
        assertThat(fetch(frame1, false).body()).isEqualTo(fitted(LAST, ImageRole.LAST_FRAME));

        // tampered: another file of the job with this file's signature, a changed expiry, a changed signature
        assertThat(fetch(frame0.replace("upstream-input-0", "upstream-input-1"), false).statusCode()).isEqualTo(403);
        long expires = Long.parseLong(frame0.replaceAll(".*expires=(\\d+).*", "$1"));
        HttpResponse<byte[]> later = fetch(frame0.replace("expires=" + expires, "expires=" + (expires + 3600)), false);
        assertThat(later.statusCode()).isEqualTo(403);
        assertThat(new String(later.body(), StandardCharsets.UTF_8)).contains("invalid_signature").doesNotContain("upstream-input");
        String sig = frame0.substring(frame0.indexOf("signature=") + 10);
        String flipped = (sig.charAt(0) == 'A' ? "B" : "A") + sig.substring(1);
        assertThat(fetch(frame0.replace(sig, flipped), false).statusCode()).isEqualTo(403);
        // the link of one job names that job only
        assertThat(fetch(frame0.replace(v.path("id").asText(), "video_0000000000000000"), false).statusCode()).isEqualTo(403);

        // the links end with the job's deadline (2m after the submit)
        clock.advance(Duration.ofMinutes(3));
        HttpResponse<byte[]> expired = fetch(frame0, false);
        assertThat(expired.statusCode()).isEqualTo(403);
        assertThat(new String(expired.body(), StandardCharsets.UTF_8)).contains("signed_url_expired");
    }

    /**
     * docs/config.md, Signed input URLs: the upstream's copies of the inputs are deleted with the job's input images
     * ({@code retention.inputs_grace} after the job ended), and a deleted one's link answers 404, though the link has
     * not expired yet (1 min of grace here, the link lives for the 2 min deadline); the video stays.
     */
    @Test
    void theUpstreamInputCopiesAreDeletedWithTheInputsAndTheirLinksThenAnswer404() throws Exception {
        start(true, "retention: {inputs_grace: 1m, sweep_interval: 1d}\n");
        HttpResponse<String> created = create();
        assertThat(created.statusCode()).as(created.body()).isEqualTo(200);
        String id = JSON.readTree(created.body()).path("id").asText();
        JsonNode v = waitFor(id);
        assertThat(v.path("status").asText()).as(v.toString()).isEqualTo("completed");
        JsonNode sent = JSON.readTree(wm.findAll(postRequestedFor(urlEqualTo("/generations"))).get(0).getBodyAsString());
        String frame0 = sent.at("/keyframes/frame0/url").asText();
        String frame1 = sent.at("/keyframes/frame1/url").asText();
        assertThat(fetch(frame0, false).statusCode()).isEqualTo(200);
        Path files = dir.resolve("data/files").resolve(id);
        try (var walk = Files.walk(files)) {
            assertThat(walk.map(p -> p.getFileName().toString())).as("the copies are stored with the job's files")
                    .anyMatch(n -> n.startsWith("upstream-input-"));
        }

        server.sweeper().sweepOnce();
        assertThat(fetch(frame0, false).statusCode()).as("within the grace: still served").isEqualTo(200);
        clock.advance(Duration.ofSeconds(90)); // past the 1 min grace after the end, before the 2 min link expiry
        server.sweeper().sweepOnce();
        for (String link : List.of(frame0, frame1)) {
            HttpResponse<byte[]> gone = fetch(link, false);
            assertThat(gone.statusCode()).as(link).isEqualTo(404);
        }
        try (var walk = Files.walk(files)) {
            assertThat(walk.map(p -> p.getFileName().toString())).as("no copy left on disk")
                    .noneMatch(n -> n.startsWith("upstream-input-"));
        }
        assertThat(fetch(base + "/v1/videos/" + id + "/content", true).body()).as("the result stays").isEqualTo(mp4);
    }

    @Test
    void withoutAPublicUrlRay2WithFramesIsRefusedAtCreateNamingWhy() throws Exception {
        start(false);
        HttpResponse<String> created = create();
        assertThat(created.statusCode()).isEqualTo(400);
        assertThat(created.body()).contains("ray-2").contains("public base URL");
        assertThat(wm.getAllServeEvents()).isEmpty();
        assertThat(fetch(base + "/v1/inputs/video_x/upstream-input-0?expires=9999999999&signature=abc", false).statusCode())
                .isEqualTo(403);
    }
}
