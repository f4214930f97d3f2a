package io.framegate.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.framegate.server.jobs.ListOrder;
import io.framegate.server.jobs.WorkerSettings;
import io.framegate.server.media.MediaFinisher;
import io.framegate.server.openai.OpenAiSurface;
import io.framegate.server.veo.GeminiSurface;
import io.framegate.server.veo.VertexSurface;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.Color;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One key's videos do not exist for another key on any endpoint, and an {@code Idempotency-Key} belongs to the key
 * that sent it; concurrent creates with one {@code Idempotency-Key} make one job. Real HTTP against one server with
 * the OpenAI, Gemini and Vertex surfaces.
 */
class IsolationTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final String PNG = Base64.getEncoder().encodeToString(TestImages.png(64, 36, Color.ORANGE));
    @TempDir
    static Path dir;
    private static FramegateServer server;
    private static String base;
    private static String keyA;
    private static String keyB;
    /** A completed video of key A. */
    private static String videoOfA;

    @BeforeAll
    static void start() throws Exception {
        ServerOptions options = ServerOptions.defaults(dir).withHost("127.0.0.1").withPort(0).withAccessLog(null)
                .withWorkers(new WorkerSettings(1, 2, Duration.ofSeconds(30), Duration.ofMillis(100), Duration.ofSeconds(5)));
        server = FramegateServer.builder(options).backend("local", new TinyVideoBackend("local", true, 0))
                .finisher(new MediaFinisher())
                .surfaces(List.of(new OpenAiSurface(true), new GeminiSurface(), new VertexSurface())).build().start();
        keyA = server.keys().create("a").secret();
        keyB = server.keys().create("b").secret();
        base = "http://127.0.0.1:" + server.port();
        Reply created = openAi("POST", "/v1/videos", keyA, openAiBody("source"));
        assertThat(created.status()).as(created.body()).isEqualTo(200);
        videoOfA = created.json().path("id").asText();
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (!openAi("GET", "/v1/videos/" + videoOfA, keyA, null).json().path("status").asText().equals("completed")) {
            assertThat(System.nanoTime()).as("the source video completes").isLessThan(deadline);
            Thread.sleep(100);
        }
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
    }

    record Reply(int status, String body) {
        JsonNode json() throws Exception {
            return JSON.readTree(body);
        }
    }

    static Reply send(String method, String path, String body, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json").headers(headers)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        return new Reply(r.statusCode(), r.body());
    }

    static Reply openAi(String method, String path, String key, String body, String... headers) throws Exception {
        List<String> all = new ArrayList<>(List.of("Authorization", "Bearer " + key));
        all.addAll(List.of(headers));
        return send(method, path, body, all.toArray(String[]::new));
    }

    static Reply gemini(String key, String body, String... headers) throws Exception {
        List<String> all = new ArrayList<>(List.of("x-goog-api-key", key));
        all.addAll(List.of(headers));
        return send("POST", "/v1beta/models/framegate-local:predictLongRunning", body, all.toArray(String[]::new));
    }

    static String openAiBody(String prompt) {
        return """
                {"model": "framegate-local", "prompt": "%s", "size": "64x36", "seconds": "1",
                 "input_reference": {"image_url": "data:image/png;base64,%s"}}
                """.formatted(prompt, PNG);
    }

    static String geminiBody(String prompt) {
        return """
                {"instances": [{"prompt": "%s", "image": {"bytesBase64Encoded": "%s", "mimeType": "image/png"}}],
                 "parameters": {"aspectRatio": "16:9", "resolution": "144p", "durationSeconds": 1}}
                """.formatted(prompt, PNG);
    }

    static int jobsOf(String secret) {
        String id = server.keys().find(secret).orElseThrow().id();
        return server.jobs().list(id, null, 100, ListOrder.DESC).data().size();
    }

    /** 404 in the OpenAI shape, with the same message as for an id no key has (nothing tells them apart). */
    static void assertNotFoundLikeNoVideo(Reply other, Reply none) throws Exception {
        assertThat(other.status()).as(other.body()).isEqualTo(404);
        assertThat(other.json().at("/error/code").asText()).endsWith("not_found");
        assertThat(other.body().replace(videoOfA, "ID")).isEqualTo(none.body().replace("video_nosuchvideo", "ID"));
    }

    @Test
    void anotherKeyGets404OnExtensionsRemixAndEveryContentVariant() throws Exception {
        String ext = "{\"video\": {\"id\": \"%s\"}, \"prompt\": \"more\", \"seconds\": \"1\"}";
        assertNotFoundLikeNoVideo(openAi("POST", "/v1/videos/extensions", keyB, ext.formatted(videoOfA)),
                openAi("POST", "/v1/videos/extensions", keyB, ext.formatted("video_nosuchvideo")));
        assertNotFoundLikeNoVideo(openAi("POST", "/v1/videos/" + videoOfA + "/remix", keyB, "{\"prompt\": \"x\"}"),
                openAi("POST", "/v1/videos/video_nosuchvideo/remix", keyB, "{\"prompt\": \"x\"}"));
        for (String variant : List.of("video", "thumbnail", "spritesheet")) {
            String q = "/content?variant=" + variant;
            assertNotFoundLikeNoVideo(openAi("GET", "/v1/videos/" + videoOfA + q, keyB, null),
                    openAi("GET", "/v1/videos/video_nosuchvideo" + q, keyB, null));
            assertNotFoundLikeNoVideo(openAi("GET", "/v1/videos/" + videoOfA + q, keyB, null, "Range", "bytes=0-9"),
                    openAi("GET", "/v1/videos/video_nosuchvideo" + q, keyB, null, "Range", "bytes=0-9"));
            // the owner gets them
            assertThat(openAi("GET", "/v1/videos/" + videoOfA + q, keyA, null).status()).as(variant).isEqualTo(200);
        }
        assertThat(jobsOf(keyB)).as("nothing was created for key B").isZero();
        assertThat(openAi("POST", "/v1/videos/extensions", keyA, ext.formatted(videoOfA)).status()).isEqualTo(200);
    }

    @Test
    void anIdempotencyKeyReusedByAnotherKeyMakesItsOwnJobOnBothSurfaces() throws Exception {
        Reply a = openAi("POST", "/v1/videos", keyA, openAiBody("shared"), "Idempotency-Key", "shared-openai");
        Reply b = openAi("POST", "/v1/videos", keyB, openAiBody("shared"), "Idempotency-Key", "shared-openai");
        Reply bOther = openAi("POST", "/v1/videos", keyB, openAiBody("b's own"), "Idempotency-Key", "shared-openai-2");
        Reply aOther = openAi("POST", "/v1/videos", keyA, openAiBody("a's own"), "Idempotency-Key", "shared-openai-2");
        for (Reply r : List.of(a, b, bOther, aOther)) assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(b.json().path("id").asText()).isNotEqualTo(a.json().path("id").asText());
        assertThat(aOther.json().path("id").asText()).isNotEqualTo(bOther.json().path("id").asText());
        // each key's own replay still answers its own job
        assertThat(openAi("POST", "/v1/videos", keyB, openAiBody("shared"), "Idempotency-Key", "shared-openai")
                .json().path("id").asText()).isEqualTo(b.json().path("id").asText());

        Reply ga = gemini(keyA, geminiBody("shared"), "Idempotency-Key", "shared-veo");
        Reply gb = gemini(keyB, geminiBody("different"), "Idempotency-Key", "shared-veo");
        assertThat(ga.status()).as(ga.body()).isEqualTo(200);
        assertThat(gb.status()).as("another key's request under the same Idempotency-Key is no mismatch: %s", gb.body())
                .isEqualTo(200);
        assertThat(gb.json().path("name").asText()).isNotEqualTo(ga.json().path("name").asText());
    }

    @Test
    void concurrentCreatesWithOneIdempotencyKeyMakeOneJobAndTheOtherBodyGets409OpenAi() throws Exception {
        race("openai", body -> openAi("POST", "/v1/videos", keyA, openAiBody(body), "Idempotency-Key", "race-openai"),
                r -> r.json().path("id").asText());
    }

    @Test
    void concurrentCreatesWithOneIdempotencyKeyMakeOneJobAndTheOtherBodyGets409Gemini() throws Exception {
        race("gemini", body -> gemini(keyA, geminiBody(body), "Idempotency-Key", "race-gemini"),
                r -> r.json().path("name").asText());
    }

    interface Create {
        Reply send(String prompt) throws Exception;
    }

    interface IdOf {
        String of(Reply r) throws Exception;
    }

    /**
     * Ten creates at once with one Idempotency-Key, five with body "x" and five with body "y": one job exists after;
     * the creates with the winning body answer it or, while its create was under way, 409 idempotency_key_in_use; the
     * others get 409 (the mismatch, or the key in use).
     */
    private static void race(String surface, Create create, IdOf idOf) throws Exception {
        int before = jobsOf(keyA);
        ExecutorService pool = Executors.newFixedThreadPool(10);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Reply>> x = new ArrayList<>();
        List<Future<Reply>> y = new ArrayList<>();
        try {
            for (int i = 0; i < 10; i++) {
                String body = i % 2 == 0 ? "x" : "y";
                Future<Reply> f = pool.submit((Callable<Reply>) () -> {
                    go.await();
                    return create.send(surface + " " + body);
                });
                (i % 2 == 0 ? x : y).add(f);
            }
            go.countDown();
            List<Reply> xs = new ArrayList<>();
            List<Reply> ys = new ArrayList<>();
            for (Future<Reply> f : x) xs.add(f.get());
            for (Future<Reply> f : y) ys.add(f.get());
            boolean xWon = xs.stream().anyMatch(r -> r.status() == 200);
            List<Reply> winners = xWon ? xs : ys;
            List<Reply> losers = xWon ? ys : xs;
            Set<String> ids = new HashSet<>();
            for (Reply r : winners) {
                if (r.status() == 409 && r.body().contains("still being processed")) continue;
                assertThat(r.status()).as(r.body()).isEqualTo(200);
                ids.add(idOf.of(r));
            }
            assertThat(ids).as("one job for every create of the winning body").hasSize(1);
            for (Reply r : losers) {
                assertThat(r.status()).as("the other body under the same key: %s", r.body()).isEqualTo(409);
                assertThat(r.body()).contains("Idempotency-Key").doesNotContain("SQL").doesNotContain("Exception");
            }
            assertThat(jobsOf(keyA) - before).as("jobs stored").isEqualTo(1);
        } finally {
            pool.shutdownNow();
        }
    }
}
