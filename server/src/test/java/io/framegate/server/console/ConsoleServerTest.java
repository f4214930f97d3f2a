package io.framegate.server.console;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.framegate.server.FramegateServer;
import io.framegate.server.ServerOptions;
import io.framegate.server.TestImages;
import io.framegate.server.TinyVideoBackend;
import io.framegate.server.jobs.WorkerSettings;
import io.framegate.server.media.MediaFinisher;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.Color;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** What the console needs from the server, over plain HTTP: its files and headers, and the API additions it uses. */
class ConsoleServerTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();
    @TempDir
    Path dir;
    private FramegateServer server;
    private String base;
    private String key;

    @BeforeEach
    void start() throws Exception {
        ServerOptions options = ServerOptions.defaults(dir).withHost("127.0.0.1").withPort(0).withAccessLog(null)
                .withWorkers(new WorkerSettings(1, 2, Duration.ofSeconds(30), Duration.ofMillis(100), Duration.ofSeconds(5)));
        server = FramegateServer.builder(options).backend("local", new TinyVideoBackend("local", true, 40)) // 40 ms a frame: a 60 s video runs long enough to cancel
                .finisher(new MediaFinisher()).build().start();
        key = server.keys().create("console").secret();
        base = "http://127.0.0.1:" + server.port();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private HttpResponse<String> send(String method, String path, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).header("Authorization", "Bearer " + key);
        if (body != null) b.header("Content-Type", "application/json");
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> plain(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base + path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void consoleIsServedAtTheRootWithASelfOnlyPolicyAndNothingElseOfTheClasspath() throws Exception {
        HttpResponse<String> page = plain("/");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type").orElse("")).startsWith("text/html");
        assertThat(page.body()).contains("id=\"api-key\"").contains("<script type=\"module\" src=\"/console/app.js\">")
                .doesNotContain("<script>").doesNotContain("onclick=").doesNotContain("style=\"");
        String csp = page.headers().firstValue("Content-Security-Policy").orElseThrow();
        assertThat(csp).contains("default-src 'none'", "script-src 'self'", "connect-src 'self'", "media-src 'self' blob:",
                "frame-ancestors 'none'").doesNotContain("unsafe-inline").doesNotContain("unsafe-eval");
        assertThat(page.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
        assertThat(page.headers().firstValue("Referrer-Policy")).hasValue("no-referrer");
        // README, Web console: X-Frame-Options: DENY (for browsers that ignore the policy's frame-ancestors)
        assertThat(page.headers().firstValue("X-Frame-Options")).hasValue("DENY");

        for (String f : new String[] {"app.js", "api.js", "rules.js", "form.js", "result.js", "try.js", "compare.js", "jobs.js", "dom.js", "fidelity.js"}) {
            HttpResponse<String> js = plain("/console/" + f);
            assertThat(js.statusCode()).as(f).isEqualTo(200);
            assertThat(js.headers().firstValue("Content-Type").orElse("")).startsWith("text/javascript");
            assertThat(js.body()).as(f).doesNotContain("innerHTML").doesNotContain("localStorage").doesNotContain("eval(");
        }
        HttpResponse<String> help = plain("/console/fidelity.html"); // what the fidelity scores mean, linked from each result
        assertThat(help.statusCode()).isEqualTo(200);
        assertThat(help.headers().firstValue("Content-Security-Policy")).hasValue(csp);
        assertThat(help.headers().firstValue("X-Frame-Options")).hasValue("DENY");
        assertThat(help.headers().firstValue("Referrer-Policy")).hasValue("no-referrer");
        assertThat(help.body()).contains("23 dB").doesNotContain("<script").doesNotContain("style=\"");
        assertThat(plain("/console/style.css").headers().firstValue("Content-Type").orElse("")).startsWith("text/css");
        for (String bad : new String[] {"/console/..%2Fdb%2Fmigration%2FV1__keys_and_jobs.sql", "/console/missing.js",
                "/console/App.JS", "/console/.hidden.js", "/console/%2e%2e%2fMETA-INF%2fservices%2fio.framegate.server.ApiSurface"}) {
            assertThat(plain(bad).statusCode()).as(bad).isEqualTo(404);
        }
    }

    @Test
    void redirectedDownloadsAddTheBucketToTheMediaSources() {
        var s3 = new io.framegate.server.config.StorageConfig("s3", "http://127.0.0.1:9000", "b", "us-east-1", "", true, null,
                null, "redirect");
        assertThat(ConsoleRoutes.csp(ConsoleRoutes.mediaHosts(s3))).contains("media-src 'self' blob: http://127.0.0.1:9000;");
        var aws = new io.framegate.server.config.StorageConfig("s3", null, "b", "eu-west-1", "", false, null, null, "redirect");
        assertThat(ConsoleRoutes.mediaHosts(aws)).isEqualTo("https://*.amazonaws.com");
        var proxy = new io.framegate.server.config.StorageConfig("s3", "http://127.0.0.1:9000", "b", "us-east-1", "", true,
                null, null, "proxy");
        assertThat(ConsoleRoutes.mediaHosts(proxy)).isEmpty();
    }

    @Test
    void modelListStatesEachSizesClassSoAFormCanApplyTheRules() throws Exception {
        JsonNode models = JSON.readTree(send("GET", "/v1/videos/models", null).body()).path("data");
        JsonNode veo = null;
        for (JsonNode m : models) if (m.path("id").asText().equals("veo-3.1-generate-001")) veo = m;
        assertThat(veo).isNotNull();
        JsonNode classes = veo.path("sizes").path("classes");
        assertThat(classes.path("1920x1080").path("resolution").asText()).isEqualTo("1080p");
        assertThat(classes.path("720x1280").path("aspect_ratio").asText()).isEqualTo("9:16");
        assertThat(veo.path("rules").toString()).contains("\"resolution\":[\"1080p\",\"4k\"]").contains("\"seconds\":[\"8\"]");
    }

    private String create(String model, String seconds) throws Exception {
        String png = "data:image/png;base64," + Base64.getEncoder().encodeToString(TestImages.png(64, 36, Color.RED));
        HttpResponse<String> r = send("POST", "/v1/videos", "{\"model\":\"" + model + "\",\"seconds\":\"" + seconds
                + "\",\"size\":\"64x36\",\"frame_images\":[{\"image_url\":\"" + png + "\",\"frame_type\":\"first_frame\"}]}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JSON.readTree(r.body()).path("id").asText();
    }

    private String await(String id) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            String s = JSON.readTree(send("GET", "/v1/videos/" + id, null).body()).path("status").asText();
            if (s.equals("completed") || s.equals("failed")) return s;
            Thread.sleep(50);
        }
        throw new AssertionError(id + " did not finish");
    }

    private String ids(String query) throws Exception {
        HttpResponse<String> r = send("GET", "/v1/videos?" + query, null);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        StringBuilder out = new StringBuilder();
        for (JsonNode v : JSON.readTree(r.body()).path("data")) out.append(v.path("id").asText()).append(' ');
        return out.toString();
    }

    @Test
    void listFiltersByStatusAndModelAndCancelStopsAJob() throws Exception {
        String local = create("framegate-local", "1");
        String fast = create("framegate-local-fast", "1");
        assertThat(await(local)).isEqualTo("completed");
        assertThat(await(fast)).isEqualTo("completed");
        // 1440 frames at 40 ms: cancelled while queued or running, long before it could finish
        String victim = create("local", "60"); // an alias: stored as framegate-local
        JsonNode cancelled = JSON.readTree(send("POST", "/v1/videos/" + victim + "/cancel", null).body());
        assertThat(cancelled.path("id").asText()).isEqualTo(victim);
        assertThat(await(victim)).isEqualTo("failed");
        JsonNode v = JSON.readTree(send("GET", "/v1/videos/" + victim, null).body());
        assertThat(v.path("error").path("code").asText()).isEqualTo("cancelled");
        assertThat(v.path("framegate").path("status").asText()).isEqualTo("cancelled");

        assertThat(ids("model=framegate-local")).contains(local, victim).doesNotContain(fast);
        assertThat(ids("model=local-fast")).contains(fast).doesNotContain(local);
        assertThat(ids("status=completed")).contains(local, fast).doesNotContain(victim);
        assertThat(ids("status=failed")).contains(victim).doesNotContain(local);
        assertThat(ids("status=cancelled&model=framegate-local")).isEqualTo(victim + " ");
        assertThat(ids("status=completed&limit=1")).hasSize(local.length() + 1);

        HttpResponse<String> bad = send("GET", "/v1/videos?status=done", null);
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(bad.body()).path("error").path("param").asText()).isEqualTo("status");
        HttpResponse<String> badModel = send("GET", "/v1/videos?model=nope", null);
        assertThat(badModel.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(badModel.body()).path("error").path("param").asText()).isEqualTo("model");
        assertThat(send("POST", "/v1/videos/video_unknown/cancel", null).statusCode()).isEqualTo(404);
    }

    /**
     * docs/openai-extension.md, "What the web console uses": {@code status=queued} lists only the videos waiting for a
     * worker and {@code status=in_progress} only the running ones (one local worker: the second long video waits).
     */
    @Test
    void listFiltersQueuedAndInProgressVideosApart() throws Exception {
        String done = create("framegate-local", "1");
        assertThat(await(done)).isEqualTo("completed");
        String running = create("framegate-local", "60"); // 1440 frames at 40 ms: runs for about a minute
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!JSON.readTree(send("GET", "/v1/videos/" + running, null).body()).path("status").asText().equals("in_progress")) {
            assertThat(System.nanoTime()).as(running + " did not start").isLessThan(deadline);
            Thread.sleep(20);
        }
        String waiting = create("framegate-local", "60"); // the only local worker is busy
        assertThat(JSON.readTree(send("GET", "/v1/videos/" + waiting, null).body()).path("status").asText()).isEqualTo("queued");

        assertThat(ids("status=in_progress")).isEqualTo(running + " ");
        assertThat(ids("status=queued")).isEqualTo(waiting + " ");
        assertThat(ids("status=completed")).isEqualTo(done + " ");

        send("POST", "/v1/videos/" + waiting + "/cancel", null);
        send("POST", "/v1/videos/" + running + "/cancel", null);
        assertThat(await(running)).isEqualTo("failed");
        assertThat(ids("status=queued")).isEmpty();
        assertThat(ids("status=in_progress")).isEmpty();
    }

    /**
     * README, Web console: Jobs lists the key's videos 20 to a page. The page asks {@code GET /v1/videos} for
     * {@code limit} = its {@code PAGE} (20, read from the served {@code jobs.js}) and for the next page with
     * {@code after} = the last id; with 21 videos the first page has 20 and {@code has_more}, the next the 21st.
     */
    @Test
    void theJobsPageListsTwentyVideosAPageAndPagesOnAfterTheLastId() throws Exception {
        String jobs = plain("/console/jobs.js").body();
        java.util.regex.Matcher page = java.util.regex.Pattern.compile("const PAGE = (\\d+);").matcher(jobs);
        assertThat(page.find()).as("jobs.js sets its page size").isTrue();
        assertThat(page.group(1)).isEqualTo("20");
        assertThat(jobs).contains("new URLSearchParams({ limit: PAGE })", "q.set('after', after)", "lastId = page.last_id",
                "next.disabled = !page.has_more");

        java.util.Set<String> created = new java.util.HashSet<>();
        for (int i = 0; i < 21; i++) created.add(create("framegate-local", "1"));
        JsonNode first = JSON.readTree(send("GET", "/v1/videos?limit=" + page.group(1), null).body());
        assertThat(first.path("data")).hasSize(20);
        assertThat(first.path("has_more").asBoolean()).isTrue();
        assertThat(first.path("last_id").asText()).isEqualTo(first.path("data").get(19).path("id").asText());
        JsonNode second = JSON.readTree(send("GET", "/v1/videos?limit=" + page.group(1) + "&after="
                + first.path("last_id").asText(), null).body());
        assertThat(second.path("data")).hasSize(1);
        assertThat(second.path("has_more").asBoolean()).isFalse();
        java.util.List<String> seen = new java.util.ArrayList<>();
        for (JsonNode p : List.of(first, second)) for (JsonNode v : p.path("data")) seen.add(v.path("id").asText());
        assertThat(seen).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(created);
    }
}
