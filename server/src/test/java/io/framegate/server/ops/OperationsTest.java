package io.framegate.server.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.framegate.domain.GenerationRequest;
import io.framegate.domain.ImageRole;
import io.framegate.server.FramegateServer;
import io.framegate.server.LocalTestBackend;
import io.framegate.server.ServerOptions;
import io.framegate.server.TestImages;
import io.framegate.server.TinyVideoBackend;
import io.framegate.server.jobs.Job;
import io.framegate.server.jobs.WorkerSettings;
import io.framegate.server.media.MediaFinisher;
import org.junit.jupiter.api.AfterEach;
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
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/** Issue 12 item 5: /metrics by state, model and backend with latency histograms; /openapi.json covers every route; JSON job log. */
class OperationsTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String ADMIN = "test-admin-token-0123456789abcdef";
    @TempDir
    Path dir;
    FramegateServer server;
    final ByteArrayOutputStream log = new ByteArrayOutputStream();
    TinyVideoBackend backend = new TinyVideoBackend("local", true, 0);

    @AfterEach
    void stop() {
        if (server != null) server.close();
    }

    void start() throws Exception {
        start(backend, new WorkerSettings(1, 2, Duration.ofSeconds(30), Duration.ofMillis(100), Duration.ofSeconds(5)));
    }

    void start(io.framegate.domain.GenerationBackend local, WorkerSettings workers) throws Exception {
        ServerOptions o = ServerOptions.defaults(dir).withHost("127.0.0.1").withPort(0)
                .withAccessLog(new PrintStream(log, true, StandardCharsets.UTF_8))
                .withWorkers(workers);
        server = FramegateServer.builder(o).environment(Map.of("FRAMEGATE_ADMIN_TOKEN", ADMIN, JobLog.ENV, "json")::get)
                .localBackend(local).finisher(new MediaFinisher()).build().start();
    }

    HttpResponse<String> get(String path, String bearer) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path));
        if (bearer != null) b.header("Authorization", "Bearer " + bearer);
        return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A local job of {@code frames} frames, submitted (not awaited). */
    Job submit(String keyId, int frames) {
        GenerationRequest req = GenerationRequest.builder().model("framegate-local").prompt("secret prompt words").size("64x48")
                .numFrames(frames).fps(12).image(ImageRole.FIRST_FRAME, TestImages.png(64, 48, Color.BLUE), "image/png", "f.png")
                .build();
        return server.jobs().submit(keyId, "openai", req, null);
    }

    Job run(String keyId) throws Exception {
        Job job = submit(keyId, 3);
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            Job now = server.jobs().get(keyId, job.id()).orElseThrow();
            if (now.status().isFinal()) return now;
            Thread.sleep(50);
        }
        throw new AssertionError("the job did not end");
    }

    /** A 64x48 blue PNG as the OpenAI create's {@code input_reference} field. */
    private static final String INPUT_REFERENCE = "\"input_reference\":{\"image_url\":\"data:image/png;base64,"
            + java.util.Base64.getEncoder().encodeToString(TestImages.png(64, 48, Color.BLUE)) + "\"}";

    @Test
    void metricsCountJobsByStateModelAndBackendWithRenderLatencyQueueDepthAndCost() throws Exception {
        start();
        String secret = server.keys().create("app").secret();
        String keyId = server.keys().find(secret).orElseThrow().id();
        run(keyId);
        run(keyId);
        backend.failWith("upstream_failed");
        run(keyId);
        String text = get("/metrics", ADMIN).body();
        assertThat(text).contains("framegate_jobs{backend=\"local\",model=\"framegate-local\",state=\"completed\"} 2.0");
        assertThat(text).contains("framegate_jobs{backend=\"local\",model=\"framegate-local\",state=\"failed\"} 1.0");
        assertThat(text).contains("framegate_queue_depth{lane=\"local\"} 0.0");
        assertThat(text).contains("framegate_jobs_ended_total{backend=\"local\",model=\"framegate-local\",state=\"completed\"} 2.0");
        assertThat(text).contains("framegate_job_render_seconds_count{backend=\"local\",model=\"framegate-local\"} 2");
        assertThat(text).contains("framegate_job_render_seconds_bucket{backend=\"local\",model=\"framegate-local\",le=");
        assertThat(text).contains("framegate_cost_usd_total{backend=\"local\",model=\"framegate-local\"} 0.0");
        assertThat(text).contains("framegate_jobs_failed_total{error_code=\"upstream_failed\"} 1.0");
        assertThat(get("/metrics", secret).statusCode()).as("an API key cannot read metrics").isEqualTo(403);

        // the job log: one JSON line per end, ids only
        List<JsonNode> jobLines = new ArrayList<>();
        for (String line : log.toString(StandardCharsets.UTF_8).split("\n")) {
            if (line.isBlank()) continue;
            JsonNode n = JSON.readTree(line); // every line of the stream is JSON
            if ("job".equals(n.path("log").asText())) jobLines.add(n);
        }
        assertThat(jobLines).hasSize(3);
        assertThat(jobLines).extracting(n -> n.path("event").asText())
                .containsExactlyInAnyOrder("video.completed", "video.completed", "video.failed");
        assertThat(jobLines.getFirst().path("key_id").asText()).isEqualTo(keyId);
        assertThat(jobLines.getFirst().path("duration_ms").isNumber()).isTrue();
        assertThat(log.toString(StandardCharsets.UTF_8)).doesNotContain(secret).doesNotContain("secret prompt words");
        // docs/admin.md, Logs: a failed job's line carries its error code, never its error message
        JsonNode failed = jobLines.stream().filter(n -> n.path("event").asText().equals("video.failed")).findFirst().orElseThrow();
        assertThat(failed.path("error_code").asText()).isEqualTo("upstream_failed");
        assertThat(failed.path("model").asText()).isEqualTo("framegate-local");
        assertThat(failed.path("backend").asText()).isEqualTo("local");
        assertThat(failed.path("job_id").asText()).startsWith("video_");
        assertThat(failed.path("local_render").isBoolean()).isTrue();
        assertThat(log.toString(StandardCharsets.UTF_8)).doesNotContain("the test backend was told to fail");
    }

    /**
     * docs/admin.md, GET /metrics: {@code framegate_queue_depth{lane}} counts the queued jobs per lane, {@code local},
     * {@code cloud} and {@code unrouted}: a queued job whose row names no lane (one queued before lanes existed; the
     * dispatcher places it when it takes it). One job renders slowly in the one local slot and two wait behind it;
     * one of those loses its lane.
     */
    @Test
    void queueDepthCountsAQueuedJobWithoutALaneAsUnrouted() throws Exception {
        start(new TinyVideoBackend("local", true, 500), new WorkerSettings(1, 2, Duration.ofSeconds(30),
                Duration.ofMillis(100), Duration.ofSeconds(5)));
        String keyId = server.keys().find(server.keys().create("app").secret()).orElseThrow().id();
        Job running = submit(keyId, 60); // 60 frames at 500 ms: holds the slot for the whole test
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (server.jobs().get(keyId, running.id()).orElseThrow().status() != io.framegate.domain.JobStatus.IN_PROGRESS) {
            assertThat(System.nanoTime()).as("the first job started").isLessThan(deadline);
            Thread.sleep(20);
        }
        Job routed = submit(keyId, 3), unrouted = submit(keyId, 3);
        try {
            server.database().jdbi().useHandle(h -> h.createUpdate("UPDATE jobs SET lane = NULL WHERE id = :id")
                    .bind("id", unrouted.id()).execute());
            String text = get("/metrics", ADMIN).body();
            assertThat(text).contains("framegate_queue_depth{lane=\"local\"} 1.0");
            assertThat(text).contains("framegate_queue_depth{lane=\"unrouted\"} 1.0");
            assertThat(text).contains("framegate_queue_depth{lane=\"cloud\"} 0.0");
            // docs/admin.md: framegate_jobs_running{lane} counts the job rendering in the local slot
            assertThat(text).contains("framegate_jobs_running{lane=\"local\"} 1.0");
            assertThat(text).contains("framegate_jobs_running{lane=\"cloud\"} 0.0");
        } finally {
            for (Job j : List.of(running, routed, unrouted)) server.jobs().cancel(keyId, j.id());
        }
    }

    /** A local backend whose job with the prompt "crash once" dies of an {@link Error} once; "slow" renders slowly. */
    static final class CrashOnceBackend extends LocalTestBackend {
        final java.util.concurrent.atomic.AtomicBoolean crashed = new java.util.concurrent.atomic.AtomicBoolean();
        final TinyVideoBackend fast = new TinyVideoBackend("local", true, 0), slow = new TinyVideoBackend("local", true, 300);

        @Override
        public void generate(io.framegate.domain.RenderPlan plan, io.framegate.domain.GenerationContext ctx) throws Exception {
            String prompt = plan.request().prompt();
            if ("crash once".equals(prompt) && crashed.compareAndSet(false, true)) throw new OutOfMemoryError("simulated");
            ("slow".equals(prompt) ? slow : fast).generate(plan, ctx);
        }
    }

    HttpResponse<String> api(String method, String path, String key, String body) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    JsonNode awaitStatus(String key, String id, String... statuses) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            JsonNode v = JSON.readTree(api("GET", "/v1/videos/" + id, key, null).body());
            if (List.of(statuses).contains(v.path("status").asText())) return v;
            if (System.nanoTime() > deadline) throw new AssertionError("video " + id + " never reached " + List.of(statuses) + ": " + v);
            Thread.sleep(50);
        }
    }

    /**
     * docs/admin.md, GET /metrics: {@code framegate_jobs_completed_total}, {@code framegate_jobs_retried_total} (an
     * attempt put back after a worker crash) and {@code framegate_jobs_ended_total} with {@code state="cancelled"},
     * after jobs created, crashed once and cancelled over HTTP.
     */
    @Test
    void metricsCountCompletedRetriedAndCancelledJobs() throws Exception {
        start(new CrashOnceBackend(), new WorkerSettings(1, 2, Duration.ofSeconds(30), Duration.ofMillis(100),
                Duration.ofSeconds(5)).withAttempts(3, Duration.ofMillis(100)));
        String key = server.keys().create("app").secret();
        String image = INPUT_REFERENCE;

        HttpResponse<String> crashing = api("POST", "/v1/videos", key, "{\"model\":\"framegate-local\",\"prompt\":\"crash once\","
                + "\"size\":\"64x48\",\"seconds\":\"1\"," + image + "}");
        assertThat(crashing.statusCode()).as(crashing.body()).isEqualTo(200);
        String crashed = JSON.readTree(crashing.body()).path("id").asText();
        assertThat(awaitStatus(key, crashed, "completed", "failed").path("status").asText()).isEqualTo("completed");

        HttpResponse<String> slow = api("POST", "/v1/videos", key, "{\"model\":\"framegate-local\",\"prompt\":\"slow\","
                + "\"size\":\"64x48\",\"seconds\":\"2\"," + image + "}");
        String slowId = JSON.readTree(slow.body()).path("id").asText();
        awaitStatus(key, slowId, "in_progress");
        assertThat(api("POST", "/v1/videos/" + slowId + "/cancel", key, null).statusCode()).isEqualTo(200);
        assertThat(awaitStatus(key, slowId, "failed").at("/error/code").asText()).isEqualTo("cancelled");

        String text = get("/metrics", ADMIN).body();
        assertThat(text).contains("framegate_jobs_completed_total 1.0");
        assertThat(text).contains("framegate_jobs_retried_total 1.0");
        assertThat(text).contains("framegate_jobs_ended_total{backend=\"local\",model=\"framegate-local\",state=\"cancelled\"} 1.0");
        assertThat(text).contains("framegate_jobs_ended_total{backend=\"local\",model=\"framegate-local\",state=\"completed\"} 1.0");
        assertThat(text).contains("framegate_jobs{backend=\"local\",model=\"framegate-local\",state=\"cancelled\"} 1.0");
    }

    /**
     * A job the client cancels after the dispatcher claimed it for the local backend (it reads in_progress) but before
     * its attempt read its row ends cancelled without rendering: it is still counted, and logged, under the backend it
     * was dispatched to, not {@code backend="none"}. The worker is held right before that read, so the cancel always
     * lands in this window (metricsCountCompletedRetriedAndCancelledJobs hit it by chance).
     */
    @Test
    void aJobCancelledBetweenItsClaimAndItsAttemptIsCountedUnderItsBackend() throws Exception {
        start(new CrashOnceBackend(), new WorkerSettings(1, 2, Duration.ofSeconds(30), Duration.ofMillis(100),
                Duration.ofSeconds(5)));
        java.util.concurrent.CountDownLatch claimed = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        server.database().jdbi().addCustomizer(new org.jdbi.v3.core.statement.StatementCustomizer() {
            @Override
            public void beforeExecution(java.sql.PreparedStatement stmt, org.jdbi.v3.core.statement.StatementContext ctx) {
                // the attempt's first read of its row (JobExecution.attempt), on the local lane's thread
                if (!Thread.currentThread().getName().startsWith("framegate-local")
                        || !ctx.getRawSql().contains("download_attempts FROM jobs WHERE id = :id")) return;
                claimed.countDown();
                try {
                    release.await(30, java.util.concurrent.TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        });
        String key = server.keys().create("app").secret();
        String image = INPUT_REFERENCE;
        HttpResponse<String> slow = api("POST", "/v1/videos", key, "{\"model\":\"framegate-local\",\"prompt\":\"slow\","
                + "\"size\":\"64x48\",\"seconds\":\"2\"," + image + "}");
        assertThat(slow.statusCode()).as(slow.body()).isEqualTo(200);
        String id = JSON.readTree(slow.body()).path("id").asText();
        try {
            assertThat(claimed.await(30, java.util.concurrent.TimeUnit.SECONDS)).as("the job was claimed").isTrue();
            assertThat(awaitStatus(key, id, "in_progress", "completed", "failed").path("status").asText()).isEqualTo("in_progress");
            assertThat(api("POST", "/v1/videos/" + id + "/cancel", key, null).statusCode()).isEqualTo(200);
        } finally {
            release.countDown();
        }
        assertThat(awaitStatus(key, id, "completed", "failed").at("/error/code").asText()).isEqualTo("cancelled");

        String text = get("/metrics", ADMIN).body();
        assertThat(text).contains("framegate_jobs_ended_total{backend=\"local\",model=\"framegate-local\",state=\"cancelled\"} 1.0");
        assertThat(text).contains("framegate_jobs{backend=\"local\",model=\"framegate-local\",state=\"cancelled\"} 1.0");
        assertThat(text).doesNotContain("backend=\"none\"");
        JsonNode line = null;
        for (String l : log.toString(StandardCharsets.UTF_8).split("\n")) {
            if (l.contains("\"event\":\"video.cancelled\"")) line = JSON.readTree(l);
        }
        assertThat(line).as("the job log's line of the cancel").isNotNull();
        assertThat(line.path("backend").asText()).isEqualTo("local");
        assertThat(line.path("local_render").asBoolean()).isTrue();
    }

    @Test
    void openApiNamesEveryRegisteredRouteAndNothingElse() throws Exception {
        start();
        HttpResponse<String> r = get("/openapi.json", null);
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode doc = JSON.readTree(r.body());
        assertThat(doc.path("openapi").asText()).startsWith("3.1");
        // documented operations, keyed like Javalin's routes: {param} made anonymous, or the x-framegate-route
        Set<String> documented = new TreeSet<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = doc.path("paths").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> p = it.next();
            String route = p.getValue().has("x-framegate-route") ? p.getValue().path("x-framegate-route").asText() : p.getKey();
            for (String m : List.of("get", "post", "put", "patch", "delete", "head")) {
                if (p.getValue().has(m)) documented.add(m.toUpperCase(Locale.ROOT) + " " + anonymous(route));
                if (p.getValue().has(m)) assertThat(p.getValue().path(m).path("responses").size()).as(p.getKey()).isPositive();
            }
        }
        Set<String> registered = new TreeSet<>();
        server.routes().forEach(route -> registered.add(anonymous(route)));
        assertThat(registered).as("every route is registered as one of a small set of patterns").hasSizeGreaterThan(30);
        assertThat(documented).as("documented routes").containsExactlyInAnyOrderElementsOf(registered);
        assertThat(doc.at("/components/schemas/Video/properties/framegate").isMissingNode()).isFalse();
        assertThat(doc.at("/components/schemas/Fidelity/properties/honoured").isMissingNode()).isFalse();
        // docs/admin.md: the webhook payload is described too
        JsonNode hook = doc.at("/webhooks/videoEvent/post");
        assertThat(hook.isMissingNode()).as("webhooks.videoEvent").isFalse();
        assertThat(hook.at("/requestBody/content/application~1json/schema/$ref").asText())
                .isEqualTo("#/components/schemas/VideoEvent");
        assertThat(hook.path("parameters")).extracting(p -> p.path("name").asText())
                .contains("webhook-id", "webhook-timestamp", "webhook-signature");
        assertThat(doc.at("/components/schemas/VideoEvent").isMissingNode()).isFalse();
    }

    static String anonymous(String route) {
        return route.replaceAll("\\{[^}]+}", "{}").replaceAll("<[^>]+>", "<>");
    }
}
