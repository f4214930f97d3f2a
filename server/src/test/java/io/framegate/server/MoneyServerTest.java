package io.framegate.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import io.framegate.server.jobs.WorkerSettings;
import io.framegate.server.media.MediaFinisher;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.awt.Color;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static com.github.tomakehurst.wiremock.client.WireMock.*;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 9 item 2 (money) and the concurrency cap of item 3, against a running server whose Veo route goes to a Gemini
 * API stand-in at the wire. An 8 s 720p Veo 3.1 job is priced from the catalog at 8 x 0.40 USD = 3.200000 USD.
 * Every test ends with {@link LedgerInvariants#check}.
 */
class MoneyServerTest {
    static final String SECRET = "gm-money-secret-5c1e";
    static final String ENV = "FG_MONEY_GEMINI_KEY";
    static final String CREATE = "/v1beta/models/veo-3.1-generate-001:predictLongRunning";
    static final long PRICE = 3_200_000;
    static final ObjectMapper JSON = new ObjectMapper();
    static final String VEO_8S = "{\"model\": \"veo-3.1-generate-001\", \"prompt\": \"a pier\", \"seconds\": \"8\", \"size\": \"1280x720\"}";

    static WireMockServer gemini;
    static byte[] mp4;

    @TempDir
    Path dir;
    FramegateServer server;
    String key;
    String keyId;
    String base;

    @BeforeAll
    static void standIn() throws Exception {
        gemini = new WireMockServer(options().dynamicPort().containerThreads(80));
        gemini.start();
        mp4 = RoutedServerTest.mp4();
    }

    @AfterAll
    static void stopStandIn() {
        gemini.stop();
    }

    @BeforeEach
    void reset() throws Exception {
        gemini.resetAll();
        Files.createDirectories(dir.resolve("data"));
        config("""
                providers:
                  google: {type: gemini, base_url: '%s', api_key_env: %s}
                routes:
                  veo-3.1-generate-001: [google]
                """);
    }

    /** {@code data/framegate.yaml}: these lines ({@code %1$s} the stand-in's URL, {@code %2$s} the key's variable) and short timings. */
    void config(String lines) throws Exception {
        Files.writeString(dir.resolve("data/framegate.yaml"), lines.formatted(gemini.baseUrl(), ENV) + """
                timing: {poll_initial: 100ms, poll_max: 200ms, deadline: 2m, retry_attempts: 2, retry_base: 50ms,
                         retry_max: 100ms, request_timeout: 10s}
                """);
    }

    @AfterEach
    void stop() {
        if (server != null) server.close();
    }

    void start(int cloudSlots) throws Exception {
        start(cloudSlots, io.framegate.domain.ModelCatalog.builtIn(), 0);
    }

    void start(int cloudSlots, io.framegate.domain.ModelCatalog catalog, long localMillisPerFrame) throws Exception {
        ServerOptions o = ServerOptions.defaults(dir.resolve("data")).withHost("127.0.0.1").withPort(0).withPollAfterMillis(100)
                .withAccessLog(null)
                .withWorkers(new WorkerSettings(1, cloudSlots, Duration.ofSeconds(30), Duration.ofMillis(100), Duration.ofSeconds(5)));
        server = FramegateServer.builder(o).environment(Map.of(ENV, SECRET)::get)
                .localBackend(new TinyVideoBackend("local", true, localMillisPerFrame)).finisher(new MediaFinisher())
                .catalog(catalog).build().start();
        if (key == null) {
            var created = server.keys().create("money");
            key = created.secret();
            keyId = created.key().id();
        }
        base = "http://127.0.0.1:" + server.port();
    }

    /** Runs the test on the embedded H2 file ("h2") or on the shared PostgreSQL of {@link PgTestDatabase} ("postgresql"). */
    void useDatabase(String database) throws Exception {
        if (database.equals("h2")) return;
        Path yaml = dir.resolve("data/framegate.yaml");
        Files.writeString(yaml, Files.readString(yaml) + "database: {url: '" + PgTestDatabase.fresh() + "'}\n");
    }

    Jdbi db() {
        return server.database().jdbi();
    }

    record Reply(int status, String body, HttpResponse<String> raw) {
        JsonNode json() throws Exception {
            return JSON.readTree(body);
        }
    }

    Reply send(String method, String path, String body, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60)).headers(headers);
        if (body != null) b.header("Content-Type", "application/json");
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        HttpResponse<String> r = HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        return new Reply(r.statusCode(), r.body(), r);
    }

    Reply openai(String method, String path, String body) throws Exception {
        return send(method, path, body, "Authorization", "Bearer " + key);
    }

    Reply admin(String path) throws Exception {
        return send("GET", path, null, "Authorization", "Bearer " + Files.readString(dir.resolve("data/admin.token")).trim());
    }

    Reply googleCreate() throws Exception {
        String b64 = Base64.getEncoder().encodeToString(TestImages.png(1280, 720, Color.GREEN));
        return send("POST", CREATE, """
                {"instances": [{"prompt": "a pier", "image": {"bytesBase64Encoded": "%s", "mimeType": "image/png"}}],
                 "parameters": {"aspectRatio": "16:9", "durationSeconds": 8}}
                """.formatted(b64), "x-goog-api-key", key);
    }

    String createVeo() throws Exception {
        Reply r = openai("POST", "/v1/videos", VEO_8S);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json().path("id").asText();
    }

    // ---- the stand-in

    static String op(String name) {
        return "models/veo-3.1-generate-001/operations/" + name;
    }

    static void createAnswers(String... ops) {
        String state = Scenario.STARTED;
        for (int i = 0; i < ops.length; i++) {
            String next = i == ops.length - 1 ? state : "create" + (i + 1);
            gemini.stubFor(post(urlEqualTo(CREATE)).inScenario("create").whenScenarioStateIs(state)
                    .willReturn(okJson("{\"name\": \"" + op(ops[i]) + "\"}")).willSetStateTo(next));
            state = next;
        }
        gemini.stubFor(post(urlMatching("/v1beta/models/veo-3.1-generate-001/operations/.*:cancel")).willReturn(okJson("{}")));
    }

    /**
     * One create answered only after {@code millis}: its submit holds the only cloud slot that long, so a job created
     * meanwhile stays queued (a job waiting on its upstream between polls holds no slot).
     */
    static void slowCreate(String name, int millis) {
        gemini.stubFor(post(urlEqualTo(CREATE)).willReturn(okJson("{\"name\": \"" + op(name) + "\"}").withFixedDelay(millis)));
        gemini.stubFor(post(urlMatching("/v1beta/models/veo-3.1-generate-001/operations/.*:cancel")).willReturn(okJson("{}")));
    }

    void awaitCreateSent() throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (gemini.findAll(postRequestedFor(urlEqualTo(CREATE))).isEmpty()) {
            assertThat(System.nanoTime()).as("the first job is being submitted").isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    static void running(String name) {
        gemini.stubFor(get(urlEqualTo("/v1beta/" + op(name))).willReturn(okJson("{\"name\": \"" + op(name) + "\", \"done\": false}")));
    }

    static void done(String name) {
        String o = op(name);
        // the file first: a poll between the two stubs must not find the operation done and its file missing
        gemini.stubFor(get(urlEqualTo("/v1beta/files/f" + name + ":download?alt=media"))
                .willReturn(aResponse().withHeader("Content-Type", "video/mp4").withBody(mp4)));
        gemini.stubFor(get(urlEqualTo("/v1beta/" + o)).willReturn(okJson("""
                { "name": "%s", "done": true, "response": { "generateVideoResponse": { "generatedSamples": [
                  { "video": { "uri": "%s/v1beta/files/f%s:download?alt=media" } } ] } } }
                """.formatted(o, gemini.baseUrl(), name))));
    }

    static void answers(String name, String doneBody) {
        gemini.stubFor(get(urlEqualTo("/v1beta/" + op(name))).willReturn(okJson(doneBody.formatted(op(name)))));
    }

    JsonNode awaitFinal(String id) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode v = openai("GET", "/v1/videos/" + id, null).json();
            String s = v.path("status").asText();
            if (s.equals("completed") || s.equals("failed") || s.equals("cancelled")) return v;
            Thread.sleep(100);
        }
        throw new AssertionError("video " + id + " did not finish");
    }

    void awaitPolled(String name) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (gemini.findAll(getRequestedFor(urlEqualTo("/v1beta/" + op(name)))).isEmpty()) {
            assertThat(System.nanoTime()).as("operation %s is polled", name).isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    long balance() {
        return db().withHandle(h -> h.createQuery(io.framegate.server.jobs.Ledger.KEY_BALANCE).bind("id", keyId)
                .mapTo(Long.class).one());
    }

    // ---- tests

    @Test
    void aBudgetForOneEightSecondVeoJobRefusesTheSecondOnBothSurfacesAndCapturesExactlyItsPrice() throws Exception {
        start(2);
        long budget = 5_000_000;
        LedgerInvariants.setKeyBudget(db(), keyId, budget);
        createAnswers("one");
        running("one");

        String first = createVeo();
        Reply second = openai("POST", "/v1/videos", VEO_8S);
        assertThat(second.status()).as(second.body()).isEqualTo(429);
        JsonNode err = second.json().path("error");
        assertThat(err.path("code").asText()).isEqualTo("insufficient_quota");
        assertThat(err.path("type").asText()).isEqualTo("insufficient_quota");
        assertThat(second.raw().headers().firstValue("x-should-retry")).contains("false");
        assertThat(err.path("message").asText()).contains("Budget $5.000000").contains("spent $0.000000")
                .contains("reserved by running jobs $3.200000").contains("price is $3.200000");
        Reply google = googleCreate();
        assertThat(google.status()).as(google.body()).isEqualTo(429);
        assertThat(google.json().at("/error/status").asText()).isEqualTo("RESOURCE_EXHAUSTED");
        assertThat(google.json().at("/error/message").asText()).contains("Budget $5.000000");
        awaitPolled("one");
        assertThat(gemini.findAll(postRequestedFor(urlEqualTo(CREATE)))).as("refused creates never reach the upstream").hasSize(1);
        int jobs = db().withHandle(h -> h.createQuery("SELECT COUNT(*) FROM jobs").mapTo(Integer.class).one());
        assertThat(jobs).as("a refused create leaves no job").isEqualTo(1);
        LedgerInvariants.check(db());

        done("one");
        JsonNode v = awaitFinal(first);
        assertThat(v.path("status").asText()).isEqualTo("completed");
        assertThat(v.at("/framegate/cost_usd").asText()).isEqualTo("3.2");
        List<Map<String, Object>> entries = LedgerInvariants.entries(db(), first);
        assertThat(entries).extracting(e -> e.get("kind")).containsExactly("reserve", "capture");
        assertThat(((Number) entries.get(0).get("amount_micros")).longValue()).isEqualTo(-PRICE);
        assertThat(((Number) entries.get(1).get("amount_micros")).longValue()).isZero();
        assertThat(((Number) entries.get(1).get("cost_micros")).longValue()).isEqualTo(PRICE);
        assertThat(LedgerInvariants.keyColumn(db(), keyId, "spent_micros")).isEqualTo(PRICE);
        assertThat(balance()).as("SUM(ledger) == budget - spent").isEqualTo(budget - PRICE);
        LedgerInvariants.check(db());

        // the operator's view: the job with its entries, usage by key and model
        JsonNode job = admin("/admin/v1/jobs/" + first).json();
        assertThat(job.path("ledger")).hasSize(2);
        assertThat(job.at("/ledger/1/cost_usd").asText()).isEqualTo("3.200000");
        JsonNode usage = admin("/admin/v1/usage?by=key").json();
        assertThat(usage.path("by").asText()).isEqualTo("key");
        assertThat(usage.at("/data/0/group").asText()).isEqualTo(keyId);
        assertThat(usage.at("/data/0/name").asText()).isEqualTo("money");
        assertThat(usage.at("/data/0/jobs").asLong()).isEqualTo(1);
        assertThat(usage.at("/data/0/spent_usd").asText()).isEqualTo("3.200000");
        assertThat(usage.at("/data/0/reserved_micros").asLong()).isZero();
        JsonNode byModel = admin("/admin/v1/usage?by=model&from=2000-01-01&to=2999-12-31").json();
        assertThat(byModel.at("/data/0/group").asText()).isEqualTo("veo-3.1-generate-001");
        assertThat(admin("/admin/v1/usage?by=week").status()).isEqualTo(400);
        assertThat(admin("/admin/v1/usage?from=yesterday").status()).isEqualTo(400);
        assertThat(admin("/admin/v1/ledger?key=" + keyId + "&limit=10").json().path("data")).hasSize(3); // grant, reserve, capture
        // by name too, as the keys and accounts routes take them; an unknown one is a 404, not an empty list
        assertThat(admin("/admin/v1/ledger?key=money").json().path("data")).hasSize(3);
        for (String account : List.of("default", "acct_default")) {
            JsonNode entries2 = admin("/admin/v1/ledger?account=" + account).json().path("data");
            assertThat(entries2.findValuesAsText("job_id")).as(account).contains(first, first);
        }
        Reply unknown = admin("/admin/v1/ledger?key=nobody");
        assertThat(unknown.status()).as(unknown.body()).isEqualTo(404);
        assertThat(unknown.body()).contains("nobody");
        assertThat(admin("/admin/v1/ledger?account=nowhere").status()).isEqualTo(404);

        // a budget lowered below what was spent: nothing is available, said so, not a negative amount
        LedgerInvariants.setKeyBudget(db(), keyId, 1_000_000);
        Reply over = openai("POST", "/v1/videos", VEO_8S);
        assertThat(over.status()).as(over.body()).isEqualTo(429);
        assertThat(over.json().at("/error/message").asText()).contains("available $0.000000 (the budget is $2.200000 below")
                .doesNotContain("$-");
        LedgerInvariants.check(db());
    }

    @Test
    void aFailedAndAContentFilteredJobLeaveTheBalanceUnchanged() throws Exception {
        start(2);
        LedgerInvariants.setKeyBudget(db(), keyId, 10_000_000);
        long before = balance();
        createAnswers("failing", "filtered");
        answers("failing", "{ \"name\": \"%s\", \"done\": true, \"error\": { \"code\": 13, \"message\": \"Internal error\" } }");
        answers("filtered", """
                { "name": "%s", "done": true, "response": { "generateVideoResponse": { "raiMediaFilteredCount": 1,
                  "raiMediaFilteredReasons": ["filtered. You will not be charged for this request."] } } }""");
        String failed = createVeo();
        assertThat(awaitFinal(failed).at("/error/code").asText()).isEqualTo("upstream_failed");
        String filtered = createVeo();
        assertThat(awaitFinal(filtered).at("/error/code").asText()).isEqualTo("content_filtered");

        for (String id : List.of(failed, filtered)) {
            assertThat(LedgerInvariants.entries(db(), id)).extracting(e -> e.get("kind")).containsExactly("reserve", "release");
        }
        assertThat(balance()).isEqualTo(before);
        assertThat(LedgerInvariants.keyColumn(db(), keyId, "spent_micros")).isZero();
        assertThat(LedgerInvariants.keyColumn(db(), keyId, "reserved_micros")).isZero();
        LedgerInvariants.check(db());
    }

    /**
     * docs/admin.md, Jobs that ended upstream_submit_uncertain and Settlement: a submit whose answer is unclear (a 500:
     * the upstream may have accepted and billed it) is not sent again, records no cost against the key and releases its
     * reservation; the operator finds it in the admin listing with every note, and in the failure counter.
     */
    @Test
    void aJobThatEndsUpstreamSubmitUncertainIsSentOnceChargedNothingAndListedForTheOperator() throws Exception {
        start(2);
        LedgerInvariants.setKeyBudget(db(), keyId, 2 * PRICE);
        long before = balance();
        gemini.stubFor(post(urlEqualTo(CREATE)).willReturn(aResponse().withStatus(500).withBody("{\"error\": {\"code\": 500}}")));
        String id = createVeo();
        JsonNode v = awaitFinal(id);
        assertThat(v.at("/error/code").asText()).as(v.toString()).isEqualTo("upstream_submit_uncertain");
        assertThat(gemini.findAll(postRequestedFor(urlEqualTo(CREATE)))).as("never sent again").hasSize(1);
        assertThat(LedgerInvariants.entries(db(), id)).extracting(e -> e.get("kind")).containsExactly("reserve", "release");
        assertThat(balance()).as("no cost recorded against the key").isEqualTo(before);
        assertThat(LedgerInvariants.keyColumn(db(), keyId, "spent_micros")).isZero();
        assertThat(LedgerInvariants.keyColumn(db(), keyId, "reserved_micros")).isZero();

        JsonNode listed = admin("/admin/v1/jobs?status=failed&error_code=upstream_submit_uncertain").json().path("data");
        assertThat(listed.findValuesAsText("id")).containsExactly(id);
        assertThat(listed.get(0).path("owner_key_id").asText()).isEqualTo(keyId);
        assertThat(listed.get(0).at("/notes/channel").asText()).as("the operator sees the channel: %s", listed)
                .isEqualTo("google");
        assertThat(v.at("/framegate/notes").has("channel")).as("the client does not").isFalse();
        assertThat(admin("/metrics").body()).contains("framegate_jobs_failed_total{error_code=\"upstream_submit_uncertain\"} 1.0");
        LedgerInvariants.check(db());
    }

    /** docs/admin.md, Settlement: a job that fails {@code timeout} at its deadline releases its whole reservation. */
    @Test
    void aJobThatTimesOutUpstreamIsReleasedAndChargedNothing() throws Exception {
        Files.writeString(dir.resolve("data/framegate.yaml"), """
                providers:
                  google: {type: gemini, base_url: '%s', api_key_env: %s}
                routes:
                  veo-3.1-generate-001: [google]
                timing: {poll_initial: 100ms, poll_max: 200ms, deadline: 3s, retry_attempts: 2, retry_base: 50ms,
                         retry_max: 100ms, request_timeout: 2s}
                """.formatted(gemini.baseUrl(), ENV));
        start(2);
        LedgerInvariants.setKeyBudget(db(), keyId, PRICE);
        createAnswers("slowpoke");
        running("slowpoke");
        String id = createVeo();
        assertThat(balance()).isZero();
        JsonNode v = awaitFinal(id);
        assertThat(v.at("/error/code").asText()).as(v.toString()).isEqualTo("timeout");
        assertThat(LedgerInvariants.entries(db(), id)).extracting(e -> e.get("kind")).containsExactly("reserve", "release");
        assertThat(balance()).isEqualTo(PRICE);
        assertThat(LedgerInvariants.keyColumn(db(), keyId, "spent_micros")).isZero();
        LedgerInvariants.check(db());
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void fiftyConcurrentCreatesAgainstABudgetForTenReserveExactlyTen(String database) throws Exception {
        useDatabase(database);
        start(2);
        LedgerInvariants.setKeyBudget(db(), keyId, 10 * PRICE);
        createAnswers("many");
        running("many");
        int n = 50;
        ExecutorService pool = Executors.newFixedThreadPool(n);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Reply>> replies = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            replies.add(pool.submit((Callable<Reply>) () -> {
                go.await();
                return openai("POST", "/v1/videos", VEO_8S);
            }));
        }
        long t0 = System.nanoTime();
        go.countDown();
        int accepted = 0;
        int refused = 0;
        for (Future<Reply> f : replies) {
            Reply r = f.get();
            if (r.status() == 200) accepted++;
            else {
                assertThat(r.status()).as(r.body()).isEqualTo(429);
                assertThat(r.json().at("/error/code").asText()).isEqualTo("insufficient_quota");
                refused++;
            }
        }
        long wallMs = (System.nanoTime() - t0) / 1_000_000;
        pool.shutdown();
        System.out.printf("money concurrency (%s): %d creates against a budget for 10: accepted=%d, 429=%d, wall=%d ms%n",
                database, n, accepted, refused, wallMs);
        assertThat(accepted).isEqualTo(10);
        assertThat(refused).isEqualTo(40);
        assertThat(LedgerInvariants.keyColumn(db(), keyId, "reserved_micros")
                + LedgerInvariants.keyColumn(db(), keyId, "spent_micros")).isEqualTo(10 * PRICE);
        assertThat(balance()).isZero();
        LedgerInvariants.check(db());
    }

    @Test
    void maxConcurrentRefusesWithRetryAfterUntilAJobEnds() throws Exception {
        start(4);
        db().useHandle(h -> h.createUpdate("UPDATE api_keys SET max_concurrent = 2 WHERE id = :id").bind("id", keyId).execute());
        createAnswers("c");
        running("c");
        String a = createVeo();
        createVeo();
        Reply third = openai("POST", "/v1/videos", VEO_8S);
        assertThat(third.status()).as(third.body()).isEqualTo(429);
        assertThat(third.json().at("/error/code").asText()).isEqualTo("rate_limit_exceeded");
        assertThat(third.json().at("/error/type").asText()).isEqualTo("rate_limit_error");
        assertThat(third.json().at("/error/message").asText()).contains("max_concurrent").contains("2");
        assertThat(third.raw().headers().firstValue("Retry-After")).contains("5"); // admin.md: max_concurrent answers Retry-After: 5
        Reply google = googleCreate();
        assertThat(google.status()).isEqualTo(429);
        assertThat(google.json().at("/error/status").asText()).isEqualTo("RESOURCE_EXHAUSTED");
        assertThat(google.raw().headers().firstValue("Retry-After")).contains("5");

        awaitPolled("c");
        Reply cancel = openai("POST", "/v1/videos/" + a + "/cancel", null);
        assertThat(cancel.status()).as(cancel.body()).isEqualTo(200);
        awaitFinal(a); // the OpenAI shape has no 'cancelled': it shows a failed video
        assertThat(server.jobs().get(keyId, a).orElseThrow().status()).isEqualTo(io.framegate.domain.JobStatus.CANCELLED);
        assertThat(LedgerInvariants.entries(db(), a)).extracting(e -> e.get("kind")).containsExactly("reserve", "release");
        createVeo(); // a slot is free again
        LedgerInvariants.check(db());
    }

    @Test
    void cancellingAQueuedJobAndDeletingARunningOneReleaseTheirReservations() throws Exception {
        start(1);
        LedgerInvariants.setKeyBudget(db(), keyId, 3 * PRICE);
        slowCreate("q", 3000);
        running("q");
        String runningJob = createVeo();
        awaitCreateSent(); // its submit holds the only slot
        String queued = createVeo();
        assertThat(openai("GET", "/v1/videos/" + queued, null).json().path("status").asText()).isEqualTo("queued");
        assertThat(balance()).isEqualTo(PRICE);

        Reply cancel = openai("POST", "/v1/videos/" + queued + "/cancel", null);
        assertThat(cancel.status()).as(cancel.body()).isEqualTo(200);
        assertThat(server.jobs().get(keyId, queued).orElseThrow().status()).isEqualTo(io.framegate.domain.JobStatus.CANCELLED);
        assertThat(LedgerInvariants.entries(db(), queued)).extracting(e -> e.get("kind")).containsExactly("reserve", "release");
        assertThat(balance()).isEqualTo(2 * PRICE);

        assertThat(openai("DELETE", "/v1/videos/" + runningJob, null).status()).isEqualTo(200);
        assertThat(LedgerInvariants.entries(db(), runningJob)).extracting(e -> e.get("kind")).containsExactly("reserve", "release");
        assertThat(balance()).isEqualTo(3 * PRICE);
        Thread.sleep(500); // the worker notices the deletion and ends its attempt: it must not settle again
        LedgerInvariants.check(db());
        assertThat(LedgerInvariants.entries(db(), runningJob)).hasSize(2);
    }

    /**
     * docs/openai-extension.md, What the web console uses: a cancel of a running video answers it still
     * {@code in_progress} (its worker is inside the upstream submit and stops when that returns, cancelling the
     * operation upstream), and it ends cancelled shortly after, settled once: its reservation released, nothing
     * captured, nothing sent again.
     */
    @Test
    void cancellingARunningVideoAnswersItInProgressAndItEndsCancelledSettledOnce() throws Exception {
        start(1);
        LedgerInvariants.setKeyBudget(db(), keyId, PRICE);
        slowCreate("slow", 1500);
        running("slow");
        String id = createVeo();
        awaitCreateSent(); // its worker waits on the submit's answer for 1.5 s
        assertThat(balance()).isZero();

        Reply cancel = openai("POST", "/v1/videos/" + id + "/cancel", null);
        assertThat(cancel.status()).as(cancel.body()).isEqualTo(200);
        assertThat(cancel.json().path("id").asText()).isEqualTo(id);
        assertThat(cancel.json().path("status").asText()).as("the answer of a cancel of a running video")
                .isEqualTo("in_progress");

        JsonNode done = awaitFinal(id);
        assertThat(done.path("status").asText()).isEqualTo("failed"); // the OpenAI shape has no 'cancelled'
        assertThat(done.at("/error/code").asText()).isEqualTo("cancelled");
        assertThat(done.at("/framegate/status").asText()).isEqualTo("cancelled");
        assertThat(server.jobs().get(keyId, id).orElseThrow().status()).isEqualTo(io.framegate.domain.JobStatus.CANCELLED);
        assertThat(LedgerInvariants.entries(db(), id)).extracting(e -> e.get("kind")).containsExactly("reserve", "release");
        assertThat(balance()).isEqualTo(PRICE);
        Thread.sleep(500); // nothing of the stopped attempt may settle it again or send it again
        assertThat(LedgerInvariants.entries(db(), id)).hasSize(2);
        assertThat(gemini.findAll(postRequestedFor(urlEqualTo(CREATE)))).hasSize(1);
        assertThat(gemini.findAll(postRequestedFor(urlEqualTo("/v1beta/" + op("slow") + ":cancel"))))
                .as("the operation its submit started is cancelled upstream").hasSize(1);
        LedgerInvariants.check(db());
    }

    @Test
    void aRestartMidJobKeepsTheReservationAndSettlesOnce() throws Exception {
        start(2);
        LedgerInvariants.setKeyBudget(db(), keyId, 2 * PRICE);
        createAnswers("r");
        running("r");
        String id = createVeo();
        awaitPolled("r");
        server.close();
        server = null;

        start(2);
        assertThat(LedgerInvariants.keyColumn(db(), keyId, "reserved_micros")).as("the open job keeps its reservation").isEqualTo(PRICE);
        assertThat(LedgerInvariants.entries(db(), id)).extracting(e -> e.get("kind")).containsExactly("reserve");
        LedgerInvariants.check(db());
        done("r");
        assertThat(awaitFinal(id).path("status").asText()).isEqualTo("completed");
        assertThat(LedgerInvariants.entries(db(), id)).extracting(e -> e.get("kind")).containsExactly("reserve", "capture");
        assertThat(gemini.findAll(postRequestedFor(urlEqualTo(CREATE)))).hasSize(1);
        assertThat(balance()).isEqualTo(PRICE);
        LedgerInvariants.check(db());
    }

    static io.framegate.domain.GenerationRequest localRequest(int frames) {
        return io.framegate.domain.GenerationRequest.builder().model("framegate-local").prompt("p").size("64x48")
                .numFrames(frames).fps(12)
                .image(io.framegate.domain.ImageRole.FIRST_FRAME, TestImages.png(64, 48, Color.BLUE), "image/png", "f.png").build();
    }

    @Test
    void localRendersCostNothingButCountAgainstTheVideoSecondsLimit() throws Exception {
        start(2);
        db().useHandle(h -> h.createUpdate("UPDATE api_keys SET video_seconds_limit = 6 WHERE id = :id").bind("id", keyId).execute());
        var first = server.jobs().submit(keyId, "openai", localRequest(48), null); // 48 frames at 12 fps: 4 s
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> server.jobs().submit(keyId, "openai", localRequest(48), null))
                .isInstanceOf(io.framegate.server.jobs.QuotaExceededException.class)
                .hasMessageContaining("video-seconds limit").hasMessageContaining("Limit 6 s").hasMessageContaining("needs 4 s");
        awaitFinal(first.id());
        assertThat(server.jobs().get(keyId, first.id()).orElseThrow().status()).isEqualTo(io.framegate.domain.JobStatus.COMPLETED);
        assertThat(LedgerInvariants.keyColumn(db(), keyId, "video_seconds_used")).isEqualTo(4);
        assertThat(LedgerInvariants.keyColumn(db(), keyId, "spent_micros")).isZero();
        assertThat(LedgerInvariants.entries(db(), first.id())).extracting(e -> e.get("kind")).containsExactly("reserve", "capture");
        server.jobs().submit(keyId, "openai", localRequest(24), null); // 2 s more fits exactly
        LedgerInvariants.check(db());
    }

    /**
     * docs/admin.md, Accounts and keys: {@code video_seconds_limit} counts the seconds the offline engine renders; a
     * cloud job is capped by {@code budget_usd} and not counted there. A key limited to 1 s still creates an 8 s Veo
     * job over HTTP, which reserves no video seconds and uses none once completed, while a 2 s local render is refused
     * by the same limit.
     */
    @Test
    void aCloudJobIsNotCountedAgainstTheVideoSecondsLimit() throws Exception {
        start(2);
        createAnswers("seconds");
        running("seconds");
        db().useHandle(h -> h.createUpdate("UPDATE api_keys SET video_seconds_limit = 1 WHERE id = :id").bind("id", keyId).execute());
        String id = createVeo();
        assertThat(LedgerInvariants.keyColumn(db(), keyId, "video_seconds_reserved")).isZero();
        done("seconds");
        assertThat(awaitFinal(id).path("status").asText()).isEqualTo("completed");
        assertThat(LedgerInvariants.keyColumn(db(), keyId, "video_seconds_used")).isZero();
        assertThat(LedgerInvariants.keyColumn(db(), keyId, "spent_micros")).as("capped by the budget's money instead")
                .isEqualTo(PRICE);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> server.jobs().submit(keyId, "openai", localRequest(24), null))
                .isInstanceOf(io.framegate.server.jobs.QuotaExceededException.class).hasMessageContaining("Limit 1 s");
        LedgerInvariants.check(db());
    }

    /**
     * docs/admin.md, Money and GET /admin/v1/usage: a local render counts its video seconds (frames / fps, rounded
     * up) and costs 0; {@code by} defaults to {@code key}; {@code by=day} groups by UTC day; {@code from} and
     * {@code to} are both included, a window before or after the job's day counts nothing.
     */
    @Test
    void usageDefaultsToByKeyAndCountsALocalRendersVideoSecondsRoundedUpWithinBothDaysOfTheWindow() throws Exception {
        start(2);
        var job = server.jobs().submit(keyId, "openai", localRequest(13), null); // 13 frames at 12 fps: 1.08 s
        assertThat(awaitFinal(job.id()).path("status").asText()).isEqualTo("completed");
        assertThat(LedgerInvariants.keyColumn(db(), keyId, "video_seconds_used")).as("rounded up").isEqualTo(2);

        Reply byDefault = admin("/admin/v1/usage");
        assertThat(byDefault.status()).as(byDefault.body()).isEqualTo(200);
        assertThat(byDefault.json().path("by").asText()).isEqualTo("key");
        assertThat(byDefault.json().path("data")).hasSize(1);
        JsonNode row = byDefault.json().at("/data/0");
        assertThat(row.path("group").asText()).isEqualTo(keyId);
        assertThat(row.path("name").asText()).isEqualTo("money");
        assertThat(row.path("jobs").asLong()).isEqualTo(1);
        assertThat(row.path("video_seconds").asLong()).isEqualTo(2);
        assertThat(row.path("spent_micros").asLong()).as("a local render costs 0").isZero();
        assertThat(row.path("reserved_micros").asLong()).isZero();

        long capturedAt = db().withHandle(h -> h.createQuery("SELECT created_at FROM ledger WHERE job_id = :id AND kind = 'capture'")
                .bind("id", job.id()).mapTo(Long.class).one());
        java.time.LocalDate day = java.time.Instant.ofEpochMilli(capturedAt).atZone(java.time.ZoneOffset.UTC).toLocalDate();
        JsonNode byDay = admin("/admin/v1/usage?by=day&from=" + day + "&to=" + day).json();
        assertThat(byDay.path("data")).as("from and to are both included").hasSize(1);
        assertThat(byDay.at("/data/0/group").asText()).isEqualTo(day.toString());
        assertThat(byDay.at("/data/0/video_seconds").asLong()).isEqualTo(2);
        assertThat(admin("/admin/v1/usage?to=" + day.minusDays(1)).json().path("data")).as("a window ending the day before").isEmpty();
        assertThat(admin("/admin/v1/usage?from=" + day.plusDays(1)).json().path("data")).as("a window starting the day after").isEmpty();
        LedgerInvariants.check(db());
    }

    @Test
    void theAccountsBudgetAppliesToItsKeysToo() throws Exception {
        start(2);
        db().useTransaction(h -> {
            h.createUpdate("INSERT INTO accounts (id, name, budget_micros, created_at) VALUES ('acct_team', 'team', 5000000, 0)").execute();
            h.createUpdate("INSERT INTO ledger (account_id, kind, amount_micros, created_at) VALUES ('acct_team', 'grant', 5000000, 0)")
                    .execute();
            h.createUpdate("UPDATE api_keys SET account_id = 'acct_team' WHERE id = :id").bind("id", keyId).execute();
        });
        createAnswers("acct");
        running("acct");
        createVeo();
        Reply second = openai("POST", "/v1/videos", VEO_8S);
        assertThat(second.status()).as(second.body()).isEqualTo(429);
        assertThat(second.json().at("/error/message").asText()).contains("your account").contains("Budget $5.000000")
                .doesNotContain("'team'");
        assertThat(admin("/admin/v1/usage?by=account").json().at("/data/0/reserved_micros").asLong()).isEqualTo(PRICE);
        LedgerInvariants.check(db());
    }

    @Test
    void aQueuedJobOfARevokedKeyEndsWithoutRunningAndIsReleased() throws Exception {
        queuedJobOfABlockedKeyEnds("UPDATE api_keys SET revoked_at = 1 WHERE id = :id", "key_revoked");
    }

    @Test
    void aQueuedJobOfAnExpiredKeyEndsWithoutRunningAndIsReleased() throws Exception {
        queuedJobOfABlockedKeyEnds("UPDATE api_keys SET expires_at = 1 WHERE id = :id", "key_expired");
    }

    @Test
    void aQueuedJobOfADisabledAccountEndsWithoutRunningAndIsReleased() throws Exception {
        queuedJobOfABlockedKeyEnds("UPDATE accounts SET disabled_at = 1 WHERE id = (SELECT account_id FROM api_keys "
                + "WHERE id = :id)", "account_disabled");
    }

    void queuedJobOfABlockedKeyEnds(String block, String code) throws Exception {
        start(1);
        slowCreate("held", 2000);
        running("held");
        String runningJob = createVeo();
        awaitCreateSent(); // its submit holds the only slot
        String queued = createVeo();
        db().useHandle(h -> h.createUpdate(block).bind("id", keyId).execute());
        done("held");
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!server.jobs().get(keyId, queued).orElseThrow().status().isFinal()) {
            assertThat(System.nanoTime()).as("the queued job ends").isLessThan(deadline);
            Thread.sleep(50);
        }
        var q = server.jobs().get(keyId, queued).orElseThrow();
        assertThat(q.errorCode()).isEqualTo(code);
        assertThat(LedgerInvariants.entries(db(), queued)).extracting(e -> e.get("kind")).containsExactly("reserve", "release");
        // it waited upstream without its slot, so the queued one may have ended first (the key is blocked: read inside)
        while (!server.jobs().get(keyId, runningJob).orElseThrow().status().isFinal()) {
            assertThat(System.nanoTime()).as("the running job ends").isLessThan(deadline);
            Thread.sleep(50);
        }
        assertThat(server.jobs().get(keyId, runningJob).orElseThrow().status()).as("a job already running upstream finishes")
                .isEqualTo(io.framegate.domain.JobStatus.COMPLETED);
        assertThat(gemini.findAll(postRequestedFor(urlEqualTo(CREATE)))).hasSize(1);
        LedgerInvariants.check(db());
    }

    @Test
    void aReplayedCreateWithTheSameIdempotencyKeyReservesNothingMore() throws Exception {
        start(2);
        LedgerInvariants.setKeyBudget(db(), keyId, PRICE); // exactly one job
        createAnswers("idem");
        running("idem");
        Reply first = send("POST", "/v1/videos", VEO_8S, "Authorization", "Bearer " + key, "Idempotency-Key", "retry-1");
        Reply again = send("POST", "/v1/videos", VEO_8S, "Authorization", "Bearer " + key, "Idempotency-Key", "retry-1");
        assertThat(first.status()).as(first.body()).isEqualTo(200);
        assertThat(again.status()).as("a replay is not refused by the budget its first create used: %s", again.body()).isEqualTo(200);
        assertThat(again.json().path("id").asText()).isEqualTo(first.json().path("id").asText());
        assertThat(LedgerInvariants.entries(db(), first.json().path("id").asText())).hasSize(1);
        assertThat(LedgerInvariants.keyColumn(db(), keyId, "reserved_micros")).isEqualTo(PRICE);
        LedgerInvariants.check(db());
    }

    // ---- review fixes (money)

    @Test
    void aJobSentUpstreamResumesAfterARestartEvenWhenItsKeyWasRevokedMeanwhile() throws Exception {
        start(2);
        LedgerInvariants.setKeyBudget(db(), keyId, 2 * PRICE);
        createAnswers("paid");
        running("paid");
        String id = createVeo();
        awaitPolled("paid"); // the submitted checkpoint is written: the upstream bills this job
        db().useHandle(h -> h.createUpdate("UPDATE api_keys SET revoked_at = 1 WHERE id = :id").bind("id", keyId).execute());
        server.close();
        server = null;

        done("paid");
        start(2);
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!server.jobs().get(keyId, id).orElseThrow().status().isFinal()) {
            assertThat(System.nanoTime()).as("the job ends").isLessThan(deadline);
            Thread.sleep(50);
        }
        var job = server.jobs().get(keyId, id).orElseThrow();
        assertThat(job.status()).as("paid upstream, so it is fetched, not abandoned: %s", job.errorCode())
                .isEqualTo(io.framegate.domain.JobStatus.COMPLETED);
        assertThat(LedgerInvariants.entries(db(), id)).extracting(e -> e.get("kind")).containsExactly("reserve", "capture");
        assertThat(gemini.findAll(postRequestedFor(urlEqualTo(CREATE)))).hasSize(1);
        LedgerInvariants.check(db());
    }

    static final String FAST_CREATE = "/v1beta/models/veo-3.1-fast-generate-001:predictLongRunning";

    @Test
    void failoverToAPricierChannelReservesAndCapturesTheDearerPrice() throws Exception {
        config("""
                providers:
                  cheap: {type: gemini, base_url: '%1$s', api_key_env: %2$s}
                  full: {type: gemini, base_url: '%1$s', api_key_env: %2$s}
                routes:
                  veo-3.1-generate-001:
                    - {channel: cheap, model: veo-3.1-fast-generate-001}
                    - full
                """);
        start(2);
        LedgerInvariants.setKeyBudget(db(), keyId, 10_000_000);
        gemini.stubFor(post(urlEqualTo(FAST_CREATE)).willReturn(aResponse().withStatus(429)
                .withBody("{\"error\": {\"code\": 429, \"status\": \"RESOURCE_EXHAUSTED\"}}")));
        createAnswers("dear");
        done("dear");
        Reply created = openai("POST", "/v1/videos", VEO_8S);
        assertThat(created.status()).as(created.body()).isEqualTo(200);
        String id = created.json().path("id").asText();
        // openai-extension.md: framegate.channel is the channel planned at submission (upstream_model too), replaced
        // by the one that took the job once it runs
        assertThat(created.json().at("/framegate/channel").asText()).isEqualTo("cheap");
        assertThat(created.json().at("/framegate/notes/upstream_model").asText()).isEqualTo("veo-3.1-fast-generate-001");
        // the cheap channel (8 x 0.10) is tried first, but the job may fail over to the full-price one (8 x 0.40)
        assertThat(((Number) LedgerInvariants.entries(db(), id).get(0).get("amount_micros")).longValue())
                .as("the reservation covers the dearest channel").isEqualTo(-PRICE);
        JsonNode v = awaitFinal(id);
        assertThat(v.path("status").asText()).as(v.toString()).isEqualTo("completed");
        assertThat(gemini.findAll(postRequestedFor(urlEqualTo(FAST_CREATE)))).as("the cheap channel refused first").isNotEmpty();
        assertThat(gemini.findAll(postRequestedFor(urlEqualTo(CREATE)))).hasSize(1);
        List<Map<String, Object>> entries = LedgerInvariants.entries(db(), id);
        assertThat(entries).extracting(e -> e.get("kind")).containsExactly("reserve", "capture");
        assertThat(((Number) entries.get(1).get("cost_micros")).longValue()).as("billed at the channel that ran").isEqualTo(PRICE);
        assertThat(v.at("/framegate/cost_usd").asText()).isEqualTo("3.2");
        assertThat(v.at("/framegate/channel").asText()).as("replaced after the failover").isEqualTo("full");
        assertThat(v.at("/framegate/notes/upstream_model").asText()).isEqualTo("veo-3.1-generate-001");
        LedgerInvariants.check(db());
    }

    /**
     * docs/admin.md, GET /metrics: {@code framegate_failovers_total{model}} counts the channels given up for the next
     * one of a route, counted when the job ends: a job whose first channel answers 429 and whose second refuses the
     * connection before the third takes it counts 2 for its model; a job that ran on its first channel counts nothing.
     */
    @Test
    void channelsGivenUpForTheNextAreCountedInFramegateFailoversTotalByModel() throws Exception {
        config("""
                providers:
                  cheap: {type: gemini, base_url: '%1$s', api_key_env: %2$s}
                  gone: {type: gemini, base_url: 'http://127.0.0.1:1', api_key_env: %2$s}
                  full: {type: gemini, base_url: '%1$s', api_key_env: %2$s}
                routes:
                  veo-3.1-generate-001:
                    - {channel: cheap, model: veo-3.1-fast-generate-001}
                    - gone
                    - full
                """);
        start(2);
        gemini.stubFor(post(urlEqualTo(FAST_CREATE)).willReturn(aResponse().withStatus(429)
                .withBody("{\"error\": {\"code\": 429, \"status\": \"RESOURCE_EXHAUSTED\"}}")));
        createAnswers("third");
        done("third");
        String token = Files.readString(dir.resolve("data/admin.token")).strip();
        assertThat(failovers(send("GET", "/metrics", null, "Authorization", "Bearer " + token).body()))
                .as("nothing counted before a job ended").isEmpty();

        JsonNode v = awaitFinal(createVeo());
        assertThat(v.path("status").asText()).as(v.toString()).isEqualTo("completed");
        assertThat(gemini.findAll(postRequestedFor(urlEqualTo(FAST_CREATE)))).as("the first channel refused").isNotEmpty();
        assertThat(gemini.findAll(postRequestedFor(urlEqualTo(CREATE)))).as("the third channel ran it").hasSize(1);
        assertThat(failovers(send("GET", "/metrics", null, "Authorization", "Bearer " + token).body()))
                .as("two channels given up for the next, by the job's model")
                .containsExactlyEntriesOf(Map.of("veo-3.1-generate-001", 2.0));
        LedgerInvariants.check(db());
    }

    /** The {@code framegate_failovers_total} samples of a Prometheus scrape, by their {@code model} label. */
    static Map<String, Double> failovers(String metrics) {
        Map<String, Double> found = new java.util.TreeMap<>();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile(
                "(?m)^framegate_failovers_total\\{model=\"([^\"]*)\"\\} (\\S+)$").matcher(metrics);
        while (m.find()) found.put(m.group(1), Double.parseDouble(m.group(2)));
        return found;
    }

    /** The built-in catalog with the price of veo-3.1-generate-001 (and of what extends it) removed. */
    io.framegate.domain.ModelCatalog catalogWithoutVeoPrice() throws Exception {
        com.fasterxml.jackson.databind.node.ObjectNode root;
        try (var in = io.framegate.domain.ModelCatalog.class.getResourceAsStream("models.json")) {
            root = (com.fasterxml.jackson.databind.node.ObjectNode) JSON.readTree(in);
        }
        for (JsonNode m : root.path("models")) {
            if (m.path("id").asText().equals("veo-3.1-generate-001")) {
                ((com.fasterxml.jackson.databind.node.ObjectNode) m).remove(List.of("pricePerSecond", "priceNote"));
            }
        }
        Path file = dir.resolve("models.json");
        Files.writeString(file, JSON.writeValueAsString(root));
        return io.framegate.domain.ModelCatalog.load(file);
    }

    @Test
    void anUnpricedModelIsRefusedWhereABudgetAppliesAndAcceptedWhereNone() throws Exception {
        start(2, catalogWithoutVeoPrice(), 0);
        createAnswers("free");
        running("free");
        assertThat(openai("POST", "/v1/videos", VEO_8S).status()).as("no budget: nothing to protect").isEqualTo(200);
        LedgerInvariants.setKeyBudget(db(), keyId, 10_000_000);
        Reply refused = openai("POST", "/v1/videos", VEO_8S);
        assertThat(refused.status()).as(refused.body()).isEqualTo(403);
        assertThat(refused.json().at("/error/code").asText()).isEqualTo("model_unpriced");
        assertThat(refused.json().at("/error/param").asText()).isEqualTo("model");
        assertThat(refused.json().at("/error/message").asText()).contains("veo-3.1-generate-001").contains("budget");
        Reply google = googleCreate();
        assertThat(google.status()).as(google.body()).isEqualTo(403);
        assertThat(gemini.findAll(postRequestedFor(urlEqualTo(CREATE)))).as("refused creates reach no upstream").hasSizeLessThanOrEqualTo(1);
        int jobs = db().withHandle(h -> h.createQuery("SELECT COUNT(*) FROM jobs").mapTo(Integer.class).one());
        assertThat(jobs).isEqualTo(1);
        LedgerInvariants.check(db());
    }

    @Test
    void aJobReservedForOneBackendIsNotRunUnpricedOnAnotherAfterTheConfigChanged() throws Exception {
        // at submission the model has no route: it renders locally, reserving 0
        config("""
                providers:
                  google: {type: gemini, base_url: '%s', api_key_env: %s}
                default_route: local
                """);
        start(1, io.framegate.domain.ModelCatalog.builtIn(), 2_000); // slow local renders: the second one waits
        LedgerInvariants.setKeyBudget(db(), keyId, 10_000_000);
        createVeo();
        String waiting = createVeo();
        assertThat(((Number) LedgerInvariants.entries(db(), waiting).get(0).get("amount_micros")).longValue()).isZero();
        server.close();
        server = null;
        // now the model goes to a paid upstream
        config("""
                providers:
                  google: {type: gemini, base_url: '%s', api_key_env: %s}
                routes:
                  veo-3.1-generate-001: [google]
                """);
        createAnswers("unpriced");
        done("unpriced");
        start(1);
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!server.jobs().get(keyId, waiting).orElseThrow().status().isFinal()) {
            assertThat(System.nanoTime()).as("the job ends").isLessThan(deadline);
            Thread.sleep(50);
        }
        var job = server.jobs().get(keyId, waiting).orElseThrow();
        assertThat(job.errorCode()).isEqualTo("route_changed");
        assertThat(job.errorMessage()).contains("veo-3.1-generate-001");
        assertThat(LedgerInvariants.entries(db(), waiting)).extracting(e -> e.get("kind")).containsExactly("reserve", "release");
        assertThat(gemini.findAll(postRequestedFor(urlEqualTo(CREATE)))).as("never sent upstream unpriced").isEmpty();
        LedgerInvariants.check(db());
    }

    @Test
    void aJobSentUpstreamWhoseModelLostItsRouteIsNotRenderedLocallyInstead() throws Exception {
        start(2);
        LedgerInvariants.setKeyBudget(db(), keyId, 10_000_000);
        createAnswers("sent");
        running("sent");
        String id = createVeo();
        awaitPolled("sent"); // submitted: the upstream has (and bills) this job
        server.close();
        server = null;
        // the model's route is gone from the config; other models render locally
        config("""
                providers:
                  google: {type: gemini, base_url: '%s', api_key_env: %s}
                default_route: local
                """);
        start(2);
        JsonNode v = awaitFinal(id);
        assertThat(v.path("status").asText()).as(v.toString()).isEqualTo("failed");
        assertThat(v.at("/error/code").asText()).as(v.toString()).isEqualTo("route_changed");
        assertThat(server.jobs().get(keyId, id).orElseThrow().notes()).as("never rendered here instead")
                .doesNotContainEntry("local_render", "true");
        assertThat(LedgerInvariants.entries(db(), id)).extracting(e -> e.get("kind")).containsExactly("reserve", "release");
        assertThat(gemini.findAll(postRequestedFor(urlEqualTo(CREATE)))).hasSize(1);
        LedgerInvariants.check(db());
    }

    @Test
    void aQueuedJobWhoseRouteNowCostsMoreThanItReservedEndsRouteChangedWithoutBeingSent() throws Exception {
        config("""
                providers:
                  cheap: {type: gemini, base_url: '%1$s', api_key_env: %2$s}
                  full: {type: gemini, base_url: '%1$s', api_key_env: %2$s}
                routes:
                  veo-3.1-generate-001: [{channel: cheap, model: veo-3.1-fast-generate-001}]
                """);
        start(1);
        LedgerInvariants.setKeyBudget(db(), keyId, 10_000_000);
        // the first job's submit holds the only cloud slot, so the second stays queued
        gemini.stubFor(post(urlEqualTo(FAST_CREATE)).willReturn(okJson("{\"name\": \"" + op("slow") + "\"}").withFixedDelay(5_000)));
        createVeo();
        String queued = createVeo();
        assertThat(((Number) LedgerInvariants.entries(db(), queued).get(0).get("amount_micros")).longValue())
                .as("reserved at the cheap channel's price, 8 x 0.10").isEqualTo(-800_000);
        server.close();
        server = null;
        // the same route id, now to the full-price model (8 x 0.40)
        config("""
                providers:
                  cheap: {type: gemini, base_url: '%1$s', api_key_env: %2$s}
                  full: {type: gemini, base_url: '%1$s', api_key_env: %2$s}
                routes:
                  veo-3.1-generate-001: [full]
                """);
        createAnswers("dear");
        done("dear");
        start(1);
        JsonNode v = awaitFinal(queued);
        assertThat(v.path("status").asText()).as(v.toString()).isEqualTo("failed");
        assertThat(v.at("/error/code").asText()).as(v.toString()).isEqualTo("route_changed");
        assertThat(v.at("/error/message").asText()).contains("$3.2000").contains("$0.8000");
        assertThat(LedgerInvariants.entries(db(), queued)).extracting(e -> e.get("kind")).containsExactly("reserve", "release");
        assertThat(gemini.findAll(postRequestedFor(urlEqualTo(CREATE)))).as("never sent at a price it did not reserve").isEmpty();
        LedgerInvariants.check(db());
    }

    @Test
    void aCreateRefusedForMoneyDoesNotUseUpAnRpmSlot() throws Exception {
        start(2);
        TestClock.earlyInAMinuteWindow();
        db().useHandle(h -> h.createUpdate("UPDATE api_keys SET rpm = 1 WHERE id = :id").bind("id", keyId).execute());
        LedgerInvariants.setKeyBudget(db(), keyId, PRICE - 1); // not even one job
        Reply refused = openai("POST", "/v1/videos", VEO_8S);
        assertThat(refused.status()).as(refused.body()).isEqualTo(429);
        assertThat(refused.json().at("/error/code").asText()).isEqualTo("insufficient_quota");
        // a create with an image writes its files between its checks and its insert, outside one transaction
        Reply refusedWithImage = googleCreate();
        assertThat(refusedWithImage.status()).as(refusedWithImage.body()).isEqualTo(429);
        assertThat(refusedWithImage.json().at("/error/message").asText()).contains("Insufficient quota");
        LedgerInvariants.setKeyBudget(db(), keyId, PRICE);
        createAnswers("counted");
        running("counted");
        Reply accepted = openai("POST", "/v1/videos", VEO_8S);
        assertThat(accepted.status()).as("the refused creates took no rpm slot: %s", accepted.body()).isEqualTo(200);
        Reply third = openai("POST", "/v1/videos", VEO_8S);
        assertThat(third.status()).isEqualTo(429);
        LedgerInvariants.check(db());
    }

    /** A create of a 1 s local render (video seconds 1, price 0) over HTTP. */
    Reply localCreate() throws Exception {
        return openai("POST", "/v1/videos", "{\"model\": \"framegate-local\", \"prompt\": \"p\", \"size\": \"160x96\", "
                + "\"seconds\": \"1\", \"input_reference\": {\"image_url\": \"data:image/png;base64,"
                + Base64.getEncoder().encodeToString(TestImages.png(160, 96, Color.BLUE)) + "\"}}");
    }

    /** A budget or limit change through the admin API ({@code PATCH /admin/v1/keys/...} or {@code /accounts/...}). */
    void adminPatch(String path, String body) throws Exception {
        Reply r = send("PATCH", path, body, "Authorization", "Bearer " + Files.readString(dir.resolve("data/admin.token")).trim());
        assertThat(r.status()).as(r.body()).isEqualTo(200);
    }

    /** The third create of a test with {@code rpm: 1}: refused for the rate, which shows that the limit was live. */
    void refusedForTheRate() throws Exception {
        Reply limited = openai("POST", "/v1/videos", VEO_8S);
        assertThat(limited.status()).as(limited.body()).isEqualTo(429);
        assertThat(limited.json().at("/error/message").asText()).contains("1 video creates per minute");
    }

    /** docs/admin.md, What clients see; docs/limits.md, rpm: a create refused for its video seconds uses no rpm slot. */
    @Test
    void aCreateRefusedForVideoSecondsDoesNotUseUpAnRpmSlot() throws Exception {
        start(2);
        TestClock.earlyInAMinuteWindow();
        adminPatch("/admin/v1/keys/money", "{\"rpm\": 1, \"video_seconds_limit\": 0}");
        Reply refused = localCreate();
        assertThat(refused.status()).as(refused.body()).isEqualTo(429);
        assertThat(refused.json().at("/error/code").asText()).isEqualTo("insufficient_quota");
        assertThat(refused.json().at("/error/message").asText()).contains("video-seconds limit");
        adminPatch("/admin/v1/keys/money", "{\"video_seconds_limit\": 1}");
        Reply accepted = localCreate();
        assertThat(accepted.status()).as("the refused create took no rpm slot: %s", accepted.body()).isEqualTo(200);
        adminPatch("/admin/v1/keys/money", "{\"video_seconds_limit\": null}");
        refusedForTheRate();
        LedgerInvariants.check(db());
    }

    /** docs/admin.md, What clients see; docs/limits.md, rpm: a create refused for max_concurrent uses no rpm slot. */
    @Test
    void aCreateRefusedForMaxConcurrentDoesNotUseUpAnRpmSlot() throws Exception {
        start(2);
        createAnswers("busy");
        running("busy");
        TestClock.earlyInAMinuteWindow();
        String busy = createVeo(); // made before the rpm limit: it holds the one concurrent slot, not a minute slot
        adminPatch("/admin/v1/keys/money", "{\"rpm\": 1, \"max_concurrent\": 1}");
        Reply refused = openai("POST", "/v1/videos", VEO_8S);
        assertThat(refused.status()).as(refused.body()).isEqualTo(429);
        assertThat(refused.json().at("/error/message").asText()).contains("max_concurrent");
        // a create with an image writes its files between its checks and its insert, outside one transaction
        Reply refusedWithImage = googleCreate();
        assertThat(refusedWithImage.status()).as(refusedWithImage.body()).isEqualTo(429);
        assertThat(refusedWithImage.json().at("/error/message").asText()).contains("max_concurrent");
        awaitPolled("busy");
        assertThat(openai("POST", "/v1/videos/" + busy + "/cancel", null).status()).isEqualTo(200);
        awaitFinal(busy);
        Reply accepted = openai("POST", "/v1/videos", VEO_8S);
        assertThat(accepted.status()).as("the refused create took no rpm slot: %s", accepted.body()).isEqualTo(200);
        adminPatch("/admin/v1/keys/money", "{\"max_concurrent\": null}");
        refusedForTheRate();
        LedgerInvariants.check(db());
    }

    /** docs/admin.md, What clients see: a create answered from its Idempotency-Key (a replay) is not counted. */
    @Test
    void aReplayedIdempotencyKeyDoesNotUseUpAnRpmSlot() throws Exception {
        start(2);
        createAnswers("once");
        running("once");
        TestClock.earlyInAMinuteWindow();
        Reply first = send("POST", "/v1/videos", VEO_8S, "Authorization", "Bearer " + key, "Idempotency-Key", "rpm-replay");
        assertThat(first.status()).as(first.body()).isEqualTo(200);
        adminPatch("/admin/v1/keys/money", "{\"rpm\": 1}");
        Reply replay = send("POST", "/v1/videos", VEO_8S, "Authorization", "Bearer " + key, "Idempotency-Key", "rpm-replay");
        assertThat(replay.status()).as(replay.body()).isEqualTo(200);
        assertThat(replay.json().path("id").asText()).isEqualTo(first.json().path("id").asText());
        Reply accepted = openai("POST", "/v1/videos", VEO_8S);
        assertThat(accepted.status()).as("the replay took no rpm slot: %s", accepted.body()).isEqualTo(200);
        refusedForTheRate();
        Reply replayWhenFull = send("POST", "/v1/videos", VEO_8S, "Authorization", "Bearer " + key, "Idempotency-Key", "rpm-replay");
        assertThat(replayWhenFull.status()).as("a replay is answered even when the minute is used up: %s", replayWhenFull.body())
                .isEqualTo(200);
        LedgerInvariants.check(db());
    }

    /** README, docs/admin.md Accounts and keys: the account's max_concurrent applies to its key; the tighter one applies. */
    @Test
    void theAccountsMaxConcurrentAppliesToItsKeysToo() throws Exception {
        start(2);
        createAnswers("team");
        running("team");
        adminPatch("/admin/v1/accounts/default", "{\"max_concurrent\": 1}");
        adminPatch("/admin/v1/keys/money", "{\"max_concurrent\": 5}");
        createVeo();
        Reply second = openai("POST", "/v1/videos", VEO_8S);
        assertThat(second.status()).as(second.body()).isEqualTo(429);
        assertThat(second.json().at("/error/code").asText()).isEqualTo("rate_limit_exceeded");
        assertThat(second.json().at("/error/message").asText()).contains("your account").contains("max_concurrent) is 1");
        int jobs = db().withHandle(h -> h.createQuery("SELECT COUNT(*) FROM jobs").mapTo(Integer.class).one());
        assertThat(jobs).as("the refused create left no job").isEqualTo(1);
        adminPatch("/admin/v1/accounts/default", "{\"max_concurrent\": null}");
        createVeo(); // the key's own 5 leaves room: the account's 1 was what refused it
        LedgerInvariants.check(db());
    }

    /** README, docs/admin.md Accounts and keys: the account's video_seconds_limit applies to its key; the tighter one applies. */
    @Test
    void theAccountsVideoSecondsLimitAppliesToItsKeysToo() throws Exception {
        start(2);
        adminPatch("/admin/v1/accounts/default", "{\"video_seconds_limit\": 1}");
        adminPatch("/admin/v1/keys/money", "{\"video_seconds_limit\": 100}");
        Reply first = localCreate();
        assertThat(first.status()).as(first.body()).isEqualTo(200);
        Reply second = localCreate();
        assertThat(second.status()).as(second.body()).isEqualTo(429);
        assertThat(second.json().at("/error/code").asText()).isEqualTo("insufficient_quota");
        assertThat(second.json().at("/error/message").asText()).contains("video-seconds limit of your account").contains("Limit 1 s");
        int jobs = db().withHandle(h -> h.createQuery("SELECT COUNT(*) FROM jobs").mapTo(Integer.class).one());
        assertThat(jobs).as("the refused create left no job").isEqualTo(1);
        adminPatch("/admin/v1/accounts/default", "{\"video_seconds_limit\": null}");
        assertThat(localCreate().status()).as("the key's own 100 s leaves room").isEqualTo(200);
        LedgerInvariants.check(db());
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void concurrentCreatesWithOneIdempotencyKeyMakeOneJob(String database) throws Exception {
        useDatabase(database);
        start(2);
        LedgerInvariants.setKeyBudget(db(), keyId, PRICE); // one job: a racer must replay it, not be refused
        createAnswers("same");
        running("same");
        int n = 20;
        ExecutorService pool = Executors.newFixedThreadPool(n);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Reply>> replies = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            replies.add(pool.submit((Callable<Reply>) () -> {
                go.await();
                return send("POST", "/v1/videos", VEO_8S, "Authorization", "Bearer " + key, "Idempotency-Key", "race-1");
            }));
        }
        go.countDown();
        java.util.Set<String> ids = new java.util.HashSet<>();
        for (Future<Reply> f : replies) {
            Reply r = f.get();
            // while the first create holds the key, the others are 409 idempotency_key_in_use; never a 429 for its budget
            if (r.status() == 409) {
                assertThat(r.json().at("/error/code").asText()).as(r.body()).isEqualTo("idempotency_key_in_use");
                continue;
            }
            assertThat(r.status()).as(r.body()).isEqualTo(200);
            ids.add(r.json().path("id").asText());
        }
        pool.shutdown();
        assertThat(ids).hasSize(1);
        int jobs = db().withHandle(h -> h.createQuery("SELECT COUNT(*) FROM jobs WHERE idempotency_key = 'race-1'")
                .mapTo(Integer.class).one());
        assertThat(jobs).isEqualTo(1);
        assertThat(LedgerInvariants.entries(db(), ids.iterator().next())).hasSize(1);
        assertThat(LedgerInvariants.keyColumn(db(), keyId, "reserved_micros")).isEqualTo(PRICE);
        LedgerInvariants.check(db());
    }

    /**
     * admin.md, Money: "A job whose key row was deleted still settles (its account's counters and the ledger)". The
     * key's row is deleted by hand while its job waits on the upstream; the job completes and its account is charged
     * its price once, with nothing left reserved.
     */
    @Test
    void aJobWhoseKeyRowWasDeletedWhileItRanStillSettlesOnItsAccount() throws Exception {
        start(2);
        db().useTransaction(h -> {
            h.createUpdate("INSERT INTO accounts (id, name, budget_micros, created_at) VALUES ('acct_d', 'd', 5000000, 0)").execute();
            h.createUpdate("INSERT INTO ledger (account_id, kind, amount_micros, created_at) VALUES ('acct_d', 'grant', 5000000, 0)")
                    .execute();
            h.createUpdate("UPDATE api_keys SET account_id = 'acct_d' WHERE id = :id").bind("id", keyId).execute();
        });
        createAnswers("orphan");
        running("orphan");
        String id = createVeo();
        awaitPolled("orphan");
        int deleted = db().withHandle(h -> h.createUpdate("DELETE FROM api_keys WHERE id = :id").bind("id", keyId).execute());
        assertThat(deleted).isEqualTo(1);

        done("orphan");
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (db().withHandle(h -> h.createQuery("SELECT COUNT(*) FROM jobs WHERE id = :id AND settled_at IS NOT NULL")
                .bind("id", id).mapTo(Integer.class).one()) == 0) {
            assertThat(System.nanoTime()).as("the job settles").isLessThan(deadline);
            Thread.sleep(50);
        }
        String status = db().withHandle(h -> h.createQuery("SELECT status FROM jobs WHERE id = :id").bind("id", id)
                .mapTo(String.class).one());
        assertThat(status).isEqualTo("COMPLETED");
        Map<String, Object> account = db().withHandle(h -> h.createQuery(
                "SELECT spent_micros, reserved_micros, active_jobs FROM accounts WHERE id = 'acct_d'").mapToMap().one());
        assertThat(((Number) account.get("spent_micros")).longValue()).as("charged once, its price").isEqualTo(PRICE);
        assertThat(((Number) account.get("reserved_micros")).longValue()).isZero();
        assertThat(((Number) account.get("active_jobs")).longValue()).isZero();
        List<String> entries = LedgerInvariants.kinds(db(), id);
        assertThat(entries).containsExactly("reserve", "capture");
        LedgerInvariants.check(db());
    }
}
