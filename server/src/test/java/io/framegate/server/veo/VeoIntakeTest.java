package io.framegate.server.veo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.Comparator;

import static org.assertj.core.api.Assertions.assertThat;

/** Issue 8, items 6 and 8 on the Gemini and Vertex surfaces, through a real server over HTTP. */
class VeoIntakeTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final String CREATE = "/v1beta/models/framegate-local:predictLongRunning";
    private VeoTestServer srv;

    @BeforeEach
    void start() throws Exception {
        srv = new VeoTestServer();
    }

    @AfterEach
    void stop() {
        srv.close();
    }

    private HttpResponse<byte[]> post(String path, String body, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(srv.baseUrl() + path)).timeout(Duration.ofSeconds(30))
                .header("x-goog-api-key", srv.keyA).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        for (int i = 0; i < headers.length; i += 2) b.header(headers[i], headers[i + 1]);
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static JsonNode error(HttpResponse<byte[]> r) throws Exception {
        return JSON.readTree(r.body()).path("error");
    }

    private static String withImage(byte[] image) {
        return "{\"instances\":[{\"prompt\":\"p\",\"image\":{\"bytesBase64Encoded\":\""
                + Base64.getEncoder().encodeToString(image) + "\",\"mimeType\":\"image/png\"}}],"
                + "\"parameters\":{\"durationSeconds\":1,\"resolution\":\"144p\"}}";
    }

    @Test
    void aPngHeaderBombIsA400NamingTheFieldItsSizeAndTheCap() throws Exception {
        byte[] bomb = io.framegate.server.TestImages.pngBomb(20_000, 20_000);
        post(CREATE, withImage(bomb)); // the server's first request warms it up
        long start = System.nanoTime();
        HttpResponse<byte[]> r = post(CREATE, withImage(bomb));
        long ms = (System.nanoTime() - start) / 1_000_000;
        assertThat(r.statusCode()).as(new String(r.body())).isEqualTo(400);
        assertThat(error(r).path("status").asText()).isEqualTo("INVALID_ARGUMENT");
        assertThat(error(r).at("/details/0/fieldViolations/0/field").asText()).isEqualTo("instances[0].image.bytesBase64Encoded");
        assertThat(error(r).path("message").asText()).contains("20000x20000").contains("16384");
        assertThat(ms).as("answered in %d ms", ms).isLessThan(1000);
    }

    /**
     * docs/limits.md, request intake: on the Veo surfaces an image may hold at most 20 MB (20,971,520 bytes), also
     * under a larger body limit (the default 50 MB here): one byte more is a 400 {@code INVALID_ARGUMENT} naming the
     * field and the cap; an image of exactly 20 MB is accepted.
     */
    @Test
    void anImageOverTwentyMegabytesIsA400AndOneOfExactlyTwentyIsAccepted() throws Exception {
        int cap = 20 * 1024 * 1024;
        byte[] png = io.framegate.server.TestImages.png(320, 240, java.awt.Color.ORANGE);
        try (VeoTestServer big = new VeoTestServer(io.framegate.server.ServerOptions.DEFAULT_MAX_UPLOAD_BYTES)) {
            HttpResponse<byte[]> r = HTTP.send(HttpRequest.newBuilder(URI.create(big.baseUrl() + CREATE))
                    .timeout(Duration.ofSeconds(60)).header("x-goog-api-key", big.keyA).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(withImage(io.framegate.server.TestImages.padded(png, cap + 1))))
                    .build(), HttpResponse.BodyHandlers.ofByteArray());
            assertThat(r.statusCode()).as(new String(r.body())).isEqualTo(400);
            assertThat(error(r).path("status").asText()).isEqualTo("INVALID_ARGUMENT");
            assertThat(error(r).at("/details/0/fieldViolations/0/field").asText())
                    .isEqualTo("instances[0].image.bytesBase64Encoded");
            assertThat(error(r).path("message").asText()).contains(String.valueOf(cap + 1)).contains("20 MB");

            HttpResponse<byte[]> ok = HTTP.send(HttpRequest.newBuilder(URI.create(big.baseUrl() + CREATE))
                    .timeout(Duration.ofSeconds(60)).header("x-goog-api-key", big.keyA).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(withImage(io.framegate.server.TestImages.padded(png, cap))))
                    .build(), HttpResponse.BodyHandlers.ofByteArray());
            assertThat(ok.statusCode()).as(new String(ok.body())).isEqualTo(200);
            assertThat(JSON.readTree(ok.body()).path("name").asText()).contains("/operations/");
        }
    }

    @Test
    void aTruncatedPngIsA400AtCreate() throws Exception {
        byte[] png = TestImages.png(320, 240, 3);
        HttpResponse<byte[]> r = post(CREATE, withImage(Arrays.copyOf(png, png.length / 2)));
        assertThat(r.statusCode()).as(new String(r.body())).isEqualTo(400);
        assertThat(error(r).path("message").asText()).contains("instances[0].image.bytesBase64Encoded").contains("truncated");
    }

    /**
     * docs/limits.md, request intake: a progressive JPEG repeating one scan hundreds of times (each scan a pass of the
     * native decoder over the whole image) is a 400 naming the field, its count of scans and the cap; no operation.
     */
    @Test
    void aJpegScanBombIsA400NamingTheFieldItsScansAndTheCap() throws Exception {
        byte[] progressive = io.framegate.server.TestImages.progressiveJpeg(160, 96);
        int own = 0;
        for (int i = 0; i + 1 < progressive.length; i++) if ((progressive[i] & 0xff) == 0xff && (progressive[i + 1] & 0xff) == 0xda) own++;
        HttpResponse<byte[]> r = post(CREATE, withImage(io.framegate.server.TestImages.withRepeatedLastScan(progressive, 300)));
        assertThat(r.statusCode()).as(new String(r.body())).isEqualTo(400);
        assertThat(error(r).path("status").asText()).isEqualTo("INVALID_ARGUMENT");
        assertThat(error(r).at("/details/0/fieldViolations/0/field").asText()).isEqualTo("instances[0].image.bytesBase64Encoded");
        assertThat(error(r).path("message").asText()).contains("instances[0].image.bytesBase64Encoded is a JPEG image of "
                + (own + 300) + " scans; at most 100 are allowed");
    }

    /** docs/limits.md, request intake: a palette PNG without its palette is a 400 saying so. */
    @Test
    void aPalettePngWithoutItsPaletteIsA400AtCreate() throws Exception {
        HttpResponse<byte[]> r = post(CREATE, withImage(io.framegate.server.TestImages.paletteWithoutPlte(160, 96)));
        assertThat(r.statusCode()).as(new String(r.body())).isEqualTo(400);
        assertThat(error(r).path("status").asText()).isEqualTo("INVALID_ARGUMENT");
        assertThat(error(r).path("message").asText()).contains("instances[0].image.bytesBase64Encoded is an invalid PNG "
                + "image: it is a palette image without a palette");
    }

    @Test
    void tooManyReferenceImagesAreRefusedBeforeAnyIsRead() throws Exception {
        StringBuilder refs = new StringBuilder();
        for (int i = 0; i < 12; i++) {
            if (i > 0) refs.append(',');
            // gcsUris of files that do not exist: reading any would be a different error
            refs.append("{\"image\":{\"gcsUri\":\"gs://nowhere/").append(i).append(".png\"},\"referenceType\":\"asset\"}");
        }
        HttpResponse<byte[]> r = post(CREATE, "{\"instances\":[{\"prompt\":\"p\",\"referenceImages\":[" + refs + "]}]}");
        assertThat(r.statusCode()).as(new String(r.body())).isEqualTo(400);
        assertThat(error(r).path("message").asText()).contains("12 images").contains("at most 8");
    }

    @Test
    void aLongIdempotencyKeyIsA400NamingTheHeaderOnBothVeoSurfaces() throws Exception {
        String key = "k".repeat(300);
        for (String path : new String[] {CREATE, "/v1/projects/p/locations/us-central1/publishers/google/models/"
                + "framegate-local:predictLongRunning"}) {
            HttpResponse<byte[]> r = post(path, "{\"instances\":[{\"prompt\":\"p\"}]}", "Idempotency-Key", key,
                    "Authorization", "Bearer " + srv.keyA);
            assertThat(r.statusCode()).as(path + ": " + new String(r.body())).isEqualTo(400);
            assertThat(error(r).path("status").asText()).isEqualTo("INVALID_ARGUMENT");
            assertThat(error(r).path("message").asText()).contains("Idempotency-Key").contains("255");
        }
    }

    @Test
    void anInternalFailureIsA500WithAGenericMessageAndTheRequestId() throws Exception {
        Path files = srv.dir.resolve("files");
        try (var walk = Files.walk(files)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
        Files.writeString(files, "not a directory");
        HttpResponse<byte[]> r = post(CREATE, withImage(TestImages.png(160, 96, 1)));
        String body = new String(r.body(), StandardCharsets.UTF_8);
        assertThat(r.statusCode()).as(body).isEqualTo(500);
        assertThat(error(r).path("status").asText()).isEqualTo("INTERNAL");
        assertThat(error(r).path("message").asText()).contains(r.headers().firstValue("x-request-id").orElseThrow());
        assertThat(body).doesNotContain("Exception").doesNotContain(srv.dir.toString()).doesNotContain("video_");
    }
}
