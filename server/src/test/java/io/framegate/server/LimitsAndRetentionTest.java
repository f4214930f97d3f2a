package io.framegate.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.framegate.domain.GenerationBackend;
import io.framegate.server.config.LimitsConfig;
import io.framegate.server.jobs.ListOrder;
import io.framegate.server.jobs.RetentionSweeper;
import io.framegate.server.jobs.WorkerSettings;
import io.framegate.server.media.MediaFinisher;
import io.framegate.server.openai.OpenAiSurface;
import io.framegate.server.veo.GeminiSurface;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.Color;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Issue 8, items 7 and 9, through a real server over HTTP: the local work budget and extension-chain cap (refused at
 * create, nothing stored), the local render deadline, retention (expiry, 410, sweeping of results, inputs and
 * orphans) and the free-disk guard (507). Time moves with a {@link TestClock}, not by sleeping.
 */
class LimitsAndRetentionTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final byte[] IMAGE = TestImages.png(160, 96, Color.ORANGE);
    private static final String SMALL_JOB = "{\"model\":\"framegate-local\",\"prompt\":\"slow push in\",\"size\":\"160x96\","
            + "\"seconds\":\"%d\",\"input_reference\":{\"image_url\":\"data:image/png;base64,"
            + Base64.getEncoder().encodeToString(IMAGE) + "\"}}";

    @TempDir
    Path dir;

    /** A server with the OpenAI, Gemini and Vertex surfaces, a test clock and a free-space probe the test sets. */
    private static final class Srv implements AutoCloseable {
        final TestClock clock = new TestClock();
        final AtomicLong freeBytes = new AtomicLong(Long.MAX_VALUE);
        final FramegateServer server;
        final String keyA;
        final String keyB;
        final String keyAId;
        final Path data;

        /** @param limits and {@code retention}: the sections' lines (the sweeper's own schedule is pushed out of the way) */
        Srv(Path data, String limits, String retention, GenerationBackend backend) throws Exception {
            this.data = data;
            Files.writeString(data.resolve("framegate.yaml"), (limits == null ? "" : "limits:\n" + limits)
                    + "retention:\n" + (retention != null && retention.contains("sweep_interval") ? ""
                    : "  sweep_interval: 1d\n") + (retention == null ? "" : retention));
            ServerOptions options = ServerOptions.defaults(data).withHost("127.0.0.1").withPort(0).withAccessLog(null)
                    .withMaxUploadBytes(5_000_000).withPollAfterMillis(250)
                    .withWorkers(new WorkerSettings(1, 2, Duration.ofSeconds(30), Duration.ofMillis(100), Duration.ofSeconds(5)));
            server = FramegateServer.builder(options).surfaces(List.of(new OpenAiSurface(true), new GeminiSurface(),
                            new io.framegate.server.veo.VertexSurface()))
                    .backend("local", backend).finisher(new MediaFinisher()).clock(clock).diskSpace(freeBytes::get)
                    .build().start();
            keyA = server.keys().create("a").secret();
            keyB = server.keys().create("b").secret();
            keyAId = server.keys().find(keyA).orElseThrow().id();
        }

        HttpResponse<byte[]> openAi(String method, String path, String key, String body, String... headers) throws Exception {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                    .timeout(Duration.ofSeconds(30)).header("Authorization", "Bearer " + key)
                    .header("Content-Type", "application/json")
                    .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
            for (int i = 0; i < headers.length; i += 2) b.header(headers[i], headers[i + 1]);
            return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        }

        HttpResponse<byte[]> gemini(String method, String path, String body) throws Exception {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                    .timeout(Duration.ofSeconds(30)).header("x-goog-api-key", keyA)
                    .header("Content-Type", "application/json")
                    .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
            return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        }

        /** A small local job of key A, created over HTTP. */
        String create(int seconds) throws Exception {
            HttpResponse<byte[]> r = openAi("POST", "/v1/videos", keyA, SMALL_JOB.formatted(seconds));
            assertThat(r.statusCode()).as(new String(r.body())).isEqualTo(200);
            return json(r).path("id").asText();
        }

        JsonNode await(String id) throws Exception {
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (true) {
                JsonNode v = json(openAi("GET", "/v1/videos/" + id, keyA, null));
                String s = v.path("status").asText();
                if (s.equals("completed") || s.equals("failed")) return v;
                if (System.nanoTime() > deadline) fail("video " + id + " did not finish: " + v);
                Thread.sleep(50);
            }
        }

        int jobsOfA() {
            return server.jobs().list(keyAId, null, 100, ListOrder.DESC).data().size();
        }

        List<Path> storedFiles() throws Exception {
            Path files = data.resolve("files");
            if (!Files.exists(files)) return List.of();
            try (Stream<Path> s = Files.walk(files)) {
                return s.filter(Files::isRegularFile).toList();
            }
        }

        @Override
        public void close() {
            server.close();
        }
    }

    static JsonNode json(HttpResponse<byte[]> r) throws Exception {
        return JSON.readTree(r.body());
    }

    private static JsonNode openAiError(HttpResponse<byte[]> r, int status) throws Exception {
        assertThat(r.statusCode()).as(new String(r.body())).isEqualTo(status);
        return json(r).path("error");
    }

    @Test
    void anOversizedLocalRenderIsRefusedAtOnceNamingPixelFramesWhileOtherKeysAreServed() throws Exception {
        try (Srv s = new Srv(dir, null, null, new TinyVideoBackend("local", true, 0))) {
            assertThat(s.openAi("GET", "/v1/videos", s.keyB, null).statusCode()).isEqualTo(200);
            AtomicBoolean done = new AtomicBoolean();
            List<Long> otherKeyMillis = new ArrayList<>();
            List<Integer> otherKeyStatus = new ArrayList<>();
            Thread other = new Thread(() -> {
                try {
                    while (!done.get()) {
                        long t0 = System.nanoTime();
                        int status = s.openAi("GET", "/v1/videos", s.keyB, null).statusCode();
                        synchronized (otherKeyMillis) {
                            otherKeyMillis.add((System.nanoTime() - t0) / 1_000_000);
                            otherKeyStatus.add(status);
                        }
                    }
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            other.start();
            String limit = String.format(Locale.ROOT, "%,d", LimitsConfig.DEFAULTS.localPixelFrames());

            // OpenAI shape: 4K for 60 s at the default 24 fps
            long t0 = System.nanoTime();
            HttpResponse<byte[]> openAi = s.openAi("POST", "/v1/videos", s.keyA, SMALL_JOB.formatted(60)
                    .replace("160x96", "3840x2160"));
            long openAiMillis = (System.nanoTime() - t0) / 1_000_000;
            JsonNode e = openAiError(openAi, 400);
            assertThat(e.path("type").asText()).isEqualTo("invalid_request_error");
            assertThat(e.path("param").asText()).isEqualTo("seconds");
            assertThat(e.path("message").asText()).contains("pixel-frames", "limits.local_pixel_frames", limit,
                    String.format(Locale.ROOT, "%,d", 3840L * 2160 * 24 * 60), "3840x2160");

            // Google shape: 4K, 60 s, 60 fps, 4 videos
            String veo = """
                    { "instances": [ { "prompt": "the valley", "image": { "inlineData": { "mimeType": "image/png", "data": "%s" } } } ],
                      "parameters": { "aspectRatio": "16:9", "resolution": "4k", "durationSeconds": 60, "fps": 60, "sampleCount": 4 } }
                    """.formatted(Base64.getEncoder().encodeToString(IMAGE));
            t0 = System.nanoTime();
            HttpResponse<byte[]> google = s.gemini("POST", "/v1beta/models/framegate-local:predictLongRunning", veo);
            long googleMillis = (System.nanoTime() - t0) / 1_000_000;
            assertThat(google.statusCode()).as(new String(google.body())).isEqualTo(400);
            JsonNode g = json(google).path("error");
            assertThat(g.path("status").asText()).isEqualTo("INVALID_ARGUMENT");
            assertThat(g.path("message").asText()).contains("pixel-frames", limit,
                    String.format(Locale.ROOT, "%,d", 3840L * 2160 * 60 * 60 * 4), "4 videos");
            assertThat(g.at("/details/0/fieldViolations/0/field").asText()).isEqualTo("parameters.durationSeconds");

            done.set(true);
            other.join();
            assertThat(openAiMillis).isLessThan(1000);
            assertThat(googleMillis).isLessThan(1000);
            assertThat(otherKeyStatus).isNotEmpty().allMatch(st -> st == 200);
            assertThat(otherKeyMillis).allMatch(ms -> ms < 1000);
            assertThat(s.jobsOfA()).isZero();
            assertThat(s.storedFiles()).isEmpty();
        }
    }

    @Test
    void theLocalBudgetIsConfigurable() throws Exception {
        // 160 x 96 x 24 frames = 368,640 pixel-frames a second of video
        try (Srv s = new Srv(dir, "  local_pixel_frames: 400_000\n", null, new TinyVideoBackend("local", true, 0))) {
            assertThat(s.await(s.create(1)).path("status").asText()).isEqualTo("completed");
            JsonNode e = openAiError(s.openAi("POST", "/v1/videos", s.keyA, SMALL_JOB.formatted(2)), 400);
            assertThat(e.path("message").asText()).contains("737,280 pixel-frames", "400,000");
            assertThat(s.jobsOfA()).isEqualTo(1);
        }
    }

    @Test
    void aRemixOrExtensionSentAgainWithItsIdempotencyKeyIsTheSameJob() throws Exception {
        try (Srv s = new Srv(dir, null, null, new TinyVideoBackend("local", true, 0))) {
            String source = s.create(1);
            assertThat(s.await(source).path("status").asText()).isEqualTo("completed");
            String[][] calls = {{"/v1/videos/" + source + "/remix", "{\"prompt\":\"again\"}"},
                    {"/v1/videos/extensions", "{\"video\":{\"id\":\"" + source + "\"},\"prompt\":\"on\",\"seconds\":1}"}};
            int jobs = s.jobsOfA();
            for (String[] call : calls) {
                String idem = "retry-" + call[0].hashCode();
                HttpResponse<byte[]> first = s.openAi("POST", call[0], s.keyA, call[1], "Idempotency-Key", idem);
                HttpResponse<byte[]> again = s.openAi("POST", call[0], s.keyA, call[1], "Idempotency-Key", idem);
                assertThat(first.statusCode()).as(new String(first.body())).isEqualTo(200);
                assertThat(again.statusCode()).as(new String(again.body())).isEqualTo(200);
                assertThat(json(again).path("id").asText()).as(call[0]).isEqualTo(json(first).path("id").asText());
                assertThat(s.jobsOfA()).as(call[0] + ": one job for both").isEqualTo(++jobs);
                // the same key with another body is a conflict, not a second job
                HttpResponse<byte[]> other = s.openAi("POST", call[0], s.keyA, call[1].replace("\"prompt\":\"", "\"prompt\":\"x"),
                        "Idempotency-Key", idem);
                assertThat(other.statusCode()).as(new String(other.body())).isEqualTo(409);
                assertThat(s.jobsOfA()).isEqualTo(jobs);
            }
        }
    }

    @Test
    void anIdempotencyKeyLivesAsLongAsItsJob() throws Exception {
        try (Srv s = new Srv(dir, null, null, new TinyVideoBackend("local", true, 0))) {
            String body = SMALL_JOB.formatted(1);
            String first = json(s.openAi("POST", "/v1/videos", s.keyA, body, "Idempotency-Key", "once")).path("id").asText();
            assertThat(json(s.openAi("POST", "/v1/videos", s.keyA, body, "Idempotency-Key", "once")).path("id").asText())
                    .isEqualTo(first);
            s.await(first);
            assertThat(s.openAi("DELETE", "/v1/videos/" + first, s.keyA, null).statusCode()).isEqualTo(200);
            String again = json(s.openAi("POST", "/v1/videos", s.keyA, body, "Idempotency-Key", "once")).path("id").asText();
            assertThat(again).as("a new job once the first was deleted").isNotEmpty().isNotEqualTo(first);
            assertThat(s.jobsOfA()).isEqualTo(1);
        }
    }

    @Test
    void extensionChainsAreCappedEvenWhenALinkIsDeleted() throws Exception {
        try (Srv s = new Srv(dir, "  extension_chain: 2\n", null, new TinyVideoBackend("local", true, 0))) {
            String original = s.create(1);
            assertThat(s.await(original).path("status").asText()).isEqualTo("completed");
            String first = extend(s, original);
            assertThat(s.await(first).path("status").asText()).isEqualTo("completed");
            String second = extend(s, first);
            assertThat(s.await(second).path("status").asText()).isEqualTo("completed");

            String body = "{\"video\":{\"id\":\"" + second + "\"},\"prompt\":\"on\",\"seconds\":1}";
            JsonNode e = openAiError(s.openAi("POST", "/v1/videos/extensions", s.keyA, body), 400);
            assertThat(e.path("param").asText()).isEqualTo("video");
            assertThat(e.path("message").asText()).contains(second, "extension 2 of a chain", "at most 2 extensions",
                    "limits.extension_chain");
            assertThat(s.jobsOfA()).isEqualTo(3);

            // deleting the middle link does not reset the count: each job records its place in the chain
            assertThat(s.openAi("DELETE", "/v1/videos/" + first, s.keyA, null).statusCode()).isEqualTo(200);
            openAiError(s.openAi("POST", "/v1/videos/extensions", s.keyA, body), 400);
            // an original video can still be extended
            assertThat(s.await(extend(s, original)).path("status").asText()).isEqualTo("completed");
        }
    }

    /**
     * docs/limits.md, Request intake: the source video of an extension is at most 512 MB; a larger one is a 400
     * {@code invalid_state} at create ("too large to extend"), before anything is stored or copied. The stored video is
     * made larger than that in place (a sparse file: no disk is used).
     */
    @Test
    void anExtensionOfAVideoOver512MbIsRefusedAtCreateWithoutCopyingIt() throws Exception {
        try (Srv s = new Srv(dir, null, null, new TinyVideoBackend("local", true, 0))) {
            String source = s.create(1);
            assertThat(s.await(source).path("status").asText()).isEqualTo("completed");
            Path video = s.data.resolve("files").resolve(source).resolve("0").resolve("video.mp4");
            assertThat(video).exists();
            List<Path> before = s.storedFiles();
            try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(video.toFile(), "rw")) {
                f.setLength(512L * 1024 * 1024 + 1);
            }
            HttpResponse<byte[]> r = s.openAi("POST", "/v1/videos/extensions", s.keyA,
                    "{\"video\":{\"id\":\"" + source + "\"},\"prompt\":\"on\",\"seconds\":1}");
            JsonNode e = openAiError(r, 400);
            assertThat(e.path("code").asText()).isEqualTo("invalid_state");
            assertThat(e.path("message").asText()).contains(source, "too large to extend", "512 MB");
            assertThat(s.jobsOfA()).as("no job stored").isEqualTo(1);
            assertThat(s.storedFiles()).as("nothing copied").containsExactlyInAnyOrderElementsOf(before);
        }
    }

    /**
     * docs/limits.md, Per-request limits: the free-disk check counts, for an extension, its copy of the source video.
     * With 50 MiB above {@code min_free_disk} free, a create with a small image is served, while extending a 100 MiB
     * video (made so in place, as a sparse file) is a 507 {@code insufficient_storage} before anything is copied.
     */
    @Test
    void anExtensionWhoseSourceVideoWouldTakeTheDiskUnderTheMinimumIsA507() throws Exception {
        try (Srv s = new Srv(dir, "  min_free_disk: 1GiB\n", null, new TinyVideoBackend("local", true, 0))) {
            String source = s.create(1);
            assertThat(s.await(source).path("status").asText()).isEqualTo("completed");
            Path video = s.data.resolve("files").resolve(source).resolve("0").resolve("video.mp4");
            try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(video.toFile(), "rw")) {
                f.setLength(100L * 1024 * 1024);
            }
            s.freeBytes.set(1024L * 1024 * 1024 + 50L * 1024 * 1024);
            assertThat(s.await(s.create(1)).path("status").asText()).as("a small create still fits").isEqualTo("completed");
            List<Path> before = s.storedFiles();

            HttpResponse<byte[]> r = s.openAi("POST", "/v1/videos/extensions", s.keyA,
                    "{\"video\":{\"id\":\"" + source + "\"},\"prompt\":\"on\",\"seconds\":1}");
            JsonNode e = openAiError(r, 507);
            assertThat(e.path("code").asText()).isEqualTo("insufficient_storage");
            assertThat(s.jobsOfA()).as("no job stored").isEqualTo(2);
            assertThat(s.storedFiles()).as("nothing copied").containsExactlyInAnyOrderElementsOf(before);
        }
    }

    /**
     * docs/limits.md, Request intake: a stored copy of an extension's source above 512 MB found by the worker fails the
     * job {@code invalid_request} (the create's check saw it small; the copy is grown in place while the extension
     * waits behind a slow render).
     */
    @Test
    void aStoredExtensionSourceOver512MbFailsTheJobInvalidRequestInTheWorker() throws Exception {
        try (Srv s = new Srv(dir, null, null, new TinyVideoBackend("local", true, 150))) {
            String source = s.create(1);
            assertThat(s.await(source).path("status").asText()).isEqualTo("completed");
            String blocker = s.create(2); // 48 frames at 150 ms: holds the one local slot
            String ext = extend(s, source);
            Path copy = s.data.resolve("files").resolve(ext).resolve("extension-source.mp4");
            assertThat(copy).exists();
            assertThat(json(s.openAi("GET", "/v1/videos/" + ext, s.keyA, null)).path("status").asText())
                    .as("still waiting behind " + blocker).isEqualTo("queued");
            try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(copy.toFile(), "rw")) {
                f.setLength(512L * 1024 * 1024 + 1);
            }
            JsonNode v = s.await(ext);
            assertThat(v.path("status").asText()).as(v.toString()).isEqualTo("failed");
            assertThat(v.at("/error/code").asText()).isEqualTo("invalid_request");
            assertThat(v.at("/error/message").asText()).contains("512 MB");
            assertThat(s.await(blocker).path("status").asText()).isEqualTo("completed");
        }
    }

    private static String extend(Srv s, String id) throws Exception {
        HttpResponse<byte[]> r = s.openAi("POST", "/v1/videos/extensions", s.keyA,
                "{\"video\":{\"id\":\"" + id + "\"},\"prompt\":\"on\",\"seconds\":1}");
        assertThat(r.statusCode()).as(new String(r.body())).isEqualTo(200);
        return json(r).path("id").asText();
    }

    @Test
    void aLocalRenderPastItsDeadlineFailsWithTimeoutAndKeepsNoOutput() throws Exception {
        // 1440 frames at 25 ms each: about 36 s unless the deadline stops it
        try (Srv s = new Srv(dir, "  local_render_deadline: 5m\n", null, new TinyVideoBackend("local", true, 25))) {
            String id = s.create(60);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (s.server.jobs().get(s.keyAId, id).orElseThrow().progress() < 1) {
                if (System.nanoTime() > deadline) fail("the render did not start");
                Thread.sleep(20);
            }
            long t0 = System.nanoTime();
            s.clock.advance(Duration.ofMinutes(6));
            JsonNode v = s.await(id);
            assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(20_000);
            assertThat(v.path("status").asText()).isEqualTo("failed");
            assertThat(v.at("/error/code").asText()).isEqualTo("timeout");
            assertThat(v.at("/error/message").asText()).contains("5 min", "limits.local_render_deadline");
            // no partial video anywhere: not stored, no scratch left
            assertThat(s.storedFiles()).extracting(p -> p.getFileName().toString()).containsExactly("input-0");
            assertThat(s.data.resolve("work").resolve(id)).doesNotExist();
            openAiError(s.openAi("GET", "/v1/videos/" + id + "/content", s.keyA, null), 400);
        }
    }

    @Test
    void aJobPastExpiresAtAnswers410AndIsSweptButItsRowStays() throws Exception {
        try (Srv s = new Srv(dir, null, "  results: 1h\n", new TinyVideoBackend("local", true, 0))) {
            String id = s.create(1);
            JsonNode done = s.await(id);
            assertThat(done.path("status").asText()).isEqualTo("completed");
            assertThat(done.path("expires_at").asLong()).isEqualTo(done.path("created_at").asLong() + 3600);
            HttpResponse<byte[]> created = s.gemini("POST", "/v1beta/models/framegate-local:predictLongRunning",
                    "{\"instances\":[{\"prompt\":\"p\",\"image\":{\"inlineData\":{\"mimeType\":\"image/png\",\"data\":\""
                            + Base64.getEncoder().encodeToString(IMAGE) + "\"}}}],\"parameters\":{\"durationSeconds\":1,"
                            + "\"resolution\":\"144p\",\"aspectRatio\":\"16:9\"}}");
            assertThat(created.statusCode()).as(new String(created.body())).isEqualTo(200);
            String googleDownload = awaitGeminiDownload(s, json(created).path("name").asText());
            assertThat(s.openAi("GET", "/v1/videos/" + id + "/content", s.keyA, null).statusCode()).isEqualTo(200);
            assertThat(s.gemini("GET", googleDownload, null).statusCode()).isEqualTo(200);
            assertThat(s.server.sweeper().sweepOnce().expiredJobs()).isZero();

            s.clock.advance(Duration.ofHours(2));
            // expired content is gone at once, before any sweep
            JsonNode e = openAiError(s.openAi("GET", "/v1/videos/" + id + "/content", s.keyA, null), 410);
            assertThat(e.path("code").asText()).isEqualTo("video_expired");
            assertThat(e.path("message").asText()).contains(id, "expired");

            RetentionSweeper.Report report = s.server.sweeper().sweepOnce();
            assertThat(report.expiredJobs()).isEqualTo(2);
            assertThat(s.data.resolve("files").resolve(id)).doesNotExist();
            assertThat(s.storedFiles()).isEmpty();

            // the row stays: retrieve and list show the job completed with expires_at in the past; content is 410
            JsonNode v = json(s.openAi("GET", "/v1/videos/" + id, s.keyA, null));
            assertThat(v.path("status").asText()).isEqualTo("completed");
            assertThat(v.path("expires_at").asLong()).isLessThan(s.clock.millis() / 1000);
            JsonNode list = json(s.openAi("GET", "/v1/videos", s.keyA, null));
            assertThat(list.path("data").findValues("expires_at")).hasSize(2);
            assertThat(openAiError(s.openAi("GET", "/v1/videos/" + id + "/content?variant=thumbnail", s.keyA, null), 410)
                    .path("code").asText()).isEqualTo("video_expired");
            HttpResponse<byte[]> g = s.gemini("GET", googleDownload, null);
            assertThat(g.statusCode()).as(new String(g.body())).isEqualTo(410);
            assertThat(json(g).at("/error/code").asInt()).isEqualTo(410);
            assertThat(json(g).at("/error/status").asText()).as("docs/limits.md: Google 410 NOT_FOUND").isEqualTo("NOT_FOUND");
            assertThat(json(g).at("/error/message").asText()).contains("expired");
            // a second sweep (or another process sweeping too) finds nothing left to do
            assertThat(s.server.sweeper().sweepOnce().expiredJobs()).isZero();
        }
    }

    /**
     * The Google surfaces' result URIs of an expired job: the operation still answers (done, its samples named as
     * before, so a download or a request naming them gets the 410 that says they expired), but hands out no
     * {@code metadata.framegate.download_urls} and says in {@code warnings} that the videos expired. A Vertex operation
     * whose videos were inline ({@code bytesBase64Encoded}, no {@code storageUri}) cannot be answered without them:
     * its poll is the 410 of expired content.
     */
    @Test
    void anExpiredJobsOperationHandsOutNoDownloadLinksAndSaysTheVideosExpired() throws Exception {
        try (Srv s = new Srv(dir, null, "  results: 1h\n", new TinyVideoBackend("local", true, 0))) {
            String image = "{\"bytesBase64Encoded\":\"" + Base64.getEncoder().encodeToString(IMAGE)
                    + "\",\"mimeType\":\"image/png\"}";
            String params = "\"durationSeconds\":1,\"resolution\":\"144p\",\"aspectRatio\":\"16:9\"";
            HttpResponse<byte[]> g = s.gemini("POST", "/v1beta/models/framegate-local:predictLongRunning",
                    "{\"instances\":[{\"prompt\":\"p\",\"image\":" + image + "}],\"parameters\":{" + params + "}}");
            assertThat(g.statusCode()).as(new String(g.body())).isEqualTo(200);
            String geminiOp = "/v1beta/" + json(g).path("name").asText();
            String vertex = "/v1/projects/p/locations/l/publishers/google/models/framegate-local";
            String inlineOp = json(s.openAi("POST", vertex + ":predictLongRunning", s.keyA,
                    "{\"instances\":[{\"prompt\":\"p\",\"image\":" + image + "}],\"parameters\":{" + params + "}}"))
                    .path("name").asText();
            String gcsOp = json(s.openAi("POST", vertex + ":predictLongRunning", s.keyA,
                    "{\"instances\":[{\"prompt\":\"p\",\"image\":" + image + "}],\"parameters\":{" + params
                            + ",\"storageUri\":\"gs://b/out\"}}")).path("name").asText();
            String inlineFetch = "{\"operationName\":\"" + inlineOp + "\"}";
            String gcsFetch = "{\"operationName\":\"" + gcsOp + "\"}";
            awaitGeminiDownload(s, geminiOp.substring("/v1beta/".length()));
            for (String fetch : List.of(inlineFetch, gcsFetch)) {
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (!json(s.openAi("POST", vertex + ":fetchPredictOperation", s.keyA, fetch)).path("done").asBoolean()) {
                    if (System.nanoTime() > deadline) fail("not done: " + fetch);
                    Thread.sleep(50);
                }
            }

            s.clock.advance(Duration.ofHours(2));
            JsonNode op = json(s.gemini("GET", geminiOp, null));
            assertThat(op.path("done").asBoolean()).as(op.toString()).isTrue();
            String uri = op.at("/response/generateVideoResponse/generatedSamples/0/video/uri").asText();
            assertThat(uri).as(op.toString()).contains("/files/");
            assertThat(op.at("/metadata/framegate/download_urls").isMissingNode()).as(op.toString()).isTrue();
            assertThat(op.at("/metadata/framegate/warnings").toString()).as(op.toString()).contains("expired");
            HttpResponse<byte[]> download = s.gemini("GET", URI.create(uri).getRawPath() + "?alt=media", null);
            assertThat(download.statusCode()).as(new String(download.body())).isEqualTo(410);

            HttpResponse<byte[]> gcs = s.openAi("POST", vertex + ":fetchPredictOperation", s.keyA, gcsFetch);
            assertThat(gcs.statusCode()).as(new String(gcs.body())).isEqualTo(200);
            assertThat(json(gcs).at("/response/videos/0/gcsUri").asText()).startsWith("gs://b/out/");
            assertThat(json(gcs).at("/metadata/framegate/download_urls").isMissingNode()).as(json(gcs).toString()).isTrue();
            assertThat(json(gcs).at("/metadata/framegate/warnings").toString()).contains("expired");

            HttpResponse<byte[]> inline = s.openAi("POST", vertex + ":fetchPredictOperation", s.keyA, inlineFetch);
            assertThat(inline.statusCode()).as(new String(inline.body())).isEqualTo(410);
            assertThat(json(inline).at("/error/status").asText()).isEqualTo("NOT_FOUND");
            assertThat(json(inline).at("/error/message").asText()).contains("expired");
        }
    }

    /**
     * A Veo request naming a file of an expired job by {@code gcsUri} (a frame or thumbnail of its video, one of its
     * input images, or the video to extend) is the 410 of expired content, and like every refusal of a request field
     * on these surfaces it names the field ({@code fieldViolations}), before and after the sweep deleted the files.
     */
    @Test
    void aGcsUriNamingAnExpiredJobsFileIsA410NamingTheField() throws Exception {
        try (Srv s = new Srv(dir, null, "  results: 1h\n", new TinyVideoBackend("local", true, 0))) {
            String vertex = "/v1/projects/p/locations/l/publishers/google/models/framegate-local";
            String params = "\"durationSeconds\":1,\"resolution\":\"144p\",\"aspectRatio\":\"16:9\"";
            String image = "{\"bytesBase64Encoded\":\"" + Base64.getEncoder().encodeToString(IMAGE)
                    + "\",\"mimeType\":\"image/png\"}";
            String op = json(s.openAi("POST", vertex + ":predictLongRunning", s.keyA, "{\"instances\":[{\"prompt\":\"p\","
                    + "\"image\":" + image + "}],\"parameters\":{" + params + ",\"storageUri\":\"gs://b/out\"}}"))
                    .path("name").asText();
            String fetch = "{\"operationName\":\"" + op + "\"}";
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            JsonNode done;
            while (!(done = json(s.openAi("POST", vertex + ":fetchPredictOperation", s.keyA, fetch))).path("done").asBoolean()) {
                if (System.nanoTime() > deadline) fail("not done: " + done);
                Thread.sleep(50);
            }
            String video = done.at("/response/videos/0/gcsUri").asText();
            String folder = video.substring(0, video.length() - "sample_0.mp4".length());
            String frameOk = "{\"instances\":[{\"prompt\":\"p\",\"image\":{\"gcsUri\":\"" + folder
                    + "sample_0_frame_0.png\",\"mimeType\":\"image/png\"}}],\"parameters\":{" + params + "}}";
            assertThat(s.openAi("POST", vertex + ":predictLongRunning", s.keyA, frameOk).statusCode()).isEqualTo(200);

            s.clock.advance(Duration.ofHours(2));
            for (boolean swept : new boolean[] {false, true}) {
                if (swept) assertThat(s.server.sweeper().sweepOnce().expiredJobs()).isPositive();
                for (String name : List.of("sample_0_frame_0.png", "sample_0_thumbnail.webp", "input_0.png")) {
                    String uri = folder + name;
                    HttpResponse<byte[]> r = s.openAi("POST", vertex + ":predictLongRunning", s.keyA,
                            "{\"instances\":[{\"prompt\":\"p\",\"image\":{\"gcsUri\":\"" + uri
                                    + "\",\"mimeType\":\"image/png\"}}],\"parameters\":{" + params + "}}");
                    JsonNode e = json(r).path("error");
                    assertThat(r.statusCode()).as("%s (swept: %s): %s", name, swept, e).isEqualTo(410);
                    assertThat(e.path("status").asText()).isEqualTo("NOT_FOUND");
                    assertThat(e.at("/details/0/fieldViolations/0/field").asText()).as(e.toString())
                            .isEqualTo("instances[0].image.gcsUri");
                    assertThat(e.path("message").asText()).contains("instances[0].image.gcsUri=" + uri).contains("expired");
                }
                HttpResponse<byte[]> ext = s.openAi("POST", vertex + ":predictLongRunning", s.keyA,
                        "{\"instances\":[{\"prompt\":\"p\",\"video\":{\"gcsUri\":\"" + video
                                + "\",\"mimeType\":\"video/mp4\"}}],\"parameters\":{" + params + "}}");
                JsonNode e = json(ext).path("error");
                assertThat(ext.statusCode()).as("extension (swept: %s): %s", swept, e).isEqualTo(410);
                assertThat(e.at("/details/0/fieldViolations/0/field").asText()).as(e.toString())
                        .isEqualTo("instances[0].video.gcsUri");
            }
        }
    }

    @Test
    void theServerSweepsOnItsOwnSchedule() throws Exception {
        try (Srv s = new Srv(dir, null, "  results: 1h\n  sweep_interval: 100ms\n", new TinyVideoBackend("local", true, 0))) {
            String id = s.create(1);
            assertThat(s.await(id).path("status").asText()).isEqualTo("completed");
            Path video = s.data.resolve("files").resolve(id).resolve("0").resolve("video.mp4");
            assertThat(video).exists();
            s.clock.advance(Duration.ofHours(2));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (Files.exists(video)) {
                if (System.nanoTime() > deadline) fail("the scheduled sweep did not delete " + video);
                Thread.sleep(50);
            }
            assertThat(s.server.jobs().get(s.keyAId, id)).isPresent();
        }
    }

    private static String awaitGeminiDownload(Srv s, String operation) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            JsonNode op = json(s.gemini("GET", "/v1beta/" + operation, null));
            if (op.path("done").asBoolean()) {
                assertThat(op.has("error")).as(op.toString()).isFalse();
                String url = op.at("/metadata/framegate/download_urls/0").asText();
                return URI.create(url).getRawPath() + "?" + URI.create(url).getRawQuery();
            }
            if (System.nanoTime() > deadline) fail("operation not done: " + op);
            Thread.sleep(50);
        }
    }

    @Test
    void inputsOfAnEndedJobAreDeletedAfterTheGraceAndItsVideoStays() throws Exception {
        try (Srv s = new Srv(dir, null, "  inputs_grace: 1h\n", new TinyVideoBackend("local", true, 0))) {
            String id = s.create(1);
            assertThat(s.await(id).path("status").asText()).isEqualTo("completed");
            Path input = s.data.resolve("files").resolve(id).resolve("input-0");
            assertThat(s.server.sweeper().sweepOnce().inputsDeleted()).isZero();
            assertThat(input).exists();

            s.clock.advance(Duration.ofHours(2));
            assertThat(s.server.sweeper().sweepOnce().inputsDeleted()).isEqualTo(1);
            assertThat(input).doesNotExist();
            assertThat(s.data.resolve("files").resolve(id).resolve("0").resolve("video.mp4")).exists();
            assertThat(s.openAi("GET", "/v1/videos/" + id + "/content", s.keyA, null).statusCode()).isEqualTo(200);
            // a remix needs the inputs: gone for good (410); an extension needs only the video: still fine
            JsonNode e = openAiError(s.openAi("POST", "/v1/videos/" + id + "/remix", s.keyA, "{\"prompt\":\"again\"}"), 410);
            assertThat(e.path("code").asText()).isEqualTo("video_expired");
            assertThat(s.await(extend(s, id)).path("status").asText()).isEqualTo("completed");
        }
    }

    /**
     * A job that ends without output keeps only its inputs; once the grace deletes them nothing of it is left, not even
     * an empty {@code files/<jobId>/} directory (one per failed or cancelled job would pile up until expiry).
     */
    @Test
    void aFailedOrCancelledJobLeavesNoDirectoryOnceItsInputsAreDeleted() throws Exception {
        TinyVideoBackend backend = new TinyVideoBackend("local", true, 25);
        try (Srv s = new Srv(dir, null, "  inputs_grace: 1h\n", backend)) {
            String cancelled = s.create(60);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (s.server.jobs().get(s.keyAId, cancelled).orElseThrow().progress() < 1) {
                if (System.nanoTime() > deadline) fail("the render did not start");
                Thread.sleep(20);
            }
            assertThat(s.openAi("POST", "/v1/videos/" + cancelled + "/cancel", s.keyA, null).statusCode()).isEqualTo(200);
            assertThat(s.await(cancelled).at("/error/code").asText()).isEqualTo("cancelled");
            backend.failWith("upstream_failed");
            String failed = s.create(1);
            assertThat(s.await(failed).at("/error/code").asText()).isEqualTo("upstream_failed");
            Path files = s.data.resolve("files");
            assertThat(s.storedFiles()).containsExactlyInAnyOrder(files.resolve(cancelled).resolve("input-0"),
                    files.resolve(failed).resolve("input-0"));

            s.clock.advance(Duration.ofHours(2));
            assertThat(s.server.sweeper().sweepOnce().inputsDeleted()).isEqualTo(2);
            assertThat(files.resolve(cancelled)).doesNotExist();
            assertThat(files.resolve(failed)).doesNotExist();
            try (Stream<Path> left = Files.list(files)) {
                assertThat(left).isEmpty();
            }
        }
    }

    /**
     * The orphan sweep leaves no empty job directory either: not one whose last file was a half-written
     * {@code .put-*.tmp} (a crash mid-write), nor one an earlier version left empty after deleting the inputs.
     */
    @Test
    void aJobDirectoryTheSweepEmptiesOrFindsEmptyIsRemovedOnceOld() throws Exception {
        TinyVideoBackend backend = new TinyVideoBackend("local", true, 0);
        backend.failWith("upstream_failed");
        try (Srv s = new Srv(dir, null, "  inputs_grace: 1h\n", backend)) {
            String crashed = s.create(1);
            String leftEmpty = s.create(1);
            s.await(crashed);
            s.await(leftEmpty);
            s.clock.advance(Duration.ofHours(2));
            assertThat(s.server.sweeper().sweepOnce().inputsDeleted()).isEqualTo(2);
            Path files = s.data.resolve("files");
            Files.write(Files.createDirectories(files.resolve(crashed)).resolve(".put-1.tmp"), new byte[10]);
            Files.createDirectories(files.resolve(leftEmpty));

            s.clock.advance(Duration.ofHours(2));
            s.server.sweeper().sweepOnce();
            assertThat(files.resolve(crashed)).doesNotExist();
            assertThat(files.resolve(leftEmpty)).doesNotExist();
        }
    }

    @Test
    void orphanedScratchAndTemporaryFilesAreRemovedOnceOld() throws Exception {
        try (Srv s = new Srv(dir, null, null, new TinyVideoBackend("local", true, 0))) {
            String id = s.create(1);
            assertThat(s.await(id).path("status").asText()).isEqualTo("completed");
            Path files = s.data.resolve("files");
            Path orphanDir = Files.createDirectories(files.resolve("video_0123abc"));
            Files.write(orphanDir.resolve("input-0"), IMAGE);
            Path halfWritten = Files.write(files.resolve(id).resolve(".put-123.tmp"), new byte[10]);
            Path scratch = Files.createDirectories(s.data.resolve("work").resolve("video_gone"));
            Files.write(scratch.resolve("frame.png"), IMAGE);
            Path upload = Files.write(s.data.resolve("uploads").resolve("MultiPart123.tmp"), new byte[10]);

            s.clock.advance(Duration.ofHours(2));
            // written "just now" by the clock's reckoning: too young to be an orphan
            Path young = Files.createDirectories(files.resolve("video_young"));
            Files.write(young.resolve("input-0"), IMAGE);
            Files.setLastModifiedTime(young, FileTime.from(s.clock.instant()));

            RetentionSweeper.Report report = s.server.sweeper().sweepOnce();
            assertThat(report.orphansDeleted()).isEqualTo(4);
            assertThat(orphanDir).doesNotExist();
            assertThat(halfWritten).doesNotExist();
            assertThat(scratch).doesNotExist();
            assertThat(upload).doesNotExist();
            assertThat(young.resolve("input-0")).exists();
            assertThat(files.resolve(id).resolve("0").resolve("video.mp4")).exists();
        }
    }

    @Test
    void lowDiskRefusesNewJobsWith507BeforeAnythingIsWritten() throws Exception {
        try (Srv s = new Srv(dir, "  min_free_disk: 1GiB\n", null, new TinyVideoBackend("local", true, 0))) {
            s.freeBytes.set(100L * 1024 * 1024);
            HttpResponse<byte[]> refused = s.openAi("POST", "/v1/videos", s.keyA, SMALL_JOB.formatted(1));
            JsonNode e = openAiError(refused, 507);
            // a provable refusal (nothing was created): the SDKs may retry it later
            assertThat(refused.headers().firstValue("x-should-retry")).isEmpty();
            assertThat(e.path("code").asText()).isEqualTo("insufficient_storage");
            assertThat(e.path("type").asText()).isEqualTo("server_error");
            assertThat(e.path("message").asText()).contains("storage").doesNotContain(s.data.toString());
            HttpResponse<byte[]> g = s.gemini("POST", "/v1beta/models/framegate-local:predictLongRunning",
                    "{\"instances\":[{\"prompt\":\"p\",\"image\":{\"inlineData\":{\"mimeType\":\"image/png\",\"data\":\""
                            + Base64.getEncoder().encodeToString(IMAGE) + "\"}}}],\"parameters\":{\"durationSeconds\":1}}");
            assertThat(g.statusCode()).as(new String(g.body())).isEqualTo(507);
            assertThat(json(g).at("/error/status").asText()).isEqualTo("RESOURCE_EXHAUSTED");
            assertThat(s.jobsOfA()).isZero();
            assertThat(s.storedFiles()).isEmpty();

            s.freeBytes.set(100L * 1024 * 1024 * 1024);
            assertThat(s.await(s.create(1)).path("status").asText()).isEqualTo("completed");
        }
    }

    /** Key A gets {@code rpm: 1}, read from the database by the next create. */
    private static void oneCreatePerMinute(Srv s) {
        s.server.database().jdbi().useHandle(h -> h.createUpdate("UPDATE api_keys SET rpm = 1 WHERE id = :id")
                .bind("id", s.keyAId).execute());
    }

    private static void refusedForTheRate(Srv s) throws Exception {
        JsonNode e = openAiError(s.openAi("POST", "/v1/videos", s.keyA, SMALL_JOB.formatted(1)), 429);
        assertThat(e.path("code").asText()).isEqualTo("rate_limit_exceeded");
        assertThat(e.path("message").asText()).contains("1 video creates per minute");
    }

    /**
     * docs/admin.md, What clients see; docs/limits.md, rpm: a create refused for the queue bound
     * ({@code limits.max_queued_jobs}) uses no rpm slot. One slow render runs, one job waits (the bound, 1), so a create
     * (with an image: its files are written outside one transaction) is a 429 {@code queue_full}; once the waiting job
     * is cancelled, the next create of the minute is accepted.
     */
    @Test
    void aCreateRefusedForTheQueueBoundDoesNotUseUpAnRpmSlot() throws Exception {
        try (Srv s = new Srv(dir, "  max_queued_jobs: 1\n", null, new TinyVideoBackend("local", true, 2000))) {
            TestClock.earlyInAMinuteWindow();
            String running = s.create(1);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (!json(s.openAi("GET", "/v1/videos/" + running, s.keyA, null)).path("status").asText().equals("in_progress")) {
                assertThat(System.nanoTime()).as("the first job starts").isLessThan(deadline);
                Thread.sleep(50);
            }
            String waiting = s.create(1);
            oneCreatePerMinute(s);
            JsonNode full = openAiError(s.openAi("POST", "/v1/videos", s.keyA, SMALL_JOB.formatted(1)), 429);
            assertThat(full.path("code").asText()).isEqualTo("queue_full");
            assertThat(s.openAi("POST", "/v1/videos/" + waiting + "/cancel", s.keyA, null).statusCode()).isEqualTo(200);
            String accepted = s.create(1); // asserts the 200: the refused create took no rpm slot
            assertThat(s.openAi("POST", "/v1/videos/" + accepted + "/cancel", s.keyA, null).statusCode()).isEqualTo(200);
            refusedForTheRate(s);
        }
    }

    /** docs/admin.md, What clients see; docs/limits.md, rpm: a create refused for disk space (507) uses no rpm slot. */
    @Test
    void aCreateRefusedForDiskSpaceDoesNotUseUpAnRpmSlot() throws Exception {
        try (Srv s = new Srv(dir, "  min_free_disk: 1GiB\n", null, new TinyVideoBackend("local", true, 0))) {
            TestClock.earlyInAMinuteWindow();
            oneCreatePerMinute(s);
            s.freeBytes.set(1024L * 1024 * 1024); // the image would take it under the minimum
            JsonNode e = openAiError(s.openAi("POST", "/v1/videos", s.keyA, SMALL_JOB.formatted(1)), 507);
            assertThat(e.path("code").asText()).isEqualTo("insufficient_storage");
            s.freeBytes.set(100L * 1024 * 1024 * 1024);
            s.create(1); // asserts the 200: the refused create took no rpm slot
            refusedForTheRate(s);
        }
    }
}
