package io.framegate.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.framegate.server.jobs.WorkerSettings;
import io.framegate.server.media.MediaFinisher;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.Color;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import static com.github.tomakehurst.wiremock.client.WireMock.*;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A real server whose {@code framegate.yaml} routes Veo 3.1 to fal and Veo 3.1 Fast to Replicate (one WireMock serving
 * both providers' documented JSON and a real MP4), driven through the OpenAI Videos and the Veo (Gemini API) surfaces.
 */
class HostedRoutesServerTest {
    static final String FAL_MODEL = "fal-ai/veo3.1/first-last-frame-to-video";
    static final String FAL_REQ = "/fal-ai/veo3.1/requests/6a3f1e2c-7b1d-4e44-9d0a-3c1f0e5b7a11";
    static final String PREDICTION = "qz7hxm1m8drj00ctq4b8vbbrvr";
    static final String FAL_KEY = "fal-e2e-key:4b7c91";
    static final String REP_KEY = "r8_e2eReplicateToken77";
    static final ObjectMapper JSON = new ObjectMapper();

    static WireMockServer wm;
    static byte[] mp4;

    @TempDir
    Path dir;
    FramegateServer server;
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

    @BeforeEach
    void startServer() throws Exception {
        wm.resetAll();
        Path data = dir.resolve("data");
        Files.createDirectories(data);
        Files.writeString(data.resolve("framegate.yaml"), """
                providers:
                  fal: {type: fal, base_url: '%1$s', api_key_env: FG_FAL_KEY}
                  rep: {type: replicate, base_url: '%1$s/v1', api_key_env: FG_REP_KEY}
                routes:
                  veo-3.1-generate-001: [{channel: fal, model: %2$s}]
                  veo-3.1-fast-generate-001: [{channel: rep, model: google/veo-3.1}]
                  %2$s: [fal]
                  google/veo-3.1: [rep]
                timing: {poll_initial: 100ms, poll_max: 200ms, deadline: 2m, retry_attempts: 2, retry_base: 50ms,
                         retry_max: 100ms, request_timeout: 10s}
                """.formatted(wm.baseUrl(), FAL_MODEL));
        ServerOptions o = ServerOptions.defaults(data).withHost("127.0.0.1").withPort(0).withPollAfterMillis(100)
                .withAccessLog(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8))
                .withWorkers(new WorkerSettings(1, 2, Duration.ofSeconds(30), Duration.ofMillis(100), Duration.ofSeconds(5)));
        server = FramegateServer.builder(o).environment(Map.of("FG_FAL_KEY", FAL_KEY, "FG_REP_KEY", REP_KEY)::get)
                .localBackend(new TinyVideoBackend("local", true, 0)).finisher(new MediaFinisher()).build().start();
        key = server.keys().create("e2e").secret();
        base = "http://127.0.0.1:" + server.port();
        stubFal();
        stubReplicate();
    }

    @AfterEach
    void stop() {
        if (server != null) server.close();
    }

    static void stubFal() {
        String q = wm.baseUrl() + FAL_REQ;
        wm.stubFor(post(urlEqualTo("/" + FAL_MODEL)).withHeader("Authorization", equalTo("Key " + FAL_KEY))
                .willReturn(okJson("{\"status\": \"IN_QUEUE\", \"request_id\": \"" + FAL_REQ.substring(FAL_REQ.lastIndexOf('/') + 1)
                        + "\", \"response_url\": \"" + q + "\", \"status_url\": \"" + q + "/status\", \"cancel_url\": \"" + q + "/cancel\"}")));
        wm.stubFor(get(urlEqualTo(FAL_REQ + "/status")).willReturn(okJson("{\"status\": \"COMPLETED\", \"response_url\": \"" + q + "\"}")));
        wm.stubFor(get(urlEqualTo(FAL_REQ)).willReturn(okJson("{\"video\": {\"url\": \"" + wm.baseUrl()
                + "/cdn/fal-out.mp4\", \"content_type\": \"video/mp4\", \"file_name\": \"out.mp4\"}}")));
        wm.stubFor(get(urlEqualTo("/cdn/fal-out.mp4")).willReturn(aResponse().withHeader("Content-Type", "video/mp4").withBody(mp4)));
    }

    static String prediction(String status, String output) {
        return """
                {"id": "%s", "model": "google/veo-3.1", "status": "%s", "output": %s, "error": null, "data_removed": false,
                 "urls": {"get": "%s/v1/predictions/%1$s"}}""".formatted(PREDICTION, status, output, wm.baseUrl());
    }

    static void stubReplicate() {
        wm.stubFor(post(urlEqualTo("/v1/models/google/veo-3.1/predictions")).withHeader("Authorization", equalTo("Bearer " + REP_KEY))
                .willReturn(aResponse().withStatus(201).withHeader("Content-Type", "application/json").withBody(prediction("starting", "null"))));
        wm.stubFor(get(urlEqualTo("/v1/predictions/" + PREDICTION))
                .willReturn(okJson(prediction("succeeded", "\"" + wm.baseUrl() + "/delivery/rep-out.mp4\""))));
        wm.stubFor(get(urlEqualTo("/delivery/rep-out.mp4")).willReturn(aResponse().withHeader("Content-Type", "video/mp4").withBody(mp4)));
    }

    record Reply(int status, String body) {
        JsonNode json() throws Exception {
            return JSON.readTree(body);
        }
    }

    Reply send(String method, String path, String body, String authHeader, String authValue) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(path.startsWith("http") ? path : base + path))
                .timeout(Duration.ofSeconds(30)).header(authHeader, authValue);
        if (body != null) b.header("Content-Type", "application/json");
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        HttpResponse<String> r = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL).build()
                .send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.ISO_8859_1));
        return new Reply(r.statusCode(), r.body());
    }

    Reply openai(String method, String path, String body) throws Exception {
        return send(method, path, body, "Authorization", "Bearer " + key);
    }

    Reply google(String method, String path, String body) throws Exception {
        return send(method, path, body, "x-goog-api-key", key);
    }

    static String png(Color c) {
        return Base64.getEncoder().encodeToString(TestImages.png(1280, 720, c));
    }

    /** Creates through the OpenAI surface with a first and a last frame, waits, returns the finished video object. */
    JsonNode openAiJob(String model) throws Exception {
        Reply created = openai("POST", "/v1/videos", """
                {"model": "%s", "prompt": "the valley at dusk", "seconds": "8", "size": "1280x720",
                 "frame_images": [{"image_url": "data:image/png;base64,%s", "frame_type": "first_frame"},
                                  {"image_url": "data:image/png;base64,%s", "frame_type": "last_frame"}]}
                """.formatted(model, png(Color.ORANGE), png(Color.BLUE)));
        assertThat(created.status()).as(created.body()).isEqualTo(200);
        String id = created.json().path("id").asText();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode v = openai("GET", "/v1/videos/" + id, null).json();
            if (List.of("completed", "failed").contains(v.path("status").asText())) return v;
            Thread.sleep(100);
        }
        throw new AssertionError("video " + id + " did not finish");
    }

    /** Creates through the Gemini API surface with image + lastFrame, waits, returns the finished operation. */
    JsonNode veoJob(String model) throws Exception {
        Reply created = google("POST", "/v1beta/models/" + model + ":predictLongRunning", """
                {"instances": [{"prompt": "the valley at dusk",
                                "image": {"bytesBase64Encoded": "%s", "mimeType": "image/png"},
                                "lastFrame": {"bytesBase64Encoded": "%s", "mimeType": "image/png"}}],
                 "parameters": {"aspectRatio": "16:9", "durationSeconds": 8}}
                """.formatted(png(Color.GREEN), png(Color.RED)));
        assertThat(created.status()).as(created.body()).isEqualTo(200);
        String name = created.json().path("name").asText();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode op = google("GET", "/v1beta/" + name, null).json();
            if (op.path("done").asBoolean()) return op;
            Thread.sleep(100);
        }
        throw new AssertionError("operation " + name + " did not finish");
    }

    byte[] veoDownload(JsonNode op) throws Exception {
        String uri = op.at("/response/generateVideoResponse/generatedSamples/0/video/uri").asText();
        // the URI names this server's public host; the path and query are what a client fetches here
        URI u = URI.create(uri);
        Reply r = google("GET", u.getRawPath() + (u.getRawQuery() != null ? "?" + u.getRawQuery() : ""), null);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.body().getBytes(StandardCharsets.ISO_8859_1);
    }

    @Test
    void openAiSurfaceToFal() throws Exception {
        JsonNode v = openAiJob("veo-3.1-generate-001");
        assertThat(v.path("status").asText()).as(v.toString()).isEqualTo("completed");
        assertThat(v.at("/framegate/notes/provider").asText()).isEqualTo("fal");
        assertThat(v.at("/framegate/notes/upstream_model").asText()).isEqualTo(FAL_MODEL);
        Reply content = openai("GET", "/v1/videos/" + v.path("id").asText() + "/content", null);
        assertThat(content.body().getBytes(StandardCharsets.ISO_8859_1)).isEqualTo(mp4);
        LoggedRequest submit = wm.findAll(postRequestedFor(urlEqualTo("/" + FAL_MODEL))).get(0);
        JsonNode sent = JSON.readTree(submit.getBodyAsString());
        assertThat(sent.path("first_frame_url").asText()).startsWith("data:image/");
        assertThat(sent.path("last_frame_url").asText()).startsWith("data:image/");
        assertThat(sent.path("duration").asText()).isEqualTo("8s");
    }

    @Test
    void veoSurfaceToFal() throws Exception {
        JsonNode op = veoJob("veo-3.1-generate-001");
        assertThat(op.has("error")).as(op.toString()).isFalse();
        assertThat(veoDownload(op)).isEqualTo(mp4);
        wm.verify(1, postRequestedFor(urlEqualTo("/" + FAL_MODEL)).withRequestBody(matchingJsonPath("$.first_frame_url"))
                .withRequestBody(matchingJsonPath("$.last_frame_url")));
    }

    @Test
    void openAiSurfaceToReplicateByItsOwnModelId() throws Exception {
        JsonNode v = openAiJob("google/veo-3.1");
        assertThat(v.path("status").asText()).as(v.toString()).isEqualTo("completed");
        assertThat(v.at("/framegate/notes/provider").asText()).isEqualTo("replicate");
        assertThat(v.at("/framegate/notes/upstream_id").asText()).isEqualTo(PREDICTION);
        Reply content = openai("GET", "/v1/videos/" + v.path("id").asText() + "/content", null);
        assertThat(content.body().getBytes(StandardCharsets.ISO_8859_1)).isEqualTo(mp4);
        wm.verify(1, postRequestedFor(urlEqualTo("/v1/models/google/veo-3.1/predictions"))
                .withRequestBody(matchingJsonPath("$.input.image")).withRequestBody(matchingJsonPath("$.input.last_frame")));
    }

    @Test
    void veoSurfaceToReplicate() throws Exception {
        JsonNode op = veoJob("veo-3.1-fast-generate-001");
        assertThat(op.has("error")).as(op.toString()).isFalse();
        assertThat(veoDownload(op)).isEqualTo(mp4);
        wm.verify(1, postRequestedFor(urlEqualTo("/v1/models/google/veo-3.1/predictions"))
                .withHeader("Cancel-After", equalTo("2m")));
    }

    @Test
    void modelListShowsTheHostedModelsWithTheirRoutes() throws Exception {
        JsonNode models = openai("GET", "/v1/videos/models", null).json().path("data");
        JsonNode fal = find(models, FAL_MODEL);
        assertThat(fal.path("provider").asText()).isEqualTo("fal");
        assertThat(fal.at("/framegate/backend").asText()).isEqualTo("route:" + FAL_MODEL);
        assertThat(fal.at("/framegate/channels/0/channel").asText()).isEqualTo("fal");
        assertThat(fal.at("/framegate/channels/0/provider").asText()).isEqualTo("fal");
        assertThat(fal.at("/image_roles/last_frame/max").asInt()).isEqualTo(1);
        JsonNode rep = find(models, "google/veo-3.1");
        assertThat(rep.at("/framegate/channels/0/provider").asText()).isEqualTo("replicate");
        assertThat(find(models, "fal-ai/kling-video/v2.1/pro/image-to-video").at("/price_per_second_usd/default").asDouble())
                .isEqualTo(0.098);
        assertThat(find(models, "kwaivgi/kling-v2.1").path("aliases").toString()).contains("replicate-kling-2.1");
        JsonNode veo = find(models, "veo-3.1-generate-001");
        assertThat(veo.at("/framegate/channels/0/upstream_model").asText()).isEqualTo(FAL_MODEL);
        assertThat(find(models, "veo-3.1-fast-generate-001").at("/framegate/channels/0/upstream_model").asText())
                .isEqualTo("google/veo-3.1");
    }

    private static JsonNode find(JsonNode models, String id) {
        for (JsonNode m : models) if (m.path("id").asText().equals(id)) return m;
        throw new AssertionError("no model " + id);
    }
}
