package io.framegate.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.HttpResponse;
import com.openai.models.videos.Video;
import com.openai.models.videos.VideoCreateParams;
import com.openai.models.videos.VideoSeconds;
import com.openai.models.videos.VideoSize;
import io.framegate.provider.ConfigException;
import io.framegate.server.jobs.WorkerSettings;
import io.framegate.server.media.MediaFinisher;
import io.framegate.server.openai.OpenAiSurface;
import org.bytedeco.ffmpeg.global.avcodec;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameRecorder;
import org.bytedeco.javacv.Java2DFrameConverter;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import static com.github.tomakehurst.wiremock.client.WireMock.*;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * A real server whose {@code framegate.yaml} routes {@code veo-3.1-generate-001} to a Gemini API stand-in and
 * {@code sora-2} to an OpenAI-compatible stand-in (WireMock serving the documented JSON and a real MP4), driven through
 * the OpenAI surface with the official SDK and raw HTTP.
 */
class RoutedServerTest {
    static final String GEMINI_SECRET = "gm-e2e-secret-7f3a9c";
    static final String AGG_SECRET = "sk-agg-e2e-secret-41d2";
    static final String GEMINI_ENV = "FG_E2E_GEMINI_KEY";
    static final String VEO_CREATE = "/v1beta/models/veo-3.1-generate-001:predictLongRunning";
    static final String SORA_ID = "video_68d7512d07848190b3e45da0ecbebcde004da08e1e0678d5";
    static final ObjectMapper JSON = new ObjectMapper();

    static WireMockServer gemini;
    static WireMockServer agg;
    static byte[] upstreamMp4;

    @TempDir
    Path dir;
    Path data;
    FramegateServer server;
    ByteArrayOutputStream accessLog;
    String key;
    String base;

    @BeforeAll
    static void standIns() throws Exception {
        gemini = new WireMockServer(options().dynamicPort());
        agg = new WireMockServer(options().dynamicPort());
        gemini.start();
        agg.start();
        upstreamMp4 = mp4();
    }

    @AfterAll
    static void stopStandIns() {
        gemini.stop();
        agg.stop();
    }

    @BeforeEach
    void reset() {
        gemini.resetAll();
        agg.resetAll();
        data = dir.resolve("data");
        accessLog = new ByteArrayOutputStream();
    }

    @AfterEach
    void stop() {
        if (server != null) server.close();
    }

    static String config() {
        return """
                providers:
                  google: {type: gemini, base_url: '%s', api_key_env: %s}
                  agg: {type: openai, base_url: '%s/v1', api_key_file: agg.key}
                routes:
                  veo-3.1-generate-001: [google]
                  sora-2: [{channel: agg, allow_retired: true}]
                  veo-3.1-fast-generate-001: [{channel: agg, model: sora-2, allow_retired: true}]
                aliases:
                  house-video: veo-3.1-generate-001
                timing: {poll_initial: 100ms, poll_max: 200ms, deadline: 2m, retry_attempts: 2, retry_base: 50ms,
                         retry_max: 100ms, request_timeout: 10s}
                workers: {local: 1, cloud: 4}
                """.formatted(gemini.baseUrl(), GEMINI_ENV, agg.baseUrl());
    }

    /** The config as {@code <data>/framegate.yaml}, the key file beside it. */
    Path writeDataDirConfig() throws Exception {
        Files.createDirectories(data);
        Files.writeString(data.resolve("agg.key"), AGG_SECRET + "\n");
        Path f = data.resolve("framegate.yaml");
        Files.writeString(f, config());
        return f;
    }

    /** The config somewhere else, given as {@code --config}. */
    Path writeExplicitConfig() throws Exception {
        Path etc = Files.createDirectories(dir.resolve("etc"));
        Files.writeString(etc.resolve("agg.key"), AGG_SECRET + "\n");
        Path f = etc.resolve("routes.yaml");
        Files.writeString(f, config());
        return f;
    }

    FramegateServer.Builder builder(Path explicitConfig, Map<String, String> env) {
        ServerOptions o = ServerOptions.defaults(data).withHost("127.0.0.1").withPort(0).withPollAfterMillis(100)
                .withAccessLog(new PrintStream(accessLog, true, StandardCharsets.UTF_8))
                .withWorkers(new WorkerSettings(1, 2, Duration.ofSeconds(30), Duration.ofMillis(100), Duration.ofSeconds(5)))
                .withConfigFile(explicitConfig);
        return FramegateServer.builder(o).environment(env::get).localBackend(new TinyVideoBackend("local", true, 0))
                .finisher(new MediaFinisher());
    }

    void start(Path explicitConfig) throws Exception {
        server = builder(explicitConfig, Map.of(GEMINI_ENV, GEMINI_SECRET)).build().start();
        if (key == null) key = server.keys().create("e2e").secret();
        base = "http://127.0.0.1:" + server.port();
    }

    OpenAIClient client() {
        return OpenAIOkHttpClient.builder().baseUrl(base + "/v1").apiKey(key).maxRetries(0).timeout(Duration.ofSeconds(30)).build();
    }

    record Reply(int status, String body, String headers) {
        JsonNode json() throws Exception {
            return JSON.readTree(body);
        }
    }

    /** A request with the key as the OpenAI surface takes it. */
    Reply http(String method, String path, String jsonBody) throws Exception {
        return send(method, path, jsonBody, "Authorization", "Bearer " + key);
    }

    /** A request with the key as the Gemini surface takes it. */
    Reply google(String method, String path, String jsonBody) throws Exception {
        return send(method, path, jsonBody, "x-goog-api-key", key);
    }

    Reply send(String method, String path, String jsonBody, String authHeader, String authValue) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30))
                .header(authHeader, authValue);
        if (jsonBody != null) b.header("Content-Type", "application/json");
        b.method(method, jsonBody == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(jsonBody));
        java.net.http.HttpResponse<String> r = HttpClient.newHttpClient().send(b.build(),
                java.net.http.HttpResponse.BodyHandlers.ofString(StandardCharsets.ISO_8859_1));
        return new Reply(r.statusCode(), r.body(), r.headers().map().toString());
    }

    static Video awaitFinal(OpenAIClient client, String id) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        Video v = null;
        while (System.nanoTime() < deadline) {
            v = client.videos().retrieve(id);
            String s = v.status().asString();
            if (s.equals("completed") || s.equals("failed")) return v;
            Thread.sleep(100);
        }
        throw new AssertionError("video " + id + " did not finish; last: " + v);
    }

    static byte[] download(OpenAIClient client, String id) throws Exception {
        try (HttpResponse r = client.videos().downloadContent(id); InputStream in = r.body()) {
            return in.readAllBytes();
        }
    }

    // ---- the stand-ins, answering with the documented JSON ----

    static String operation(String op, boolean done) {
        if (!done) return "{\"name\": \"" + op + "\", \"done\": false, \"metadata\": {}}";
        return """
                { "name": "%s", "done": true,
                  "response": { "@type": "type.googleapis.com/google.ai.generativelanguage.v1beta.PredictLongRunningResponse",
                    "generateVideoResponse": { "generatedSamples": [
                      { "video": { "uri": "%s/v1beta/files/e2efile%s:download?alt=media" } } ] } } }
                """.formatted(op, gemini.baseUrl(), op.substring(op.lastIndexOf('/') + 1));
    }

    /**
     * The Gemini create answers {@code op} only to a body with this prompt and, as {@code withImage} says, a first
     * frame or none (and never a last frame or references); any other body gets WireMock's 404, failing the job.
     */
    static void stubVeoCreate(String op, String prompt, boolean withImage) {
        gemini.stubFor(post(urlEqualTo(VEO_CREATE)).withHeader("x-goog-api-key", equalTo(GEMINI_SECRET))
                .withRequestBody(matchingJsonPath("$.instances[0].prompt", equalTo(prompt)))
                .withRequestBody(matchingJsonPath("$.instances[0].image.bytesBase64Encoded", withImage ? matching(".+") : absent()))
                .withRequestBody(matchingJsonPath("$.instances[0].lastFrame", absent()))
                .withRequestBody(matchingJsonPath("$.instances[0].referenceImages", absent()))
                .willReturn(okJson("{\"name\": \"" + op + "\"}")));
    }

    /** The background colour of a {@link TestImages} picture (near a corner; its centre is a black disc). */
    static Color background(byte[] encoded) throws Exception {
        BufferedImage img = javax.imageio.ImageIO.read(new java.io.ByteArrayInputStream(encoded));
        assertThat(img).as("a decodable image").isNotNull();
        return new Color(img.getRGB(img.getWidth() / 10, img.getHeight() / 10));
    }

    static void assertColour(Color actual, Color expected) {
        assertThat(Math.abs(actual.getRed() - expected.getRed()) + Math.abs(actual.getGreen() - expected.getGreen())
                + Math.abs(actual.getBlue() - expected.getBlue())).as("colour %s, expected %s", actual, expected).isLessThan(24);
    }

    /** Polls answer "running" once, then "done"; the file download serves the MP4. */
    static void stubVeoRunningOnceThenDone(String op) {
        gemini.stubFor(get(urlEqualTo("/v1beta/" + op)).inScenario(op).whenScenarioStateIs(Scenario.STARTED)
                .willReturn(okJson(operation(op, false))).willSetStateTo("done"));
        gemini.stubFor(get(urlEqualTo("/v1beta/" + op)).inScenario(op).whenScenarioStateIs("done")
                .willReturn(okJson(operation(op, true))));
        stubVeoDownload(op);
    }

    static void stubVeoDownload(String op) {
        gemini.stubFor(get(urlEqualTo("/v1beta/files/e2efile" + op.substring(op.lastIndexOf('/') + 1) + ":download?alt=media"))
                .withHeader("x-goog-api-key", equalTo(GEMINI_SECRET))
                .willReturn(aResponse().withHeader("Content-Type", "video/mp4").withBody(upstreamMp4)));
    }

    static String soraVideo(String status) {
        return """
                { "id": "%s", "object": "video", "created_at": 1758941485, "status": "%s", "model": "sora-2",
                  "progress": %d, "seconds": "4", "size": "1280x720", "completed_at": null, "expires_at": null,
                  "prompt": "A calico cat playing a piano on stage", "remixed_from_video_id": null, "error": null }
                """.formatted(SORA_ID, status, "completed".equals(status) ? 100 : 0);
    }

    /**
     * The OpenAI-compatible create answers only a multipart body for sora-2 with this prompt and, when
     * {@code withImage}, an {@code input_reference} part; any other body gets WireMock's 404, failing the job.
     */
    static void stubSora(String prompt, boolean withImage) {
        var create = post(urlEqualTo("/v1/videos"))
                .withMultipartRequestBody(aMultipart().withName("model").withBody(equalTo("sora-2")))
                .withMultipartRequestBody(aMultipart().withName("prompt").withBody(equalTo(prompt)));
        if (withImage) create = create.withMultipartRequestBody(aMultipart().withName("input_reference"));
        agg.stubFor(create.willReturn(okJson(soraVideo("queued"))));
        agg.stubFor(get(urlEqualTo("/v1/videos/" + SORA_ID)).inScenario("sora").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(okJson(soraVideo("in_progress")).withHeader("openai-poll-after-ms", "100")).willSetStateTo("end"));
        agg.stubFor(get(urlEqualTo("/v1/videos/" + SORA_ID)).inScenario("sora").whenScenarioStateIs("end")
                .willReturn(okJson(soraVideo("completed"))));
        agg.stubFor(get(urlEqualTo("/v1/videos/" + SORA_ID + "/content?variant=video"))
                .willReturn(aResponse().withHeader("Content-Type", "video/mp4").withBody(upstreamMp4)));
        agg.stubFor(get(urlMatching("/v1/videos/" + SORA_ID + "/content\\?variant=(thumbnail|spritesheet)"))
                .willReturn(aResponse().withStatus(404).withBody("{\"error\": {\"message\": \"no such variant\"}}")));
    }

    // ---- tests ----

    @Test
    void veoJobByConfigAliasIsServedByTheGeminiStandInWithCostInTheFramegateField() throws Exception {
        writeDataDirConfig();
        start(null);
        String op = "models/veo-3.1-generate-001/operations/e2eveo1";
        stubVeoCreate(op, "a lighthouse at dusk", true);
        stubVeoRunningOnceThenDone(op);
        OpenAIClient client = client();

        Video created = client.videos().create(VideoCreateParams.builder().model("house-video")
                .prompt("a lighthouse at dusk").seconds(VideoSeconds.of("8")).size(VideoSize.of("1280x720"))
                .inputReference(TestImages.png(1280, 720, Color.ORANGE)).build());
        assertThat(created.model()).hasToString("veo-3.1-generate-001");
        JsonNode fg = http("GET", "/v1/videos/" + created.id(), null).json().path("framegate");
        assertThat(fg.path("backend").asText()).isEqualTo("route:veo-3.1-generate-001");
        assertThat(fg.path("local_render").asBoolean(true)).isFalse();
        assertThat(fg.path("channel").asText()).isEqualTo("google");
        // 8 s at 720p x 0.40 USD/s, from the catalog, before anything ran
        assertThat(fg.path("estimated_cost_usd").asDouble()).isCloseTo(3.2, within(1e-9));
        assertThat(fg.path("notes").path("requested_model").asText()).isEqualTo("house-video");

        Video done = awaitFinal(client, created.id());
        assertThat(done.status().asString()).as("%s", done.error()).isEqualTo("completed");
        assertThat(download(client, done.id())).isEqualTo(upstreamMp4);
        Reply thumb = http("GET", "/v1/videos/" + done.id() + "/content?variant=thumbnail", null);
        assertThat(thumb.status()).isEqualTo(200);
        assertThat(thumb.body().substring(8, 12)).as("a thumbnail made locally from the upstream's video").isEqualTo("WEBP");

        JsonNode after = http("GET", "/v1/videos/" + done.id(), null).json().path("framegate");
        assertThat(after.path("cost_usd").asDouble()).isCloseTo(3.2, within(1e-9));
        assertThat(after.path("channel").asText()).isEqualTo("google");
        assertThat(after.path("notes").path("provider").asText()).isEqualTo("gemini");
        assertThat(after.path("notes").path("upstream_id").asText()).isEqualTo(op);

        List<LoggedRequest> creates = gemini.findAll(postRequestedFor(urlEqualTo(VEO_CREATE)));
        assertThat(creates).hasSize(1);
        JsonNode sent = JSON.readTree(creates.get(0).getBodyAsString());
        assertThat(sent.at("/instances/0/prompt").asText()).isEqualTo("a lighthouse at dusk");
        // input_reference on Veo is the first frame: the upstream sees the orange picture that was sent
        assertColour(background(Base64.getDecoder().decode(sent.at("/instances/0/image/bytesBase64Encoded").asText())),
                Color.ORANGE);
        assertThat(sent.at("/parameters/durationSeconds").asInt()).isEqualTo(8);
        assertThat(sent.at("/parameters/aspectRatio").asText()).isEqualTo("16:9");

        // docs/admin.md, GET /metrics: a completed cloud job is timed in framegate_job_upstream_seconds (not in the
        // local render histogram) and its captured cost counted, by model and backend
        String token = Files.readString(data.resolve("admin.token")).strip();
        String metrics = send("GET", "/metrics", null, "Authorization", "Bearer " + token).body();
        String labels = "{backend=\"route:veo-3.1-generate-001\",model=\"veo-3.1-generate-001\"";
        assertThat(metrics).contains("framegate_job_upstream_seconds_count" + labels + "} 1")
                .contains("framegate_job_upstream_seconds_bucket" + labels + ",le=")
                .contains("framegate_job_upstream_seconds_sum" + labels + "}")
                .contains("framegate_cost_usd_total" + labels + "} 3.2")
                .doesNotContain("framegate_job_render_seconds_count" + labels);
    }

    @Test
    void soraJobIsServedByTheOpenAiCompatibleStandInWithTheKeyFromItsFile() throws Exception {
        writeDataDirConfig();
        start(null);
        stubSora("A calico cat playing a piano on stage", false);
        OpenAIClient client = client();

        Reply created = http("POST", "/v1/videos",
                "{\"model\": \"sora-2\", \"prompt\": \"A calico cat playing a piano on stage\", \"seconds\": \"4\", \"size\": \"1280x720\"}");
        assertThat(created.status()).as(created.body()).isEqualTo(200);
        String id = created.json().path("id").asText();
        assertThat(created.json().at("/framegate/channel").asText()).isEqualTo("agg");
        assertThat(created.json().at("/framegate/estimated_cost_usd").asDouble()).isCloseTo(0.4, within(1e-9));

        Video done = awaitFinal(client, id);
        assertThat(done.status().asString()).as("%s", done.error()).isEqualTo("completed");
        assertThat(download(client, id)).isEqualTo(upstreamMp4);
        JsonNode fg = http("GET", "/v1/videos/" + id, null).json().path("framegate");
        assertThat(fg.path("cost_usd").asDouble()).isCloseTo(0.4, within(1e-9));
        assertThat(fg.path("notes").path("provider").asText()).isEqualTo("openai");
        assertThat(fg.path("notes").path("upstream_id").asText()).isEqualTo(SORA_ID);

        List<LoggedRequest> creates = agg.findAll(postRequestedFor(urlEqualTo("/v1/videos")));
        assertThat(creates).hasSize(1);
        assertThat(creates.get(0).getHeader("Authorization")).isEqualTo("Bearer " + AGG_SECRET);
        assertThat(creates.get(0).getPart("seconds").getBody().asString()).isEqualTo("4");
        assertThat(creates.get(0).getPart("size").getBody().asString()).isEqualTo("1280x720");
        assertThat(creates.get(0).getPart("input_reference")).as("no image was sent").isNull();
    }

    @Test
    void keyframesRoutedToAFirstFrameOnlyUpstreamAreA400NamingModelAndCapability() throws Exception {
        writeDataDirConfig();
        start(null);
        String png = "data:image/png;base64," + Base64.getEncoder().encodeToString(TestImages.png(1280, 720, Color.BLUE));
        Reply r = http("POST", "/v1/videos", """
                {"model": "veo-3.1-fast-generate-001", "prompt": "a slow push", "seconds": "8", "size": "1280x720",
                 "frame_images": [{"image_url": "%s", "frame_type": "first_frame"},
                                  {"image_url": "%s", "frame_type": "last_frame"}]}
                """.formatted(png, png));
        assertThat(r.status()).as(r.body()).isEqualTo(400);
        JsonNode err = r.json().path("error");
        assertThat(err.path("type").asText()).isEqualTo("invalid_request_error");
        assertThat(err.path("param").asText()).isEqualTo("frame_images");
        assertThat(err.path("message").asText()).contains("veo-3.1-fast-generate-001").contains("sora-2")
                .contains("channel agg").contains("last_frame");
        // refused before anything was stored or sent
        assertThat(http("GET", "/v1/videos", null).json().path("data")).isEmpty();
        assertThat(agg.getAllServeEvents()).isEmpty();

        // the same request without the last frame is accepted (the first frame becomes sora-2's input_reference)
        stubSora("a slow push", true);
        Reply ok = http("POST", "/v1/videos", """
                {"model": "veo-3.1-fast-generate-001", "prompt": "a slow push", "seconds": "8", "size": "1280x720",
                 "frame_images": [{"image_url": "%s", "frame_type": "first_frame"}]}
                """.formatted(png));
        assertThat(ok.status()).as(ok.body()).isEqualTo(200);
        assertThat(ok.json().at("/framegate/notes/upstream_model").asText()).isEqualTo("sora-2");
        Video done = awaitFinal(client(), ok.json().path("id").asText());
        assertThat(done.status().asString()).as("%s", done.error()).isEqualTo("completed");
        List<LoggedRequest> creates = agg.findAll(postRequestedFor(urlEqualTo("/v1/videos")));
        assertThat(creates).hasSize(1);
        assertThat(creates.get(0).getPart("seconds").getBody().asString()).isEqualTo("8");
        assertColour(background(creates.get(0).getPart("input_reference").getBody().asBytes()), Color.BLUE);
    }

    /**
     * docs/config.md, What the server does with it: under {@code default_route: none} a model without a route is refused
     * like a request no channel can honour: a 400 in the caller's shape naming the model, no job stored, nothing run
     * (here: the offline engine's own model, which {@code default_route: local} would render).
     */
    @Test
    void underDefaultRouteNoneAnUnroutedModelIsA400OnBothSurfacesAndNoJobIsStored() throws Exception {
        Files.createDirectories(data);
        Files.writeString(data.resolve("agg.key"), AGG_SECRET + "\n");
        Files.writeString(data.resolve("framegate.yaml"), config() + "default_route: none\n");
        start(null);
        String b64 = Base64.getEncoder().encodeToString(TestImages.png(160, 96, Color.RED));
        Reply r = http("POST", "/v1/videos", """
                {"model": "framegate-local", "prompt": "a slow push", "seconds": "1", "size": "160x96",
                 "input_reference": {"image_url": "data:image/png;base64,%s"}}
                """.formatted(b64));
        assertThat(r.status()).as(r.body()).isEqualTo(400);
        assertThat(r.json().at("/error/type").asText()).isEqualTo("invalid_request_error");
        assertThat(r.json().at("/error/message").asText()).contains("framegate-local").contains("default_route");

        Reply g = google("POST", "/v1beta/models/framegate-local:predictLongRunning", """
                {"instances": [{"prompt": "x", "image": {"bytesBase64Encoded": "%s", "mimeType": "image/png"}}],
                 "parameters": {"durationSeconds": 1}}
                """.formatted(b64));
        assertThat(g.status()).as(g.body()).isEqualTo(400);
        assertThat(g.json().at("/error/status").asText()).isEqualTo("INVALID_ARGUMENT");
        assertThat(g.json().at("/error/message").asText()).contains("framegate-local");

        assertThat(http("GET", "/v1/videos", null).json().path("data")).as("no job stored").isEmpty();
        long rows = server.database().jdbi().withHandle(h -> h.createQuery("SELECT COUNT(*) FROM jobs").mapTo(Long.class).one());
        assertThat(rows).as("no job row on any surface").isZero();
        assertThat(gemini.getAllServeEvents()).isEmpty();
        assertThat(agg.getAllServeEvents()).isEmpty();
    }

    @Test
    void geminiSurfaceServesAConfigAliasThroughTheRouteAndRefusesWhatTheRouteCannotHonour() throws Exception {
        writeDataDirConfig();
        start(null);
        String op = "models/veo-3.1-generate-001/operations/e2eveo2";
        stubVeoCreate(op, "a lighthouse at dusk", true);
        stubVeoRunningOnceThenDone(op);
        String b64 = Base64.getEncoder().encodeToString(TestImages.png(1280, 720, Color.GREEN));

        Reply created = google("POST", "/v1beta/models/house-video:predictLongRunning", """
                {"instances": [{"prompt": "a lighthouse at dusk", "image": {"bytesBase64Encoded": "%s", "mimeType": "image/png"}}],
                 "parameters": {"aspectRatio": "16:9", "durationSeconds": 8}}
                """.formatted(b64));
        assertThat(created.status()).as(created.body()).isEqualTo(200);
        String name = created.json().path("name").asText();
        JsonNode done = null;
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            Reply r = google("GET", "/v1beta/" + name, null);
            assertThat(r.status()).as(r.body()).isEqualTo(200);
            if (r.json().path("done").asBoolean()) {
                done = r.json();
                break;
            }
            Thread.sleep(100);
        }
        assertThat(done).as("operation " + name + " finished").isNotNull();
        assertThat(done.at("/response/generateVideoResponse/generatedSamples/0/video/uri").asText()).contains(":download");
        assertThat(done.at("/metadata/framegate/local_render").asBoolean()).isFalse();
        List<LoggedRequest> creates = gemini.findAll(postRequestedFor(urlEqualTo(VEO_CREATE)));
        assertThat(creates).hasSize(1);
        JsonNode sent = JSON.readTree(creates.get(0).getBodyAsString());
        assertColour(background(Base64.getDecoder().decode(sent.at("/instances/0/image/bytesBase64Encoded").asText())),
                Color.GREEN);
        assertThat(sent.at("/parameters/durationSeconds").asInt()).isEqualTo(8);

        // veo-3.1-fast is routed to a sora-2 upstream: a last frame cannot be honoured, so a 400 before any upstream call
        int aggCalls = agg.getAllServeEvents().size();
        Reply refused = google("POST", "/v1beta/models/veo-3.1-fast-generate-001:predictLongRunning", """
                {"instances": [{"prompt": "x", "image": {"bytesBase64Encoded": "%s", "mimeType": "image/png"},
                                "lastFrame": {"bytesBase64Encoded": "%s", "mimeType": "image/png"}}],
                 "parameters": {"durationSeconds": 8}}
                """.formatted(b64, b64));
        assertThat(refused.status()).as(refused.body()).isEqualTo(400);
        assertThat(refused.json().at("/error/status").asText()).isEqualTo("INVALID_ARGUMENT");
        assertThat(refused.json().at("/error/message").asText()).contains("sora-2").contains("last_frame");
        assertThat(agg.getAllServeEvents()).hasSize(aggCalls);
    }

    @Test
    void restartWhileTheUpstreamRunsResumesPollingTheSameOperation() throws Exception {
        Path cfg = writeExplicitConfig();
        start(cfg);
        String op = "models/veo-3.1-generate-001/operations/e2erestart";
        stubVeoCreate(op, "waves on a pier", false);
        gemini.stubFor(get(urlEqualTo("/v1beta/" + op)).willReturn(okJson(operation(op, false))));
        gemini.stubFor(post(urlEqualTo("/v1beta/" + op + ":cancel")).willReturn(okJson("{}")));
        OpenAIClient client = client();
        String id = client.videos().create(VideoCreateParams.builder().model("veo-3.1-generate-001")
                .prompt("waves on a pier").seconds(VideoSeconds.of("4")).size(VideoSize.of("1280x720")).build()).id();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (gemini.findAll(getRequestedFor(urlEqualTo("/v1beta/" + op))).size() < 2) {
            assertThat(System.nanoTime()).as("the upstream operation is polled").isLessThan(deadline);
            Thread.sleep(50);
        }
        assertThat(client.videos().retrieve(id).status().asString()).isEqualTo("in_progress");

        server.close();
        server = null;
        int pollsBefore = gemini.findAll(getRequestedFor(urlEqualTo("/v1beta/" + op))).size();
        assertThat(gemini.findAll(postRequestedFor(urlEqualTo("/v1beta/" + op + ":cancel"))))
                .as("a graceful stop leaves the upstream job running for the next start").isEmpty();
        gemini.stubFor(get(urlEqualTo("/v1beta/" + op)).willReturn(okJson(operation(op, true))));
        stubVeoDownload(op);

        start(cfg);
        client = client();
        Video done = awaitFinal(client, id);
        assertThat(done.status().asString()).as("%s", done.error()).isEqualTo("completed");
        assertThat(download(client, id)).isEqualTo(upstreamMp4);
        assertThat(gemini.findAll(postRequestedFor(urlEqualTo(VEO_CREATE)))).as("exactly one upstream job").hasSize(1);
        assertThat(gemini.findAll(getRequestedFor(urlEqualTo("/v1beta/" + op))).size()).isGreaterThan(pollsBefore);
        JsonNode fg = http("GET", "/v1/videos/" + id, null).json().path("framegate");
        // the job waited in the database across the restart (no attempt to resume): the next start polled it on
        assertThat(fg.path("notes").path("upstream_id").asText()).isEqualTo(op);
        assertThat(fg.path("cost_usd").asDouble()).isCloseTo(1.6, within(1e-9));
    }

    @Test
    void credentialsAppearInNoResponseAndNoLogLine() throws Exception {
        writeDataDirConfig();
        PrintStream stderr = System.err;
        ByteArrayOutputStream logs = new ByteArrayOutputStream();
        List<String> seen = new ArrayList<>();
        System.setErr(new PrintStream(logs, true, StandardCharsets.UTF_8));
        try {
            start(null);
            String op = "models/veo-3.1-generate-001/operations/e2esecret";
            stubVeoCreate(op, "a pier", false);
            stubVeoRunningOnceThenDone(op);
            stubSora("a cat", false);
            OpenAIClient client = client();
            String veo = http("POST", "/v1/videos", "{\"model\": \"veo-3.1\", \"prompt\": \"a pier\", \"seconds\": \"4\"}").json().path("id").asText();
            String sora = http("POST", "/v1/videos", "{\"model\": \"sora-2\", \"prompt\": \"a cat\", \"seconds\": \"4\", \"size\": \"1280x720\"}")
                    .json().path("id").asText();
            assertThat(awaitFinal(client, veo).status().asString()).isEqualTo("completed");
            assertThat(awaitFinal(client, sora).status().asString()).isEqualTo("completed");
            for (String path : List.of("/healthz", "/v1/videos/models", "/v1/videos/" + veo, "/v1/videos/" + sora, "/v1/videos",
                    "/v1/videos/" + veo + "/content", "/v1/videos/nope")) {
                Reply r = http("GET", path, null);
                seen.add(path + " " + r.status() + " " + r.headers() + " " + r.body());
            }
            Reply bad = http("POST", "/v1/videos", "{\"model\": \"veo-3.1-fast\", \"prompt\": \"x\", \"seconds\": \"8\","
                    + " \"frame_images\": [{\"image_url\": \"data:image/png;base64,"
                    + Base64.getEncoder().encodeToString(TestImages.png(64, 36, Color.RED)) + "\", \"frame_type\": \"last_frame\"}]}");
            seen.add(bad.status() + " " + bad.body());
            assertThat(bad.status()).isEqualTo(400);
            server.close();
            server = null;
        } finally {
            System.setErr(stderr);
        }
        String log = logs.toString(StandardCharsets.UTF_8);
        String access = accessLog.toString(StandardCharsets.UTF_8);
        // the captures are real: the routing and the requests were logged
        assertThat(log).contains("route veo-3.1-generate-001 -> [google]").contains("started on route:sora-2");
        assertThat(access).contains("/v1/videos/models").contains("/healthz");
        assertThat(String.join("\n", seen)).contains("price_per_second_usd").contains("\"status\":\"ok\"")
                .contains("route:veo-3.1-generate-001");
        for (String secret : List.of(GEMINI_SECRET, AGG_SECRET)) {
            assertThat(String.join("\n", seen)).doesNotContain(secret);
            assertThat(log).doesNotContain(secret);
            assertThat(access).doesNotContain(secret);
        }
    }

    @Test
    void modelListShowsPricesRoutesAndConfigAliases() throws Exception {
        writeDataDirConfig();
        start(null);
        JsonNode models = http("GET", "/v1/videos/models", null).json().path("data");
        JsonNode veo = find(models, "veo-3.1-generate-001");
        assertThat(veo.at("/price_per_second_usd/720p").asDouble()).isEqualTo(0.4);
        assertThat(veo.at("/framegate/backend").asText()).isEqualTo("route:veo-3.1-generate-001");
        assertThat(veo.at("/framegate/channels/0/channel").asText()).isEqualTo("google");
        assertThat(veo.at("/framegate/config_aliases/0").asText()).isEqualTo("house-video");
        JsonNode fast = find(models, "veo-3.1-fast-generate-001");
        assertThat(fast.at("/framegate/channels/0/upstream_model").asText()).isEqualTo("sora-2");
        assertThat(find(models, "sora-2").at("/price_per_second_usd/default").asDouble()).isEqualTo(0.1);
        JsonNode local = find(models, "framegate-local");
        assertThat(local.at("/framegate/local_render").asBoolean()).isTrue();
        assertThat(local.at("/framegate/backend").asText()).isEqualTo("local");
    }

    private static JsonNode find(JsonNode models, String id) {
        for (JsonNode m : models) if (m.path("id").asText().equals(id)) return m;
        throw new AssertionError("no model " + id + " in " + models);
    }

    @Test
    void aConfigErrorStopsTheStartNamingTheField() throws Exception {
        writeDataDirConfig();
        assertThatThrownBy(() -> builder(null, Map.of()).build())
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("providers.google.api_key_env: environment variable " + GEMINI_ENV + " is not set");
        assertThat(data.resolve("framegate.mv.db")).as("nothing was started").doesNotExist();

        assertThatThrownBy(() -> builder(dir.resolve("missing.yaml"), Map.of(GEMINI_ENV, "x")).build())
                .isInstanceOf(ConfigException.class).hasMessageContaining("missing.yaml").hasMessageContaining("--config: no such file");

        Files.writeString(data.resolve("framegate.yaml"), config().replace("workers: {local: 1, cloud: 4}", "workers: {local: 0}"));
        assertThatThrownBy(() -> builder(null, Map.of(GEMINI_ENV, "x")).build())
                .isInstanceOf(ConfigException.class).hasMessageContaining("workers.local: 0 must be a whole number >= 1");
    }

    /** A real 64x36, 12-frame H.264 MP4: what the upstreams "generated". */
    static byte[] mp4() throws Exception {
        Path file = Files.createTempFile("framegate-upstream-", ".mp4");
        try (FFmpegFrameRecorder rec = new FFmpegFrameRecorder(file.toFile(), 64, 36, 0);
             Java2DFrameConverter conv = new Java2DFrameConverter()) {
            rec.setFormat("mp4");
            rec.setVideoCodec(avcodec.AV_CODEC_ID_H264);
            rec.setPixelFormat(avutil.AV_PIX_FMT_YUV420P);
            rec.setFrameRate(24);
            rec.start();
            for (int i = 0; i < 12; i++) {
                BufferedImage img = new BufferedImage(64, 36, BufferedImage.TYPE_3BYTE_BGR);
                Graphics2D g = img.createGraphics();
                g.setColor(new Color(40, 80, 120));
                g.fillRect(0, 0, 64, 36);
                g.setColor(Color.WHITE);
                g.fillRect(4 + i * 3, 8, 12, 12);
                g.dispose();
                rec.record(conv.convert(img));
            }
            rec.stop();
            return Files.readAllBytes(file);
        } finally {
            Files.deleteIfExists(file);
        }
    }
}
