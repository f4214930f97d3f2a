package io.framegate.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.framegate.server.jobs.RetentionSweeper;
import io.framegate.server.jobs.WorkerSettings;
import io.framegate.server.media.MediaFinisher;
import io.framegate.server.openai.OpenAiSurface;
import io.framegate.server.storage.S3ProxyServer;
import io.framegate.server.storage.S3ResultStore;
import io.framegate.server.veo.GeminiSurface;
import org.junit.jupiter.api.AfterAll;
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
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Issue 10 item 2 through running servers configured with {@code storage.type: s3} against a real S3 protocol server
 * (s3proxy): both surfaces serve ranges from the bucket, {@code downloads: redirect} answers 302 to a presigned URL,
 * retention deletes the objects, a second instance on the bucket sees the first one's files, nothing lands under the
 * data directory's {@code files/}, and a storage failure is a generic 503 with no credential in it or in the logs.
 */
class S3StorageServerTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final String BUCKET = "fg-server";
    private static final byte[] IMAGE = TestImages.png(160, 96, Color.ORANGE);
    private static final String OPENAI_JOB = "{\"model\":\"framegate-local\",\"prompt\":\"slow push in\",\"size\":\"160x96\","
            + "\"seconds\":\"1\",\"input_reference\":{\"image_url\":\"data:image/png;base64,"
            + Base64.getEncoder().encodeToString(IMAGE) + "\"}}";
    private static final String VEO_JOB = "{\"instances\":[{\"prompt\":\"p\",\"image\":{\"inlineData\":{\"mimeType\":\"image/png\","
            + "\"data\":\"" + Base64.getEncoder().encodeToString(IMAGE) + "\"}}}],\"parameters\":{\"durationSeconds\":1,"
            + "\"resolution\":\"144p\",\"aspectRatio\":\"16:9\"}}";

    @TempDir
    static Path s3dir;
    static S3ProxyServer s3;
    @TempDir
    Path dir;

    @BeforeAll
    static void startS3() throws Exception {
        s3 = new S3ProxyServer(s3dir);
        s3.createBucket(BUCKET);
    }

    @AfterAll
    static void stopS3() throws Exception {
        if (s3 != null) s3.close();
    }

    /** A server on its own data directory whose {@code framegate.yaml} holds {@code yaml}. */
    private static final class Srv implements AutoCloseable {
        final TestClock clock = new TestClock();
        final FramegateServer server;
        final String key;
        final Path data;

        Srv(Path data, String yaml, Map<String, String> env) throws Exception {
            this.data = Files.createDirectories(data);
            Files.writeString(data.resolve("framegate.yaml"), "retention:\n  sweep_interval: 1d\n  results: 1h\n" + yaml);
            ServerOptions options = ServerOptions.defaults(data).withHost("127.0.0.1").withPort(0).withAccessLog(null)
                    .withMaxUploadBytes(5_000_000).withPollAfterMillis(250)
                    .withWorkers(new WorkerSettings(1, 2, Duration.ofSeconds(30), Duration.ofMillis(100), Duration.ofSeconds(5)));
            server = FramegateServer.builder(options).surfaces(List.of(new OpenAiSurface(true), new GeminiSurface()))
                    .backend("local", new TinyVideoBackend("local", true, 0)).finisher(new MediaFinisher()).clock(clock)
                    .environment(env::get).build().start();
            key = server.keys().create("k").secret();
        }

        HttpResponse<byte[]> send(String method, String path, String body, Map<String, String> headers) throws Exception {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                    .timeout(Duration.ofSeconds(30)).header("Authorization", "Bearer " + key)
                    .header("x-goog-api-key", key).header("Content-Type", "application/json")
                    .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
            headers.forEach(b::header);
            return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        }

        HttpResponse<byte[]> get(String path, Map<String, String> headers) throws Exception {
            return send("GET", path, null, headers);
        }

        String createOpenAi() throws Exception {
            HttpResponse<byte[]> r = send("POST", "/v1/videos", OPENAI_JOB, Map.of());
            assertThat(r.statusCode()).as(new String(r.body())).isEqualTo(200);
            String id = JSON.readTree(r.body()).path("id").asText();
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (true) {
                JsonNode v = JSON.readTree(get("/v1/videos/" + id, Map.of()).body());
                if (v.path("status").asText().equals("completed")) return id;
                if (v.path("status").asText().equals("failed") || System.nanoTime() > deadline) fail("job did not complete: " + v);
                Thread.sleep(50);
            }
        }

        /** Creates a Veo job and returns its download path (with query). */
        String createVeo() throws Exception {
            HttpResponse<byte[]> r = send("POST", "/v1beta/models/framegate-local:predictLongRunning", VEO_JOB, Map.of());
            assertThat(r.statusCode()).as(new String(r.body())).isEqualTo(200);
            String operation = JSON.readTree(r.body()).path("name").asText();
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (true) {
                JsonNode op = JSON.readTree(get("/v1beta/" + operation, Map.of()).body());
                if (op.path("done").asBoolean()) {
                    assertThat(op.has("error")).as(op.toString()).isFalse();
                    URI url = URI.create(op.at("/metadata/framegate/download_urls/0").asText());
                    return url.getRawPath() + "?" + url.getRawQuery();
                }
                if (System.nanoTime() > deadline) fail("operation not done: " + op);
                Thread.sleep(50);
            }
        }

        @Override
        public void close() {
            server.close();
        }
    }

    @Test
    void bothSurfacesServeRangesFromTheBucketAndNothingIsWrittenUnderFiles() throws Exception {
        try (Srv s = new Srv(dir.resolve("a"), s3.storageYaml(BUCKET, "one/", "proxy"), S3ProxyServer.env())) {
            assertThat(s.server.results()).isInstanceOf(S3ResultStore.class);
            String id = s.createOpenAi();
            byte[] stored = s3.get(BUCKET, "one/" + id + "/0/video.mp4");
            assertThat(stored.length).isGreaterThan(200);
            assertThat(s3.keys(BUCKET, "one/" + id + "/")).contains("one/" + id + "/input-0",
                    "one/" + id + "/0/thumbnail.webp");
            assertThat(s3.get(BUCKET, "one/" + id + "/input-0")).isEqualTo(IMAGE);

            HttpResponse<byte[]> whole = s.get("/v1/videos/" + id + "/content", Map.of());
            assertThat(whole.statusCode()).isEqualTo(200);
            assertThat(whole.body()).isEqualTo(stored);
            HttpResponse<byte[]> part = s.get("/v1/videos/" + id + "/content", Map.of("Range", "bytes=100-199"));
            assertThat(part.statusCode()).isEqualTo(206);
            assertThat(part.headers().firstValue("Content-Range")).hasValue("bytes 100-199/" + stored.length);
            assertThat(part.body()).isEqualTo(Arrays.copyOfRange(stored, 100, 200));
            HttpResponse<byte[]> tail = s.get("/v1/videos/" + id + "/content", Map.of("Range", "bytes=-50"));
            assertThat(tail.body()).isEqualTo(Arrays.copyOfRange(stored, stored.length - 50, stored.length));

            String veo = s.createVeo();
            String veoId = s3.keys(BUCKET, "one/").stream().map(k -> k.split("/")[1]).filter(k -> !k.equals(id))
                    .findFirst().orElseThrow();
            byte[] veoStored = s3.get(BUCKET, "one/" + veoId + "/0/video.mp4");
            assertThat(s.get(veo, Map.of()).body()).isEqualTo(veoStored);
            HttpResponse<byte[]> veoPart = s.get(veo, Map.of("Range", "bytes=7-"));
            assertThat(veoPart.statusCode()).isEqualTo(206);
            assertThat(veoPart.body()).isEqualTo(Arrays.copyOfRange(veoStored, 7, veoStored.length));

            assertThat(s.data.resolve("files")).doesNotExist();
        }
    }

    @Test
    void redirectDownloadsAnswer302ToAPresignedUrlThatNeedsNoApiKey() throws Exception {
        try (Srv s = new Srv(dir.resolve("r"), s3.storageYaml(BUCKET, "redir/", "redirect"), S3ProxyServer.env())) {
            String id = s.createOpenAi();
            byte[] stored = s3.get(BUCKET, "redir/" + id + "/0/video.mp4");
            HttpResponse<byte[]> r = s.get("/v1/videos/" + id + "/content", Map.of()); // HTTP does not follow redirects
            assertThat(r.statusCode()).isEqualTo(302);
            String location = r.headers().firstValue("Location").orElseThrow();
            assertThat(location).startsWith(s3.endpoint() + "/" + BUCKET + "/redir/" + id + "/0/video.mp4?")
                    .contains("X-Amz-Signature").doesNotContain(S3ProxyServer.SECRET_KEY);
            // docs/config.md, storage.downloads: the presigned URL is valid for 5 minutes and the 302 is not cached
            assertThat(location).contains("X-Amz-Expires=300");
            assertThat(r.headers().firstValue("Cache-Control")).hasValue("no-store");
            HttpResponse<byte[]> direct = HTTP.send(HttpRequest.newBuilder(URI.create(location)).build(),
                    HttpResponse.BodyHandlers.ofByteArray()); // no Authorization, no API key
            assertThat(direct.statusCode()).isEqualTo(200);
            assertThat(direct.body()).isEqualTo(stored);
            // a client that follows redirects (as the SDKs do) gets the bytes in one call, ranges included
            HttpClient following = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL).build();
            HttpResponse<byte[]> ranged = following.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                    + s.server.port() + "/v1/videos/" + id + "/content")).header("Authorization", "Bearer " + s.key)
                    .header("Range", "bytes=10-19").build(), HttpResponse.BodyHandlers.ofByteArray());
            assertThat(ranged.statusCode()).isEqualTo(206);
            assertThat(ranged.body()).isEqualTo(Arrays.copyOfRange(stored, 10, 20));

            String veo = s.createVeo();
            HttpResponse<byte[]> veoRedirect = s.get(veo, Map.of());
            assertThat(veoRedirect.statusCode()).isEqualTo(302);
            assertThat(veoRedirect.headers().firstValue("Cache-Control")).hasValue("no-store");
            HttpResponse<byte[]> veoDirect = HTTP.send(HttpRequest.newBuilder(
                    URI.create(veoRedirect.headers().firstValue("Location").orElseThrow())).build(), HttpResponse.BodyHandlers.ofByteArray());
            assertThat(veoDirect.statusCode()).isEqualTo(200);
            assertThat(veoDirect.body()).hasSizeGreaterThan(200);
            // another key still gets nothing: the redirect is only handed out after the owner check
            String other = s.server.keys().create("other").secret();
            HttpResponse<byte[]> foreign = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.server.port()
                    + "/v1/videos/" + id + "/content")).header("Authorization", "Bearer " + other).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertThat(foreign.statusCode()).isEqualTo(404);
            assertThat(s.data.resolve("files")).doesNotExist();
        }
    }

    @Test
    void signedVideoUrlRedirectsToThePresignedUrlWithoutAKey() throws Exception {
        try (Srv s = new Srv(dir.resolve("v"), s3.storageYaml(BUCKET, "signed/", "redirect"), S3ProxyServer.env())) {
            String id = s.createOpenAi();
            byte[] stored = s3.get(BUCKET, "signed/" + id + "/0/video.mp4");
            String videoUrl = JSON.readTree(s.get("/v1/videos/" + id, Map.of()).body()).path("video_url").asText();
            HttpResponse<byte[]> r = HTTP.send(HttpRequest.newBuilder(URI.create(videoUrl)).build(),
                    HttpResponse.BodyHandlers.ofByteArray()); // no key
            assertThat(r.statusCode()).isEqualTo(302);
            assertThat(r.headers().firstValue("Location").orElseThrow())
                    .startsWith(s3.endpoint() + "/" + BUCKET + "/signed/" + id + "/0/video.mp4?").contains("X-Amz-Signature");
            assertThat(r.headers().firstValue("Cache-Control")).as("a signed link's 302 is not cached either").hasValue("no-store");
            HttpClient following = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL).build();
            HttpResponse<byte[]> ranged = following.send(HttpRequest.newBuilder(URI.create(videoUrl))
                    .header("Range", "bytes=10-19").build(), HttpResponse.BodyHandlers.ofByteArray());
            assertThat(ranged.statusCode()).isEqualTo(206);
            assertThat(ranged.body()).isEqualTo(Arrays.copyOfRange(stored, 10, 20));
            String tampered = videoUrl.replace("variant=video", "variant=thumbnail");
            assertThat(HTTP.send(HttpRequest.newBuilder(URI.create(tampered)).build(),
                    HttpResponse.BodyHandlers.ofByteArray()).statusCode()).isEqualTo(403);
        }
    }

    @Test
    void retentionDeletesTheObjectsAndExpiredContentAnswers410() throws Exception {
        try (Srv s = new Srv(dir.resolve("t"), s3.storageYaml(BUCKET, "ret/", "proxy"), S3ProxyServer.env())) {
            String id = s.createOpenAi();
            assertThat(s3.keys(BUCKET, "ret/" + id + "/")).contains("ret/" + id + "/0/video.mp4", "ret/" + id + "/input-0");
            assertThat(s.server.sweeper().sweepOnce().expiredJobs()).isZero();
            s.clock.advance(Duration.ofHours(2));
            HttpResponse<byte[]> gone = s.get("/v1/videos/" + id + "/content", Map.of());
            assertThat(gone.statusCode()).isEqualTo(410);
            assertThat(JSON.readTree(gone.body()).at("/error/code").asText()).isEqualTo("video_expired");
            RetentionSweeper.Report report = s.server.sweeper().sweepOnce();
            assertThat(report.expiredJobs()).isEqualTo(1);
            assertThat(s3.keys(BUCKET, "ret/" + id + "/")).isEmpty();
            assertThat(s.get("/v1/videos/" + id + "/content", Map.of()).statusCode()).isEqualTo(410);
            assertThat(s.server.sweeper().sweepOnce().expiredJobs()).isZero();
            assertThat(s.data.resolve("files")).doesNotExist();
        }
    }

    @Test
    void objectsOfAJobWithoutARowAreSweptOnceOldAndNothingElseIs() throws Exception {
        try (Srv s = new Srv(dir.resolve("o"), "  orphan_age: 10m\n" + s3.storageYaml(BUCKET, "orph/", "proxy"), S3ProxyServer.env())) {
            String id = s.createOpenAi();
            // what a crash between storing a job's inputs and inserting its row leaves, and keys Framegate never wrote
            String orphan = "video_" + "0123456789abcdef".repeat(2);
            s3.client().putObject(b -> b.bucket(BUCKET).key("orph/" + orphan + "/input-0"),
                    software.amazon.awssdk.core.sync.RequestBody.fromBytes(IMAGE));
            for (String foreign : List.of("orph/notes/readme.txt", "orph/video_x/keep", "orph/top-level-file")) {
                s3.client().putObject(b -> b.bucket(BUCKET).key(foreign), software.amazon.awssdk.core.sync.RequestBody.fromString("x"));
            }
            assertThat(s.server.sweeper().sweepOnce().orphansDeleted()).isZero(); // not old yet
            assertThat(s3.keys(BUCKET, "orph/" + orphan + "/")).hasSize(1);

            s.clock.advance(Duration.ofMinutes(20));
            assertThat(s.server.sweeper().sweepOnce().orphansDeleted()).isEqualTo(1);
            assertThat(s3.keys(BUCKET, "orph/" + orphan + "/")).isEmpty();
            assertThat(s3.keys(BUCKET, "orph/" + id + "/")).contains("orph/" + id + "/0/video.mp4"); // it has a row
            assertThat(s3.keys(BUCKET, "orph/")).contains("orph/notes/readme.txt", "orph/video_x/keep", "orph/top-level-file");
            assertThat(s.get("/v1/videos/" + id + "/content", Map.of()).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void aSecondInstanceOnTheSameBucketFindsTheFirstInstancesInputsAndResults() throws Exception {
        String yaml = s3.storageYaml(BUCKET, "shared/", "proxy");
        try (Srv a = new Srv(dir.resolve("a"), yaml, S3ProxyServer.env());
             Srv b = new Srv(dir.resolve("b"), yaml, S3ProxyServer.env())) {
            String id = a.createOpenAi();
            byte[] fromA = a.get("/v1/videos/" + id + "/content", Map.of()).body();
            // instance B (its own process state, its own data directory) reads what A stored
            assertThat(b.server.results().open(id, "input-0").orElseThrow().readAllBytes()).isEqualTo(IMAGE);
            assertThat(b.server.results().open(id, "0/video.mp4").orElseThrow().readAllBytes()).isEqualTo(fromA);
            assertThat(a.data.resolve("files")).doesNotExist();
            assertThat(b.data.resolve("files")).doesNotExist();
        }
    }

    @Test
    void storageFailuresAreGeneric503sWithARequestIdAndNoCredentialAnywhere() throws Exception {
        String wrongSecret = "wrong-secret-Zq81xLmW0pvT3e5";
        Map<String, String> env = new HashMap<>(S3ProxyServer.env());
        env.put("FG_S3_SECRET", wrongSecret);
        int closedPort;
        try (ServerSocket sock = new ServerSocket(0)) {
            closedPort = sock.getLocalPort();
        }
        PrintStream stderr = System.err;
        ByteArrayOutputStream logs = new ByteArrayOutputStream();
        System.setErr(new PrintStream(logs, true, StandardCharsets.UTF_8));
        StringBuilder answers = new StringBuilder();
        try {
            try (Srv s = new Srv(dir.resolve("w"), s3.storageYaml(BUCKET, "bad/", "proxy"), env)) {
                HttpResponse<byte[]> r = s.send("POST", "/v1/videos", OPENAI_JOB, Map.of());
                answers.append(new String(r.body(), StandardCharsets.UTF_8));
                assertThat(r.statusCode()).as(new String(r.body())).isEqualTo(503);
                JsonNode e = JSON.readTree(r.body()).path("error");
                assertThat(e.path("message").asText()).contains("storage is unavailable", r.headers().firstValue("x-request-id").orElseThrow());
                HttpResponse<byte[]> g = s.send("POST", "/v1beta/models/framegate-local:predictLongRunning", VEO_JOB, Map.of());
                answers.append(new String(g.body(), StandardCharsets.UTF_8));
                assertThat(g.statusCode()).isEqualTo(503);
                assertThat(JSON.readTree(g.body()).at("/error/status").asText()).isEqualTo("UNAVAILABLE");
            }
            String unreachable = "storage:\n  type: s3\n  endpoint: http://127.0.0.1:" + closedPort + "\n  bucket: " + BUCKET
                    + "\n  path_style: true\n  access_key_env: FG_S3_ACCESS\n  secret_key_env: FG_S3_SECRET\n";
            try (Srv s = new Srv(dir.resolve("u"), unreachable, S3ProxyServer.env())) {
                HttpResponse<byte[]> r = s.send("POST", "/v1/videos", OPENAI_JOB, Map.of());
                answers.append(new String(r.body(), StandardCharsets.UTF_8));
                assertThat(r.statusCode()).isEqualTo(503);
                assertThat(s.server.jobs().list(s.server.keys().find(s.key).orElseThrow().id(), null, 10,
                        io.framegate.server.jobs.ListOrder.DESC).data()).isEmpty(); // no job without its inputs
            }
        } finally {
            System.setErr(stderr);
        }
        String log = logs.toString(StandardCharsets.UTF_8);
        // the capture is real: the failures were logged with the status and the storage's request id
        assertThat(log).contains("answered HTTP 403", "S3 request id", "not reachable");
        for (String secret : List.of(wrongSecret, S3ProxyServer.SECRET_KEY, S3ProxyServer.ACCESS_KEY)) {
            assertThat(log).doesNotContain(secret);
            assertThat(answers.toString()).doesNotContain(secret);
        }
        assertThat(answers.toString()).doesNotContain("S3", "127.0.0.1", "Exception");
    }
}
