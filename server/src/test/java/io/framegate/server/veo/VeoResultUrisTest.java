package io.framegate.server.veo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.framegate.server.RecordingBackend;
import io.framegate.server.jobs.ContentVariant;
import io.framegate.server.jobs.ListOrder;
import io.framegate.engine.VideoFiles;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Images and videos a Veo request names by URI ({@code gcsUri}, Gemini {@code uri}), through a running server over
 * HTTP: a result's thumbnail, a frame of a result and a stored input image reach the backend as the bytes they name;
 * another key naming them gets the same NOT_FOUND as a name of no job.
 */
class VeoResultUrisTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final byte[] START = TestImages.png(160, 90, 0);
    private static final byte[] END = TestImages.png(160, 90, 150);
    private static final String VERTEX = "/v1/projects/p/locations/l/publishers/google/models/framegate-local";
    private static VeoTestServer srv;
    /** keyA's finished source job: its id and the folder of its gcsUri ({@code gs://b/out/<operation id>/}). */
    private static String sourceJob;
    private static String folder;
    private static String geminiVideoUri;

    @BeforeAll
    static void start() throws Exception {
        srv = new VeoTestServer();
        JsonNode done = vertex(srv.keyA, """
                {"instances": [{"prompt": "source",
                   "image": {"bytesBase64Encoded": "%s", "mimeType": "image/png"},
                   "lastFrame": {"bytesBase64Encoded": "%s", "mimeType": "image/png"}}],
                 "parameters": {"aspectRatio": "16:9", "resolution": "144p", "durationSeconds": 1,
                                "storageUri": "gs://b/out"}}
                """.formatted(b64(START), b64(END)));
        String gcsUri = done.at("/response/videos/0/gcsUri").asText();
        assertThat(gcsUri).matches("gs://b/out/[a-z0-9]+/sample_0\\.mp4");
        folder = gcsUri.substring(0, gcsUri.length() - "sample_0.mp4".length());
        sourceJob = done.at("/metadata/framegate/job_id").asText();
        geminiVideoUri = done.at("/metadata/framegate/download_urls/0").asText();
    }

    @AfterAll
    static void stop() {
        if (srv != null) srv.close();
    }

    private static String b64(byte[] b) {
        return Base64.getEncoder().encodeToString(b);
    }

    private record Reply(int status, JsonNode json) { }

    private static Reply post(String path, String body, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(srv.baseUrl() + path)).timeout(Duration.ofSeconds(30))
                .headers(headers).POST(HttpRequest.BodyPublishers.ofString(body));
        HttpResponse<byte[]> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        return new Reply(r.statusCode(), JSON.readTree(r.body()));
    }

    private static Reply createVertex(String key, String body) throws Exception {
        return post(VERTEX + ":predictLongRunning", body, "Authorization", "Bearer " + key);
    }

    /** Creates on the Vertex surface and polls with {@code fetchPredictOperation} until done. */
    private static JsonNode vertex(String key, String body) throws Exception {
        Reply created = createVertex(key, body);
        assertThat(created.status()).as("%s", created.json()).isEqualTo(200);
        String fetch = "{\"operationName\": \"" + created.json().path("name").asText() + "\"}";
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (true) {
            Reply r = post(VERTEX + ":fetchPredictOperation", fetch, "Authorization", "Bearer " + key);
            assertThat(r.status()).as("%s", r.json()).isEqualTo(200);
            if (r.json().path("done").asBoolean()) return r.json();
            if (System.nanoTime() > deadline) fail("not done in 90 s: " + r.json());
            Thread.sleep(100);
        }
    }

    private static String imagesBody(String image, String lastFrame) {
        return """
                {"instances": [{"prompt": "from a result", "image": %s, "lastFrame": %s}],
                 "parameters": {"aspectRatio": "16:9", "resolution": "144p", "durationSeconds": 1}}
                """.formatted(image, lastFrame);
    }

    private static String gcs(String uri) {
        return "{\"gcsUri\": \"" + uri + "\", \"mimeType\": \"image/png\"}";
    }

    private static RecordingBackend.Received received(JsonNode done) throws InterruptedException {
        assertThat(done.path("error").isMissingNode()).as("%s", done).isTrue();
        return srv.received.received(done.at("/metadata/framegate/job_id").asText());
    }

    private static String keyId(String secret) {
        return srv.server.keys().find(secret).orElseThrow().id();
    }

    private static byte[] sourceVideo() throws Exception {
        return srv.server.jobs().openContent(keyId(srv.keyA), sourceJob, ContentVariant.VIDEO, 0).orElseThrow()
                .object().readAllBytes();
    }

    @Test
    void aThumbnailAndAStoredInputOfAResultArriveAsTheirBytes() throws Exception {
        JsonNode done = vertex(srv.keyA, imagesBody(gcs(folder + "sample_0_thumbnail.webp"), gcs(folder + "input_1.png")));
        RecordingBackend.Received got = received(done);
        byte[] thumbnail = srv.server.jobs().openContent(keyId(srv.keyA), sourceJob, ContentVariant.THUMBNAIL, 0)
                .orElseThrow().object().readAllBytes();
        assertThat(new String(thumbnail, 8, 4)).isEqualTo("WEBP");
        assertThat(got.roles()).containsExactly("first_frame", "last_frame");
        assertThat(got.imageOf("first_frame")).as("the thumbnail").isEqualTo(RecordingBackend.sha256(thumbnail));
        assertThat(got.imageOf("last_frame")).as("input 1 of the source: its lastFrame")
                .isEqualTo(RecordingBackend.sha256(END));
    }

    @Test
    void framesOfAResultAreTakenFromItsVideoInTheWorker() throws Exception {
        JsonNode done = vertex(srv.keyA, imagesBody(gcs(folder + "sample_0_frame_0.png"),
                gcs(folder + "sample_0_frame_last.png")));
        RecordingBackend.Received got = received(done);
        Path video = Files.createTempFile("veo-source-", ".mp4");
        try {
            Files.write(video, sourceVideo());
            byte[] first = VideoFiles.framePng(video, 0).png();
            VideoFiles.TakenFrame last = VideoFiles.framePng(video, -1);
            assertThat(got.imageOf("first_frame")).as("frame 0").isEqualTo(RecordingBackend.sha256(first));
            assertThat(got.imageOf("last_frame")).as("the last frame").isEqualTo(RecordingBackend.sha256(last.png()))
                    .isNotEqualTo(RecordingBackend.sha256(first));
            // the Gemini surface takes the same names
            String op = post("/v1beta/models/framegate-local:predictLongRunning",
                    imagesBody(gcs(folder + "sample_0_frame_3.png"), gcs(folder + "input_0")), "x-goog-api-key", srv.keyA)
                    .json().path("name").asText();
            assertThat(op).startsWith("models/framegate-local/operations/");
            String jobId = VeoIds.jobIdOfOperation(op.substring(op.lastIndexOf('/') + 1)).orElseThrow();
            RecordingBackend.Received gemini = srv.received.received(jobId);
            assertThat(gemini.imageOf("first_frame")).isEqualTo(RecordingBackend.sha256(VideoFiles.framePng(video, 3).png()));
            assertThat(gemini.imageOf("last_frame")).isEqualTo(RecordingBackend.sha256(START));

            // a frame past the end: the job fails naming the frame and the count, before any generation
            JsonNode past = vertex(srv.keyA, imagesBody(gcs(folder + "sample_0_frame_9999.png"), gcs(folder + "input_1")));
            assertThat(past.at("/error/status").asText()).isEqualTo("INVALID_ARGUMENT");
            assertThat(past.at("/error/message").asText()).contains("frame 9999").contains(last.count() + " frames");
        } finally {
            Files.deleteIfExists(video);
        }
    }

    @Test
    void anotherKeyNamingAResultGetsTheNotFoundOfNoJob() throws Exception {
        String nobody = folder.replaceAll("[a-z0-9]+/$", "0123456789abcdef0123456789abcdef/");
        for (String suffix : new String[] {"sample_0_thumbnail.webp", "sample_0_frame_0.png", "input_0.png"}) {
            Reply other = createVertex(srv.keyB, imagesBody(gcs(folder + suffix), gcs(folder + suffix)));
            Reply none = createVertex(srv.keyB, imagesBody(gcs(nobody + suffix), gcs(nobody + suffix)));
            for (Reply r : new Reply[] {other, none}) {
                assertThat(r.status()).as("%s: %s", suffix, r.json()).isEqualTo(404);
                assertThat(r.json().at("/error/status").asText()).isEqualTo("NOT_FOUND");
                assertThat(r.json().at("/error/details/0/fieldViolations/0/field").asText()).isEqualTo("instances[0].image.gcsUri");
            }
            assertThat(other.json().at("/error/message").asText().replace(folder, nobody))
                    .as("nothing tells another key's result from no result")
                    .isEqualTo(none.json().at("/error/message").asText());
        }
        // extending another key's video, by Vertex gcsUri or Gemini uri
        Reply vertexExt = createVertex(srv.keyB, """
                {"instances": [{"prompt": "more", "video": {"gcsUri": "%ssample_0.mp4", "mimeType": "video/mp4"}}],
                 "parameters": {"aspectRatio": "16:9", "resolution": "144p", "durationSeconds": 1}}
                """.formatted(folder));
        Reply geminiExt = post("/v1beta/models/framegate-local:predictLongRunning", """
                {"instances": [{"prompt": "more", "video": {"uri": "%s"}}],
                 "parameters": {"aspectRatio": "16:9", "resolution": "144p", "durationSeconds": 1}}
                """.formatted(geminiVideoUri), "x-goog-api-key", srv.keyB);
        for (Reply r : new Reply[] {vertexExt, geminiExt}) {
            assertThat(r.status()).as("%s", r.json()).isEqualTo(404);
            assertThat(r.json().at("/error/status").asText()).isEqualTo("NOT_FOUND");
        }
        assertThat(vertexExt.json().at("/error/details/0/fieldViolations/0/field").asText()).isEqualTo("instances[0].video.gcsUri");
        assertThat(geminiExt.json().at("/error/details/0/fieldViolations/0/field").asText()).isEqualTo("instances[0].video.uri");
        assertThat(srv.server.jobs().list(keyId(srv.keyB), null, 10, ListOrder.DESC).data()).as("nothing stored").isEmpty();
        // the owner may extend it
        Reply own = createVertex(srv.keyA, """
                {"instances": [{"prompt": "more", "video": {"gcsUri": "%ssample_0.mp4", "mimeType": "video/mp4"}}],
                 "parameters": {"aspectRatio": "16:9", "resolution": "144p", "durationSeconds": 1}}
                """.formatted(folder));
        assertThat(own.status()).as("%s", own.json()).isEqualTo(200);
    }

    @Test
    void namesThatAreNoFramegateImageAreA400ListingTheNamesThatWork() throws Exception {
        for (String uri : new String[] {"gs://someone/else.png", folder + "sample_0.mp4", folder + "sample_0_poster.png"}) {
            Reply r = createVertex(srv.keyA, imagesBody(gcs(uri), gcs(folder + "input_0.png")));
            assertThat(r.status()).as("%s: %s", uri, r.json()).isEqualTo(400);
            assertThat(r.json().at("/error/status").asText()).isEqualTo("INVALID_ARGUMENT");
            assertThat(r.json().at("/error/message").asText()).contains("instances[0].image.gcsUri=" + uri)
                    .contains("sample_<i>_thumbnail.webp").contains("sample_<i>_frame_<n or last>.png")
                    .contains("input_<k>.png");
        }
    }
}
