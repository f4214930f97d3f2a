package io.framegate.server.media;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import io.framegate.engine.LocalEngine;
import io.framegate.server.FramegateServer;
import io.framegate.server.LocalTestBackend;
import io.framegate.server.ServerOptions;
import io.framegate.server.jobs.WorkerSettings;
import org.bytedeco.ffmpeg.global.avcodec;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameRecorder;
import org.bytedeco.javacv.Java2DFrameConverter;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Random;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Keyframe fidelity through a real server: a local render is honoured; a cloud result (a Gemini API stand-in serving
 * a real MP4) that starts where it was asked is honoured too, and one that starts elsewhere is flagged, on the OpenAI
 * {@code framegate} field and the Veo operation's {@code metadata.framegate}.
 */
class FidelityServerTest {
    static final String SECRET = "gm-fidelity-secret";
    static final int W = 320, H = 180;
    static final ObjectMapper JSON = new ObjectMapper();
    static WireMockServer gemini;
    static FramegateServer server;
    static String key, base;
    static Path data;
    static BufferedImage canvas;

    @BeforeAll
    static void start(@TempDir Path dir) throws Exception {
        gemini = new WireMockServer(options().dynamicPort());
        gemini.start();
        canvas = canvas(W * 2, H, 5);
        data = Files.createDirectories(dir.resolve("data"));
        Files.writeString(data.resolve("framegate.yaml"), """
                providers:
                  google: {type: gemini, base_url: '%s', api_key_env: FG_FID_KEY}
                routes:
                  veo-3.1-generate-001: [google]
                timing: {poll_initial: 50ms, poll_max: 100ms, deadline: 1m, retry_attempts: 1, retry_base: 50ms,
                         retry_max: 100ms, request_timeout: 10s}
                """.formatted(gemini.baseUrl()));
        ServerOptions o = ServerOptions.defaults(data).withHost("127.0.0.1").withPort(0).withAccessLog(null)
                .withWorkers(new WorkerSettings(1, 2, Duration.ofSeconds(30), Duration.ofMillis(100), Duration.ofSeconds(5)));
        server = FramegateServer.builder(o).environment(Map.of("FG_FID_KEY", SECRET)::get)
                .localBackend(new LocalEngine()).finisher(new MediaFinisher()).build().start();
        key = server.keys().create("fidelity").secret();
        base = "http://127.0.0.1:" + server.port();
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
        if (gemini != null) gemini.stop();
    }

    /** A picture with detail everywhere (shapes of many colours and sizes), twice as wide as a frame. */
    static BufferedImage canvas(int w, int h, long seed) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setPaint(new java.awt.GradientPaint(0, 0, new Color(30, 60, 110), w, h, new Color(200, 170, 90)));
        g.fillRect(0, 0, w, h);
        Random r = new Random(seed);
        for (int i = 0; i < 160; i++) {
            g.setColor(new Color(r.nextInt(256), r.nextInt(256), r.nextInt(256)));
            int s = 6 + r.nextInt(40);
            if (r.nextBoolean()) g.fillOval(r.nextInt(w), r.nextInt(h), s, s);
            else g.fillRect(r.nextInt(w), r.nextInt(h), s, s / 2 + 2);
        }
        g.dispose();
        return img;
    }

    static BufferedImage view(int x) {
        BufferedImage out = new BufferedImage(W, H, BufferedImage.TYPE_3BYTE_BGR);
        Graphics2D g = out.createGraphics();
        g.drawImage(canvas.getSubimage(x, 0, W, H), 0, 0, null);
        g.dispose();
        return out;
    }

    static String pngBase64(BufferedImage img) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, "png", out);
        return Base64.getEncoder().encodeToString(out.toByteArray());
    }

    /** A 12-frame MP4 whose camera starts at {@code x} and pans right. */
    static byte[] mp4StartingAt(int x) throws Exception {
        Path file = Files.createTempFile("fidelity-", ".mp4");
        try (FFmpegFrameRecorder rec = new FFmpegFrameRecorder(file.toFile(), W, H, 0);
             Java2DFrameConverter conv = new Java2DFrameConverter()) {
            rec.setFormat("mp4");
            rec.setVideoCodec(avcodec.AV_CODEC_ID_H264);
            rec.setPixelFormat(avutil.AV_PIX_FMT_YUV420P);
            rec.setFrameRate(24);
            rec.start();
            for (int i = 0; i < 12; i++) rec.record(conv.convert(view(x + 4 * i)));
            rec.stop();
            return Files.readAllBytes(file);
        } finally {
            Files.deleteIfExists(file);
        }
    }

    static JsonNode send(String method, String path, String body, String authHeader, String authValue) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30))
                .header(authHeader, authValue).header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        HttpResponse<String> r = HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    static JsonNode openAiFinal(String id) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        JsonNode v;
        do {
            Thread.sleep(100);
            v = send("GET", "/v1/videos/" + id, null, "Authorization", "Bearer " + key);
        } while (!v.path("status").asText().matches("completed|failed") && System.nanoTime() < deadline);
        assertThat(v.path("status").asText()).as(v.toString()).isEqualTo("completed");
        return v;
    }

    @Test
    void aLocalRenderHonoursItsKeyframes() throws Exception {
        String body = """
                {"model": "framegate-local-fast", "prompt": "pan right", "size": "%dx%d", "seconds": "1",
                 "frame_images": [{"image_url": "data:image/png;base64,%s", "frame_type": "first_frame"},
                                  {"image_url": "data:image/png;base64,%s", "frame_type": "last_frame"}]}
                """.formatted(W, H, pngBase64(view(0)), pngBase64(view(40)));
        JsonNode created = send("POST", "/v1/videos", body, "Authorization", "Bearer " + key);
        JsonNode fidelity = openAiFinal(created.path("id").asText()).path("framegate").path("fidelity");
        assertThat(fidelity.path("honoured").asBoolean(false)).as(fidelity.toString()).isTrue();
        assertThat(fidelity.at("/first_frame/psnr").asDouble()).isGreaterThan(25);
        assertThat(fidelity.at("/first_frame/ssim").asDouble()).isGreaterThan(0.9);
        assertThat(fidelity.at("/last_frame/psnr").asDouble()).isGreaterThan(25);
    }

    /**
     * docs/fidelity.md: the keyframe is compared as fitted to the video's size by the request's {@code fit}, and an end
     * the request gave no keyframe for is left out. A square first frame padded into a 16:9 video is honoured (its
     * black bars are in the keyframe it is compared with); the same frame scored as cropped would not be.
     */
    @Test
    void aPaddedKeyframeIsScoredAsPaddedAndTheEndWithoutAKeyframeIsLeftOut() throws Exception {
        BufferedImage square = new BufferedImage(H, H, BufferedImage.TYPE_3BYTE_BGR);
        Graphics2D g = square.createGraphics();
        g.drawImage(canvas.getSubimage(60, 0, H, H), 0, 0, null);
        g.dispose();
        String body = """
                {"model": "framegate-local-fast", "prompt": "still", "size": "%dx%d", "seconds": "1", "fit": "pad",
                 "frame_images": [{"image_url": "data:image/png;base64,%s", "frame_type": "first_frame"}]}
                """.formatted(W, H, pngBase64(square));
        JsonNode created = send("POST", "/v1/videos", body, "Authorization", "Bearer " + key);
        JsonNode fidelity = openAiFinal(created.path("id").asText()).path("framegate").path("fidelity");
        assertThat(fidelity.path("honoured").asBoolean(false)).as(fidelity.toString()).isTrue();
        assertThat(fidelity.at("/first_frame/psnr").asDouble()).as(fidelity.toString()).isGreaterThan(30);
        assertThat(fidelity.has("last_frame")).as(fidelity.toString()).isFalse();
    }

    @Test
    void aCloudResultThatStartsOnTheKeyframeIsHonoured() throws Exception {
        JsonNode op = veoJob("fidok", mp4StartingAt(0));
        JsonNode fidelity = op.at("/metadata/framegate/fidelity");
        assertThat(fidelity.path("honoured").asBoolean(false)).as(op.toString()).isTrue();
        assertThat(fidelity.has("last_frame")).isFalse();
    }

    /**
     * docs/fidelity.md: a cloud result that started elsewhere is {@code "honoured": false} and logged at INFO; the
     * job still completes and its cost is still captured (the score is a report, not a refund).
     */
    @Test
    void aCloudResultThatStartsElsewhereIsFlagged() throws Exception {
        java.io.PrintStream stderr = System.err;
        ByteArrayOutputStream logs = new ByteArrayOutputStream();
        System.setErr(new java.io.PrintStream(logs, true, java.nio.charset.StandardCharsets.UTF_8));
        JsonNode op;
        try {
            op = veoJob("fidbad", mp4StartingAt(W / 2));
        } finally {
            System.setErr(stderr);
        }
        JsonNode fidelity = op.at("/metadata/framegate/fidelity");
        assertThat(fidelity.path("honoured").asBoolean(true)).as(op.toString()).isFalse();
        assertThat(fidelity.at("/first_frame/psnr").asDouble()).isLessThan(20);
        String jobId = op.at("/metadata/framegate/job_id").asText();
        assertThat(logs.toString(java.nio.charset.StandardCharsets.UTF_8))
                .contains("INFO " + MediaFinisher.class.getName() + " - job " + jobId
                        + ": the video does not start/end on the requested keyframes");
        // the same verdict on the OpenAI surface, on a completed video whose cost was recorded
        JsonNode video = send("GET", "/v1/videos/" + jobId, null, "Authorization", "Bearer " + key);
        assertThat(video.at("/framegate/fidelity/honoured").asBoolean(true)).isFalse();
        assertThat(video.path("status").asText()).isEqualTo("completed");
        java.math.BigDecimal cost = new java.math.BigDecimal(video.at("/framegate/cost_usd").asText());
        assertThat(cost).as(video.toString()).isPositive()
                .isEqualByComparingTo(video.at("/framegate/estimated_cost_usd").asText()); // the full price, no refund
        // and captured in the ledger: reserved at create, captured at completion, never released
        JsonNode job = send("GET", "/admin/v1/jobs/" + jobId, null, "Authorization",
                "Bearer " + Files.readString(data.resolve("admin.token")).trim());
        assertThat(job.path("ledger")).extracting(e -> e.path("kind").asText()).as(job.toString())
                .containsExactly("reserve", "capture");
        assertThat(new java.math.BigDecimal(job.at("/ledger/1/cost_usd").asText())).isEqualByComparingTo(cost);
    }

    /**
     * docs/fidelity.md: extensions are not scored (their video starts with the source video). The source, a local
     * render from a first frame, is scored; its extension, which starts from the source's last frame, is not.
     */
    @Test
    void anExtensionIsNotScored() throws Exception {
        String body = """
                {"model": "framegate-local-fast", "prompt": "pan right", "size": "%dx%d", "seconds": "1",
                 "frame_images": [{"image_url": "data:image/png;base64,%s", "frame_type": "first_frame"}]}
                """.formatted(W, H, pngBase64(view(0)));
        String source = send("POST", "/v1/videos", body, "Authorization", "Bearer " + key).path("id").asText();
        assertThat(openAiFinal(source).at("/framegate/fidelity/honoured").isBoolean()).as("the source is scored").isTrue();
        JsonNode ext = send("POST", "/v1/videos/extensions", """
                {"video": {"id": "%s"}, "prompt": "on", "seconds": "1"}""".formatted(source),
                "Authorization", "Bearer " + key);
        JsonNode done = openAiFinal(ext.path("id").asText());
        assertThat(done.at("/framegate/extended_from_video_id").asText()).isEqualTo(source);
        assertThat(done.path("framegate").has("fidelity")).as(done.toString()).isFalse();
    }

    /**
     * docs/fidelity.md: the score is measured once, when the job completes, from the first video of the job. A job of
     * two videos, one starting on the keyframe and one elsewhere (a backend that writes them as given): the job is
     * honoured when the first is the good one and flagged when it is not.
     */
    @Test
    void onlyTheFirstVideoOfAJobIsScored(@TempDir Path dir) throws Exception {
        byte[] on = mp4StartingAt(0), off = mp4StartingAt(W / 2);
        for (boolean goodFirst : new boolean[]{true, false}) {
            byte[][] videos = goodFirst ? new byte[][]{on, off} : new byte[][]{off, on};
            io.framegate.domain.GenerationBackend given = new LocalTestBackend() {
                @Override
                public void generate(io.framegate.domain.RenderPlan plan, io.framegate.domain.GenerationContext ctx)
                        throws Exception {
                    for (int i = 0; i < plan.numberOfVideos(); i++) {
                        Path video = ctx.output(i).video();
                        Files.createDirectories(video.toAbsolutePath().getParent());
                        Files.write(video, videos[i]);
                    }
                }
            };
            Path d = Files.createDirectories(dir.resolve(goodFirst ? "good-first" : "bad-first"));
            ServerOptions o = ServerOptions.defaults(d).withHost("127.0.0.1").withPort(0).withAccessLog(null)
                    .withWorkers(new WorkerSettings(1, 2, Duration.ofSeconds(30), Duration.ofMillis(100), Duration.ofSeconds(5)));
            try (FramegateServer two = FramegateServer.builder(o).backend("local", given).finisher(new MediaFinisher())
                    .build().start()) {
                String k = two.keys().create("two").secret();
                String at = "http://127.0.0.1:" + two.port();
                JsonNode created = postJson(at + "/v1beta/models/framegate-local:predictLongRunning", k, """
                        {"instances": [{"prompt": "pan", "image": {"bytesBase64Encoded": "%s", "mimeType": "image/png"}}],
                         "parameters": {"durationSeconds": 1, "sampleCount": 2}}
                        """.formatted(pngBase64(view(0))));
                String opName = created.path("name").asText();
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                JsonNode op;
                do {
                    Thread.sleep(100);
                    op = getJson(at + "/v1beta/" + opName, k);
                } while (!op.path("done").asBoolean() && System.nanoTime() < deadline);
                assertThat(op.has("error")).as(op.toString()).isFalse();
                assertThat(op.at("/response/generateVideoResponse/generatedSamples")).as(op.toString()).hasSize(2);
                assertThat(op.at("/metadata/framegate/fidelity/honoured").asBoolean(!goodFirst))
                        .as("first video %s: %s", goodFirst ? "on the keyframe" : "elsewhere", op).isEqualTo(goodFirst);
            }
        }
    }

    private static JsonNode postJson(String url, String apiKey, String body) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url))
                .header("x-goog-api-key", apiKey).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    private static JsonNode getJson(String url, String apiKey) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url))
                .header("x-goog-api-key", apiKey).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    /** A Veo job through the Gemini surface whose upstream serves {@code mp4s} (one video each); the final operation. */
    static JsonNode veoJob(String name, byte[]... mp4s) throws Exception {
        String op = "models/veo-3.1-generate-001/operations/" + name;
        gemini.stubFor(post(urlEqualTo("/v1beta/models/veo-3.1-generate-001:predictLongRunning"))
                .withRequestBody(com.github.tomakehurst.wiremock.client.WireMock.containing(name))
                .willReturn(okJson("{\"name\": \"" + op + "\"}")));
        StringBuilder samples = new StringBuilder();
        for (int i = 0; i < mp4s.length; i++) {
            String file = mp4s.length == 1 ? name : name + "v" + i;
            if (i > 0) samples.append(", ");
            samples.append("{ \"video\": { \"uri\": \"%s/v1beta/files/%s:download?alt=media\" } }"
                    .formatted(gemini.baseUrl(), file));
            gemini.stubFor(get(urlEqualTo("/v1beta/files/" + file + ":download?alt=media"))
                    .willReturn(aResponse().withHeader("Content-Type", "video/mp4").withBody(mp4s[i])));
        }
        gemini.stubFor(get(urlEqualTo("/v1beta/" + op)).willReturn(okJson("""
                { "name": "%s", "done": true,
                  "response": { "generateVideoResponse": { "generatedSamples": [ %s ] } } }
                """.formatted(op, samples))));
        String body = """
                {"instances": [{"prompt": "%s", "image": {"bytesBase64Encoded": "%s", "mimeType": "image/png"}}],
                 "parameters": {"durationSeconds": 4, "aspectRatio": "16:9", "sampleCount": %d}}
                """.formatted(name, pngBase64(view(0)), mp4s.length);
        JsonNode created = send("POST", "/v1beta/models/veo-3.1-generate-001:predictLongRunning", body,
                "x-goog-api-key", key);
        String opName = created.path("name").asText();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        JsonNode polled;
        do {
            Thread.sleep(100);
            polled = send("GET", "/v1beta/" + opName, null, "x-goog-api-key", key);
        } while (!polled.path("done").asBoolean() && System.nanoTime() < deadline);
        assertThat(polled.has("error")).as(polled.toString()).isFalse();
        return polled;
    }
}
