package io.framegate.server.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.framegate.domain.GenerationRequest;
import io.framegate.domain.ImageRole;
import io.framegate.server.FramegateServer;
import io.framegate.server.TestImages;
import io.framegate.server.TinyVideoBackend;
import io.framegate.server.jobs.Job;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.Color;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Issue 8 item 2: the operator sees jobs that ended upstream_submit_uncertain, through a credential of its own. */
class AdminApiTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String UNCERTAIN = "upstream_submit_uncertain";

    @TempDir
    Path dir;

    FramegateServer server(TinyVideoBackend backend, Map<String, String> env) throws Exception {
        return AdminServers.start(dir, backend, env);
    }

    static GenerationRequest request() {
        return GenerationRequest.builder().model("framegate-local").prompt("p").size("64x48").numFrames(3).fps(12)
                .image(ImageRole.FIRST_FRAME, TestImages.png(64, 48, Color.BLUE), "image/png", "f.png").build();
    }

    record Reply(int status, String body) {
        JsonNode json() throws Exception {
            return JSON.readTree(body);
        }
    }

    static Reply get(FramegateServer s, String path, String bearer) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port() + path))
                .timeout(Duration.ofSeconds(30));
        if (bearer != null) b.header("Authorization", "Bearer " + bearer);
        HttpResponse<String> r = HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
        return new Reply(r.statusCode(), r.body());
    }

    static void awaitFinal(FramegateServer s, String key, String id) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            if (s.jobs().get(key, id).map(j -> j.status().isFinal()).orElse(false)) return;
            Thread.sleep(50);
        }
        throw new AssertionError("job " + id + " did not finish");
    }

    @Test
    void theTokenFileIsMadeOwnerOnlyAndListsEveryKeysUncertainJobsWithACounter() throws Exception {
        TinyVideoBackend backend = new TinyVideoBackend("local", true, 0);
        backend.failWith(UNCERTAIN);
        String token;
        try (FramegateServer s = server(backend, Map.of())) {
            Path file = dir.resolve(AdminToken.FILE);
            assertThat(s.adminToken().file()).contains(file);
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
            try (var files = Files.list(dir)) {
                assertThat(files.map(f -> f.getFileName().toString())).noneMatch(n -> n.endsWith(".tmp"));
            }
            token = Files.readString(file).trim();
            assertThat(token).as("fga_ + 43 characters").matches("fga_[A-Za-z0-9_-]{43}");

            String keyA = s.keys().create("a").secret();
            String keyB = s.keys().create("b").secret();
            java.io.PrintStream stderr = System.err;
            java.io.ByteArrayOutputStream log = new java.io.ByteArrayOutputStream();
            Job a;
            Job b;
            System.setErr(new java.io.PrintStream(log, true, java.nio.charset.StandardCharsets.UTF_8));
            try {
                a = s.jobs().submit(s.keys().find(keyA).orElseThrow().id(), "openai", request(), null);
                b = s.jobs().submit(s.keys().find(keyB).orElseThrow().id(), "openai", request(), null);
                awaitFinal(s, a.ownerKeyId(), a.id());
                awaitFinal(s, b.ownerKeyId(), b.id());
                // the WARN line is written after the job's final state: wait for it (a loaded machine was seen to lose one)
                long logged = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                while (System.nanoTime() < logged && log.toString(java.nio.charset.StandardCharsets.UTF_8).lines()
                        .filter(l -> l.contains("WARN") && l.contains(UNCERTAIN)).count() < 2) {
                    Thread.sleep(20);
                }
            } finally {
                System.setErr(stderr);
            }
            assertThat(log.toString(java.nio.charset.StandardCharsets.UTF_8).lines()
                    .filter(l -> l.contains("WARN") && l.contains(UNCERTAIN) && l.contains("billed")))
                    .as("each uncertain job is logged at WARN").hasSize(2)
                    .anySatisfy(l -> assertThat(l).contains(a.id())).anySatisfy(l -> assertThat(l).contains(b.id()));

            assertThat(get(s, "/admin/v1/jobs", null).status()).isEqualTo(401);
            HttpResponse<String> challenged = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + s.port() + "/admin/v1/jobs")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(challenged.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
            assertThat(get(s, "/admin/v1/jobs", "not-the-token").status()).isEqualTo(401);
            Reply withKey = get(s, "/admin/v1/jobs", keyA);
            assertThat(withKey.status()).isEqualTo(403);
            assertThat(withKey.json().at("/error/message").asText()).contains("API keys cannot use the admin API");
            assertThat(get(s, "/v1/videos", token).status()).as("the admin token is no API key").isEqualTo(401);

            Reply all = get(s, "/admin/v1/jobs?status=failed&error_code=" + UNCERTAIN + "&limit=10", token);
            assertThat(all.status()).as(all.body()).isEqualTo(200);
            assertThat(all.json().path("data")).hasSize(2);
            assertThat(all.json().path("data").findValuesAsText("id")).containsExactlyInAnyOrder(a.id(), b.id());
            assertThat(all.json().path("data").findValuesAsText("owner_key_id"))
                    .containsExactlyInAnyOrder(a.ownerKeyId(), b.ownerKeyId());
            assertThat(all.json().at("/data/0/error_code").asText()).isEqualTo(UNCERTAIN);
            assertThat(all.json().at("/data/0/attempts").asInt()).isEqualTo(1);
            assertThat(get(s, "/admin/v1/jobs?error_code=content_filtered", token).json().path("data")).isEmpty();
            assertThat(get(s, "/admin/v1/jobs?status=completed", token).json().path("data")).isEmpty();

            Reply badStatus = get(s, "/admin/v1/jobs?status=done", token);
            assertThat(badStatus.status()).isEqualTo(400);
            assertThat(badStatus.json().at("/error/param").asText()).isEqualTo("status");
            // the code every admin route gives a bad value (docs/admin.md, Errors)
            assertThat(badStatus.json().at("/error/code").asText()).isEqualTo("invalid_value");
            assertThat(badStatus.json().at("/error/message").asText()).contains("status=done").contains("failed");
            assertThat(get(s, "/admin/v1/jobs?limit=0", token).json().at("/error/param").asText()).isEqualTo("limit");

            assertThat(get(s, "/metrics", keyA).status()).isEqualTo(403);
            Reply metrics = get(s, "/metrics", token);
            assertThat(metrics.status()).isEqualTo(200);
            assertThat(metrics.body()).contains("framegate_jobs_failed_total{error_code=\"" + UNCERTAIN + "\"} 2.0")
                    .contains("framegate_jobs_running{lane=\"cloud\"} 0.0");
        }
        // loosened by someone meanwhile: a later start tightens it back
        Files.setPosixFilePermissions(dir.resolve(AdminToken.FILE), PosixFilePermissions.fromString("rw-r--r--"));
        String tokenFile = dir.resolve(AdminToken.FILE).toAbsolutePath().toString();
        java.io.PrintStream stderr = System.err;
        java.io.ByteArrayOutputStream startLog = new java.io.ByteArrayOutputStream();
        System.setErr(new java.io.PrintStream(startLog, true, java.nio.charset.StandardCharsets.UTF_8));
        FramegateServer started;
        try {
            started = server(new TinyVideoBackend("local", true, 0), Map.of());
        } finally {
            System.setErr(stderr);
        }
        // docs/admin.md: the start log names the file; a later start reads it (nothing "created")
        assertThat(startLog.toString(java.nio.charset.StandardCharsets.UTF_8))
                .contains("admin API (/admin/v1, /metrics): token in " + tokenFile).doesNotContain("created now");
        try (FramegateServer again = started) {
            assertThat(again.adminToken().created()).isFalse();
            assertThat(get(again, "/admin/v1/jobs", token).status()).as("the token survives a restart").isEqualTo(200);
        }
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve(AdminToken.FILE)))).isEqualTo("rw-------");
        // deleting the file rotates the token at the next start
        Files.delete(dir.resolve(AdminToken.FILE));
        startLog.reset();
        System.setErr(new java.io.PrintStream(startLog, true, java.nio.charset.StandardCharsets.UTF_8));
        try {
            started = server(new TinyVideoBackend("local", true, 0), Map.of());
        } finally {
            System.setErr(stderr);
        }
        assertThat(startLog.toString(java.nio.charset.StandardCharsets.UTF_8))
                .contains("admin API (/admin/v1, /metrics): token in " + tokenFile + " (created now, mode 0600)");
        try (FramegateServer rotated = started) {
            assertThat(rotated.adminToken().created()).isTrue();
            String fresh = Files.readString(dir.resolve(AdminToken.FILE)).trim();
            assertThat(fresh).isNotEqualTo(token);
            assertThat(get(rotated, "/admin/v1/jobs", token).status()).as("the old token is refused").isEqualTo(401);
            assertThat(get(rotated, "/admin/v1/jobs", fresh).status()).isEqualTo(200);
        }
    }

    @Test
    void theEnvironmentsTokenIsUsedInsteadOfAFileAndMustBeLongEnough() throws Exception {
        String token = "operator-token-from-the-environment-0123";
        try (FramegateServer s = server(new TinyVideoBackend("local", true, 0), Map.of(AdminToken.ENV, token))) {
            assertThat(s.adminToken().file()).isEmpty();
            assertThat(dir.resolve(AdminToken.FILE)).doesNotExist();
            assertThat(get(s, "/admin/v1/jobs", token).status()).isEqualTo(200);
        }
        assertThatThrownBy(() -> server(new TinyVideoBackend("local", true, 0), Map.of(AdminToken.ENV, "short")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(AdminToken.ENV)
                .hasMessageContaining("too short").hasMessageNotContaining("short\"");
        // docs/admin.md: at least 24 characters, so 23 are refused and 24 are enough
        String twentyThree = "x".repeat(23);
        assertThatThrownBy(() -> server(new TinyVideoBackend("local", true, 0), Map.of(AdminToken.ENV, twentyThree)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("too short");
        String twentyFour = "y".repeat(24);
        try (FramegateServer s = server(new TinyVideoBackend("local", true, 0), Map.of(AdminToken.ENV, twentyFour))) {
            assertThat(get(s, "/admin/v1/jobs", twentyFour).status()).isEqualTo(200);
        }
    }

    /**
     * docs/admin.md, GET /admin/v1/jobs: jobs of every key, newest first; {@code limit} defaults to 100 and may be
     * 1..1000 (outside that a 400 naming it). 101 jobs of two keys, created a second apart on a test clock, behind one
     * slow render so that they stay in the queue.
     */
    @Test
    void theJobListIsNewestFirstAcrossKeysWithADefaultLimitOf100AndAtMost1000() throws Exception {
        io.framegate.server.TestClock clock = new io.framegate.server.TestClock();
        try (FramegateServer s = AdminServers.builder(dir, new TinyVideoBackend("local", true, 5_000), Map.of()).clock(clock)
                .build().start()) {
            String token = Files.readString(dir.resolve(AdminToken.FILE)).trim();
            String keyA = s.keys().find(s.keys().create("a").secret()).orElseThrow().id();
            String keyB = s.keys().find(s.keys().create("b").secret()).orElseThrow().id();
            java.util.List<String> created = new java.util.ArrayList<>();
            for (int i = 0; i < 101; i++) {
                created.add(s.jobs().submit(i % 2 == 0 ? keyA : keyB, "openai", request(), null).id());
                clock.advance(Duration.ofSeconds(1));
            }
            java.util.List<String> newestFirst = new java.util.ArrayList<>(created);
            java.util.Collections.reverse(newestFirst);

            Reply page = get(s, "/admin/v1/jobs", token);
            assertThat(page.status()).as(page.body()).isEqualTo(200);
            assertThat(page.json().path("data").findValuesAsText("id")).as("the default limit: the newest 100")
                    .containsExactlyElementsOf(newestFirst.subList(0, 100));
            assertThat(page.json().path("data").findValuesAsText("owner_key_id")).contains(keyA, keyB);
            assertThat(get(s, "/admin/v1/jobs?limit=1000", token).json().path("data").findValuesAsText("id"))
                    .containsExactlyElementsOf(newestFirst);
            assertThat(get(s, "/admin/v1/jobs?limit=1", token).json().path("data").findValuesAsText("id"))
                    .containsExactly(created.getLast());
            for (String bad : new String[] {"1001", "0"}) {
                Reply refused = get(s, "/admin/v1/jobs?limit=" + bad, token);
                assertThat(refused.status()).as(refused.body()).isEqualTo(400);
                assertThat(refused.json().at("/error/param").asText()).isEqualTo("limit");
                assertThat(refused.json().at("/error/message").asText()).contains("1..1000");
            }
        }
    }

    /**
     * docs/admin.md, GET /admin/v1/jobs: {@code download_attempts} (the claims made since the upstream accepted the
     * job, bounded by {@code workers.max_download_attempts}) beside {@code attempts}, in the list and the one-job view.
     */
    @Test
    void theJobViewShowsDownloadAttemptsBesideAttempts() throws Exception {
        try (FramegateServer s = server(new TinyVideoBackend("local", true, 0), Map.of())) {
            String token = Files.readString(dir.resolve(AdminToken.FILE)).trim();
            Job job = s.jobs().submit(s.keys().find(s.keys().create("a").secret()).orElseThrow().id(), "openai",
                    request(), null);
            awaitFinal(s, job.ownerKeyId(), job.id());
            // as if 3 claims had collected it, 2 of them after its upstream accepted it (the column V8 added)
            int stored = s.database().jdbi().withHandle(h -> h.createUpdate(
                    "UPDATE jobs SET attempts = 3, download_attempts = 2 WHERE id = :id").bind("id", job.id()).execute());
            assertThat(stored).isEqualTo(1);

            Reply list = get(s, "/admin/v1/jobs", token);
            assertThat(list.status()).as(list.body()).isEqualTo(200);
            assertThat(list.json().at("/data/0/id").asText()).isEqualTo(job.id());
            assertThat(list.json().at("/data/0/attempts").asInt()).isEqualTo(3);
            assertThat(list.json().at("/data/0/download_attempts").isInt()).as(list.body()).isTrue();
            assertThat(list.json().at("/data/0/download_attempts").asInt()).isEqualTo(2);
            Reply one = get(s, "/admin/v1/jobs/" + job.id(), token);
            assertThat(one.status()).as(one.body()).isEqualTo(200);
            assertThat(one.json().path("attempts").asInt()).isEqualTo(3);
            assertThat(one.json().path("download_attempts").isInt()).as(one.body()).isTrue();
            assertThat(one.json().path("download_attempts").asInt()).isEqualTo(2);
        }
    }
}
