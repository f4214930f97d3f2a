package io.framegate.server.veo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.framegate.engine.VideoFiles;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Base64;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/** Raw HTTP against a running server, the way curl scripts and the docs' REST samples call Veo. */
class VeoHttpTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String START = Base64.getEncoder().encodeToString(TestImages.png(160, 90, 0));
    private static final String END = Base64.getEncoder().encodeToString(TestImages.jpeg(160, 90, 60));
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static VeoTestServer srv;

    @BeforeAll
    static void start() throws Exception {
        srv = new VeoTestServer();
    }

    @AfterAll
    static void stop() {
        if (srv != null) srv.close();
    }

    private record Reply(int status, JsonNode json, HttpResponse<byte[]> raw) { }

    private static Reply send(String method, String path, String body, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(srv.baseUrl() + path)).timeout(Duration.ofSeconds(30));
        if (headers.length > 0) b.headers(headers);
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        HttpResponse<byte[]> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        String type = r.headers().firstValue("Content-Type").orElse("");
        JsonNode json = type.startsWith("application/json") ? JSON.readTree(r.body()) : null;
        return new Reply(r.statusCode(), json, r);
    }

    /** A Gemini-docs-style request: inlineData images, durationSeconds as a string, lowercase enums. */
    private static String curlBody(String seconds) {
        return """
                { "instances": [ { "prompt": "the orange block slides",
                    "image":     { "inlineData": { "mimeType": "image/png",  "data": "%s" } },
                    "lastFrame": { "inlineData": { "mimeType": "image/jpeg", "data": "%s" } } } ],
                  "parameters": { "aspectRatio": "16:9", "resolution": "144p", "durationSeconds": "%s",
                                  "personGeneration": "allow_adult", "negativePrompt": "text" } }
                """.formatted(START, END, seconds);
    }

    private static JsonNode awaitGemini(String version, String name, String key) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            Reply r = send("GET", "/" + version + "/" + name + "?key=" + key, null);
            assertThat(r.status()).as("poll %s: %s", name, r.json()).isEqualTo(200);
            if (r.json().path("done").asBoolean()) return r.json();
            if (System.nanoTime() > deadline) fail("operation " + name + " not done in 60 s: " + r.json());
            Thread.sleep(100);
        }
    }

    private static void assertGoogleError(Reply r, int code, String status, String... messageParts) {
        assertThat(r.status()).as("%s", r.json()).isEqualTo(code);
        assertThat(r.json().at("/error/code").asInt()).isEqualTo(code);
        assertThat(r.json().at("/error/status").asText()).isEqualTo(status);
        assertThat(r.json().at("/error/message").asText()).isNotBlank();
        for (String part : messageParts) assertThat(r.json().at("/error/message").asText()).contains(part);
    }

    /** Veo's resizeMode is the request's typed fit: an unknown mode is a 400 in Google's shape before any work. */
    @Test
    void anUnknownResizeModeIsRefusedNamingTheFieldTheValueAndTheModes() throws Exception {
        Reply r = send("POST", "/v1beta/models/framegate-local:predictLongRunning?key=" + srv.keyA, """
                {"instances": [{"prompt": "p", "image": {"bytesBase64Encoded": "%s", "mimeType": "image/png"}}],
                 "parameters": {"resolution": "144p", "durationSeconds": 1, "resizeMode": "zoom"}}
                """.formatted(START), "Content-Type", "application/json");
        assertGoogleError(r, 400, "INVALID_ARGUMENT", "parameters.resizeMode=zoom is not allowed; allowed: pad, crop");
    }

    @Test
    void curlShapeWithQueryKeyThenRangedDownload() throws Exception {
        Reply created = send("POST", "/v1beta/models/framegate-local:predictLongRunning?key=" + srv.keyA,
                curlBody("1"), "Content-Type", "application/json");
        assertThat(created.status()).as("%s", created.json()).isEqualTo(200);
        String name = created.json().get("name").asText();
        assertThat(name).matches("models/framegate-local/operations/[a-z0-9]+");

        JsonNode op = awaitGemini("v1beta", name, srv.keyA);
        assertThat(op.has("error")).isFalse();
        String uri = op.at("/response/generateVideoResponse/generatedSamples/0/video/uri").asText();
        assertThat(uri).matches("https://127\\.0\\.0\\.1:\\d+/v1beta/files/[a-z0-9]+:download\\?alt=media");
        String url = op.at("/metadata/framegate/download_urls/0").asText();
        assertThat(url).startsWith(srv.baseUrl() + "/v1beta/files/");

        Reply whole = send("GET", url.substring(srv.baseUrl().length()), null, "x-goog-api-key", srv.keyA);
        assertThat(whole.status()).isEqualTo(200);
        assertThat(whole.raw().headers().firstValue("Content-Type")).contains("video/mp4");
        VideoFiles.Info info = VeoTestServer.probe(whole.raw().body());
        assertThat(info.width()).isEqualTo(256);
        assertThat(info.height()).isEqualTo(144);
        assertThat(info.frames()).isEqualTo(24);

        Reply part = send("GET", url.substring(srv.baseUrl().length()) + "&key=" + srv.keyA, null, "Range", "bytes=0-99");
        assertThat(part.status()).isEqualTo(206);
        assertThat(part.raw().body()).hasSize(100);
        assertThat(part.raw().headers().firstValue("Content-Range"))
                .contains("bytes 0-99/" + whole.raw().body().length);

        // a range past the end: 416 with Content-Range and Google's error shape naming the header, its value and the size
        int size = whole.raw().body().length;
        Reply beyond = send("GET", url.substring(srv.baseUrl().length()) + "&key=" + srv.keyA, null,
                "Range", "bytes=999999999-");
        assertThat(beyond.raw().headers().firstValue("Content-Range")).contains("bytes */" + size);
        assertThat(beyond.raw().headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
        assertGoogleError(beyond, 416, "OUT_OF_RANGE", "Range", "bytes=999999999-", size + " bytes");
        assertThat(beyond.json().at("/error/details/0/fieldViolations/0/field").asText()).isEqualTo("Range");
    }

    @Test
    void geminiUnderV1AndIdempotencyKeyRepeats() throws Exception {
        String path = "/v1/models/framegate-local:predictLongRunning";
        Reply first = send("POST", path, curlBody("1"), "x-goog-api-key", srv.keyA, "Idempotency-Key", "veo-once");
        Reply again = send("POST", path, curlBody("1"), "x-goog-api-key", srv.keyA, "Idempotency-Key", "veo-once");
        assertThat(first.status()).isEqualTo(200);
        assertThat(again.json().get("name").asText()).isEqualTo(first.json().get("name").asText());
        JsonNode op = awaitGemini("v1", first.json().get("name").asText(), srv.keyA);
        assertThat(op.at("/response/generateVideoResponse/generatedSamples/0/video/uri").asText()).contains("/v1/files/");

        Reply other = send("POST", path, curlBody("2"), "x-goog-api-key", srv.keyA, "Idempotency-Key", "veo-once");
        assertGoogleError(other, 409, "ALREADY_EXISTS", "veo-once");
    }

    @Test
    void vertexFetchPredictOperationWithBearer() throws Exception {
        String model = "/v1/projects/p1/locations/europe-west4/publishers/google/models/framegate-local";
        Reply created = send("POST", model + ":predictLongRunning", """
                {"instances": [{"prompt": "p", "image": {"bytesBase64Encoded": "%s", "mimeType": "image/png"}}],
                 "parameters": {"resolution": "144P", "durationSeconds": 1, "sampleCount": 2, "resizeMode": "CROP"}}
                """.formatted(START), "Authorization", "Bearer " + srv.keyA);
        assertThat(created.status()).as("%s", created.json()).isEqualTo(200);
        String name = created.json().get("name").asText();
        assertThat(name).startsWith("projects/p1/locations/europe-west4/publishers/google/models/framegate-local/operations/");

        String fetch = "{\"operationName\": \"" + name + "\"}";
        JsonNode op;
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        do {
            Thread.sleep(100);
            Reply r = send("POST", model + ":fetchPredictOperation", fetch, "Authorization", "Bearer " + srv.keyA);
            assertThat(r.status()).as("%s", r.json()).isEqualTo(200);
            op = r.json();
            if (System.nanoTime() > deadline) fail("not done: " + op);
        } while (!op.get("done").asBoolean());
        assertThat(op.at("/response/@type").asText()).isEqualTo(VeoOperations.VERTEX_RESPONSE_TYPE);
        assertThat(op.at("/response/videos").size()).isEqualTo(2);
        for (JsonNode v : op.at("/response/videos")) {
            VideoFiles.Info info = VeoTestServer.probe(Base64.getDecoder().decode(v.get("bytesBase64Encoded").asText()));
            assertThat(info.width()).isEqualTo(256);
            assertThat(info.frames()).isEqualTo(24);
        }
        Reply get = send("GET", "/v1beta1/" + name, null, "Authorization", "Bearer " + srv.keyA);
        assertThat(get.json().get("done").asBoolean()).isTrue();

        // another key: the operation does not exist for it, by any route
        assertGoogleError(send("POST", model + ":fetchPredictOperation", fetch, "Authorization", "Bearer " + srv.keyB),
                404, "NOT_FOUND");
        assertGoogleError(send("GET", "/v1/" + name, null, "x-goog-api-key", srv.keyB), 404, "NOT_FOUND");
        // the same id under another model is not the same operation
        assertGoogleError(send("GET", "/v1/" + name.replace("framegate-local", "veo-3.1-generate-001"), null,
                "Authorization", "Bearer " + srv.keyA), 404, "NOT_FOUND");
    }

    @Test
    void missingOrWrongKeyIs401InGoogleShape() throws Exception {
        assertGoogleError(send("POST", "/v1beta/models/framegate-local:predictLongRunning", curlBody("1")),
                401, "UNAUTHENTICATED", "Missing API key");
        assertGoogleError(send("POST", "/v1beta1/publishers/google/models/framegate-local:predictLongRunning",
                curlBody("1"), "Authorization", "Bearer nope"), 401, "UNAUTHENTICATED", "API key not valid");
        assertGoogleError(send("GET", "/v1beta/files/abcx0:download?alt=media", null), 401, "UNAUTHENTICATED");
    }

    @Test
    void malformedJsonAndUnknownFieldsAreClean400s() throws Exception {
        Reply broken = send("POST", "/v1beta/models/framegate-local:predictLongRunning", "{\"instances\": [",
                "x-goog-api-key", srv.keyA);
        assertGoogleError(broken, 400, "INVALID_ARGUMENT", "Invalid JSON payload received at line 1",
                "expected close marker for Array (opened at line 1, column 15)");
        Reply deep = send("POST", "/v1beta/models/framegate-local:predictLongRunning", "[".repeat(1200) + "]".repeat(1200),
                "x-goog-api-key", srv.keyA);
        assertGoogleError(deep, 400, "INVALID_ARGUMENT", "nest more than 1000 levels deep");
        assertThat(deep.json().toString()).doesNotContain("StreamReadConstraints").doesNotContain("`");
        assertThat(broken.json().at("/error/message").asText()).doesNotContain("Source:");

        Reply empty = send("POST", "/v1beta/models/framegate-local:predictLongRunning", "", "x-goog-api-key", srv.keyA);
        assertGoogleError(empty, 400, "INVALID_ARGUMENT", "request body is empty");

        Reply unknown = send("POST", "/v1beta/models/framegate-local:predictLongRunning", """
                {"instances": [{"prompt": "p", "image": {"bytesBase64Encoded": "%s"}}],
                 "parameters": {"durationSecs": 4, "resolution": "144p"}}
                """.formatted(START), "x-goog-api-key", srv.keyA);
        assertGoogleError(unknown, 400, "INVALID_ARGUMENT", "unknown field parameters.durationSecs");
        assertThat(unknown.json().at("/error/details/0/fieldViolations/0/field").asText())
                .isEqualTo("parameters.durationSecs");

        Reply notImage = send("POST", "/v1beta/models/framegate-local:predictLongRunning", """
                {"instances": [{"image": {"bytesBase64Encoded": "%s", "mimeType": "image/png"}}]}
                """.formatted(Base64.getEncoder().encodeToString("%PDF-1.7 not an image".getBytes())),
                "x-goog-api-key", srv.keyA);
        assertGoogleError(notImage, 400, "INVALID_ARGUMENT",
                "instances[0].image.bytesBase64Encoded is not a PNG, JPEG or WebP image");
    }

    @Test
    void domainRulesComeBackWithVeoFieldNames() throws Exception {
        Reply r = send("POST", "/v1beta/models/veo-3.1-generate-001:predictLongRunning", """
                {"instances": [{"prompt": "p", "lastFrame": {"bytesBase64Encoded": "%s"}}],
                 "parameters": {"durationSeconds": "7", "aspectRatio": "4:3"}}
                """.formatted(END), "x-goog-api-key", srv.keyA);
        assertGoogleError(r, 400, "INVALID_ARGUMENT", "durationSeconds=7 is not allowed", "aspectRatio=4:3 is not allowed");
        assertThat(r.json().at("/error/details/0/fieldViolations").findValuesAsText("field"))
                .contains("parameters.durationSeconds", "parameters.aspectRatio", "instances[0].image");
    }

    @Test
    void aFailedJobIsADoneOperationWithAnError() throws Exception {
        srv.backend.failWith("upstream_failed");
        String name;
        try {
            Reply created = send("POST", "/v1beta/models/framegate-local:predictLongRunning", curlBody("1"),
                    "x-goog-api-key", srv.keyA);
            name = created.json().get("name").asText();
            JsonNode op = awaitGemini("v1beta", name, srv.keyA);
            assertThat(op.has("response")).isFalse();
            assertThat(op.at("/error/code").asInt()).isEqualTo(13);
            assertThat(op.at("/error/status").asText()).isEqualTo("INTERNAL");
            assertThat(op.at("/error/message").asText()).contains("told to fail");
        } finally {
            srv.backend.failWith(null);
        }
    }

    /**
     * Over the server's body limit is what Google's API answers, a 400 {@code INVALID_ARGUMENT} "Request payload size
     * exceeds the limit: N bytes.", on every Veo route that reads a body: its message names the limit in bytes (as the
     * OpenAI surface's 413 does), so a client knows how far to shrink it, and it is not a {@code RESOURCE_EXHAUSTED},
     * which clients retrying on quota errors would send again unchanged.
     */
    @Test
    void anOversizedBodyIsA400InvalidArgumentInGoogleShapeNamingTheLimit() throws Exception {
        String huge = "{\"instances\": [{\"prompt\": \"" + "a".repeat((int) VeoTestServer.MAX_BODY_BYTES + 1024) + "\"}]}";
        String vertexModel = "/v1/projects/p/locations/us-central1/publishers/google/models/framegate-local";
        for (String path : new String[] {"/v1beta/models/framegate-local:predictLongRunning",
                vertexModel + ":predictLongRunning", vertexModel + ":fetchPredictOperation"}) {
            Reply r = send("POST", path, huge, "x-goog-api-key", srv.keyA, "Content-Type", "application/json");
            assertGoogleError(r, 400, "INVALID_ARGUMENT", "Request payload size exceeds the limit: "
                    + VeoTestServer.MAX_BODY_BYTES + " bytes.");
        }
    }

    @Test
    void whatFramegateDoesNotDoIsRecordedAsAWarning() throws Exception {
        String model = "/v1/publishers/google/models/framegate-local";
        Reply created = send("POST", model + ":predictLongRunning", """
                {"instances": [{"image": {"bytesBase64Encoded": "%s"}}],
                 "parameters": {"resolution": "144p", "durationSeconds": 1, "storageUri": "gs://b/out",
                                "pubsubTopic": "projects/p/topics/veo"},
                 "labels": {"team": "film"},
                 "webhookConfig": {"uris": ["https://example.test/hook"], "user_metadata": {"order": 17}}}
                """.formatted(START), "x-goog-api-key", srv.keyA);
        assertThat(created.status()).as("%s", created.json()).isEqualTo(200);
        String fetch = "{\"operationName\": \"" + created.json().get("name").asText() + "\"}";
        JsonNode op;
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        do {
            Thread.sleep(100);
            op = send("POST", model + ":fetchPredictOperation", fetch, "x-goog-api-key", srv.keyA).json();
            if (System.nanoTime() > deadline) fail("not done: " + op);
        } while (!op.get("done").asBoolean());
        assertThat(op.at("/response/videos/0/gcsUri").asText()).matches("gs://b/out/[a-z0-9]+/sample_0\\.mp4");
        assertThat(op.at("/metadata/framegate/warnings").toString())
                .contains("pubsubTopic was recorded but Framegate publishes no Pub/Sub messages")
                .contains("Framegate writes nothing to Cloud Storage")
                // README, docs/events.md: webhookConfig is recorded, not used (Google signs those deliveries itself)
                .contains("webhookConfig was recorded but not used (Google signs those deliveries with its own keys)");
    }

    @Test
    void unknownPathsAre404InGoogleShape() throws Exception {
        assertGoogleError(send("POST", "/v1beta/models/framegate-local:generateContent", "{}", "x-goog-api-key", srv.keyA),
                404, "NOT_FOUND");
        assertGoogleError(send("GET", "/v1beta/files/NOT-AN-ID:download?alt=media", null, "x-goog-api-key", srv.keyA),
                404, "NOT_FOUND");
        assertGoogleError(send("GET", "/v1beta/files/abcx0:download?alt=media", null, "x-goog-api-key", srv.keyA),
                404, "NOT_FOUND");
    }

    @Test
    void aForeignGcsUriCannotBeFetched() throws Exception {
        Reply r = send("POST", "/v1/publishers/google/models/framegate-local:predictLongRunning", """
                {"instances": [{"image": {"gcsUri": "gs://someone/else.png", "mimeType": "image/png"}}]}
                """, "x-goog-api-key", srv.keyA);
        assertGoogleError(r, 400, "INVALID_ARGUMENT", "instances[0].image.gcsUri=gs://someone/else.png cannot be fetched");
    }
}
