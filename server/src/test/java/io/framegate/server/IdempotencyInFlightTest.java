package io.framegate.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import io.framegate.server.jobs.WorkerSettings;
import io.framegate.server.media.MediaFinisher;
import io.framegate.server.storage.DiskSpace;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.awt.Color;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Creates with one Idempotency-Key while the first is still under way (real HTTP, OpenAI and Gemini surfaces): the
 * others are answered 409 {@code idempotency_key_in_use} with Retry-After, never a second job, a second reservation
 * or a 429 for the rate slot the first one took; once it has ended they get its replay (or the mismatch error). A
 * claim left by a crashed instance expires. The Veo route goes to a Gemini API stand-in whose operations never end.
 */
class IdempotencyInFlightTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    static final String ENV = "FG_INFLIGHT_GEMINI_KEY";
    static final String PNG = Base64.getEncoder().encodeToString(TestImages.png(1280, 720, Color.CYAN));
    static final long PRICE = 3_200_000; // 8 s of veo-3.1 at 720p

    static WireMockServer gemini;

    @TempDir
    Path dir;
    FramegateServer server;
    /** A second instance on the same database, when a test starts one. */
    FramegateServer other;
    String key;
    String keyId;
    final HeldDisk disk = new HeldDisk();

    @BeforeAll
    static void standIn() {
        gemini = new WireMockServer(options().dynamicPort());
        gemini.start();
        gemini.stubFor(post(urlMatching("/v1beta/models/veo-3.1-generate-001:predictLongRunning"))
                .willReturn(okJson("{\"name\": \"models/veo-3.1-generate-001/operations/op1\"}")));
        gemini.stubFor(get(urlMatching("/v1beta/models/veo-3.1-generate-001/operations/.*"))
                .willReturn(okJson("{\"name\": \"models/veo-3.1-generate-001/operations/op1\", \"done\": false}")));
        gemini.stubFor(post(urlMatching(".*:cancel")).willReturn(okJson("{}")));
    }

    @AfterAll
    static void stopStandIn() {
        gemini.stop();
    }

    /** On the embedded H2 file ("h2") or the shared PostgreSQL of {@link PgTestDatabase} ("postgresql"). */
    void start(String database) throws Exception {
        String url = database.equals("h2") ? null : PgTestDatabase.fresh();
        server = instance("data", url, disk);
        var created = server.keys().create("inflight");
        key = created.secret();
        keyId = created.key().id();
        // one create a minute and a budget for one job: a race for either would show as a 429
        db().useHandle(h -> h.createUpdate("UPDATE api_keys SET rpm = 1 WHERE id = :id").bind("id", keyId).execute());
        LedgerInvariants.setKeyBudget(db(), keyId, PRICE);
    }

    /** A server with its own data directory under {@code dir}, on {@code databaseUrl} (null: its embedded H2). */
    FramegateServer instance(String name, String databaseUrl, DiskSpace diskSpace) throws Exception {
        Path data = Files.createDirectories(dir.resolve(name));
        Files.writeString(data.resolve("framegate.yaml"), """
                providers:
                  google: {type: gemini, base_url: '%s', api_key_env: %s}
                routes:
                  veo-3.1-generate-001: [google]
                limits: {min_free_disk: 1MiB}
                timing: {poll_initial: 5s, poll_max: 5s, request_timeout: 10s}
                """.formatted(gemini.baseUrl(), ENV) + (databaseUrl == null ? "" : "database: {url: '" + databaseUrl + "'}\n"));
        ServerOptions o = ServerOptions.defaults(data).withHost("127.0.0.1").withPort(0).withAccessLog(null)
                .withWorkers(new WorkerSettings(1, 2, Duration.ofSeconds(30), Duration.ofMillis(100), Duration.ofSeconds(5)));
        // the server's clock starts 5 s into a minute, so one test's creates fall in one rpm window
        long ms = System.currentTimeMillis();
        java.time.Clock clock = java.time.Clock.offset(java.time.Clock.systemUTC(),
                Duration.ofMillis(Math.floorMod(65_000 - ms % 60_000, 60_000)));
        return FramegateServer.builder(o).clock(clock).environment(Map.of(ENV, "gm-inflight")::get).diskSpace(diskSpace)
                .backend("local", new TinyVideoBackend("local", true, 0)).finisher(new MediaFinisher()).build().start();
    }

    @AfterEach
    void stop() {
        disk.release.countDown();
        if (other != null) other.close();
        if (server != null) server.close();
    }

    Jdbi db() {
        return server.database().jdbi();
    }

    record Reply(int status, String body, HttpResponse<String> raw) {
        JsonNode json() throws Exception {
            return JSON.readTree(body);
        }
    }

    /** A create on {@code surface} ("openai": JSON, no image; "gemini": with an image) with the Idempotency-Key. */
    Reply create(String surface, String prompt, String idempotencyKey) throws Exception {
        return create(server, surface, prompt, idempotencyKey);
    }

    Reply create(FramegateServer on, String surface, String prompt, String idempotencyKey) throws Exception {
        boolean openai = surface.equals("openai");
        String body = openai
                ? "{\"model\": \"veo-3.1-generate-001\", \"prompt\": \"" + prompt + "\", \"seconds\": \"8\", \"size\": \"1280x720\"}"
                : """
                {"instances": [{"prompt": "%s", "image": {"bytesBase64Encoded": "%s", "mimeType": "image/png"}}],
                 "parameters": {"aspectRatio": "16:9", "durationSeconds": 8}}
                """.formatted(prompt, PNG);
        String path = openai ? "/v1/videos" : "/v1beta/models/veo-3.1-generate-001:predictLongRunning";
        HttpRequest r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + on.port() + path))
                .timeout(Duration.ofSeconds(60)).header("Content-Type", "application/json")
                .header(openai ? "Authorization" : "x-goog-api-key", openai ? "Bearer " + key : key)
                .header("Idempotency-Key", idempotencyKey).POST(HttpRequest.BodyPublishers.ofString(body)).build();
        HttpResponse<String> response = HTTP.send(r, HttpResponse.BodyHandlers.ofString());
        return new Reply(response.statusCode(), response.body(), response);
    }

    static String idOf(String surface, Reply r) throws Exception {
        return surface.equals("openai") ? r.json().path("id").asText() : r.json().path("name").asText();
    }

    /** 409 in the surface's shape, saying the key's request is still being processed, with Retry-After. */
    static void assertInUse(String surface, Reply r) throws Exception {
        assertThat(r.status()).as(r.body()).isEqualTo(409);
        if (surface.equals("openai")) {
            assertThat(r.json().at("/error/code").asText()).isEqualTo("idempotency_key_in_use");
            assertThat(r.json().at("/error/param").asText()).isEqualTo("Idempotency-Key");
            assertThat(r.raw().headers().firstValue("x-should-retry")).as("the SDKs may retry it").isEmpty();
        } else {
            assertThat(r.json().at("/error/code").asInt()).isEqualTo(409);
            assertThat(r.json().at("/error/status").asText()).isEqualTo("ABORTED");
        }
        assertThat(r.json().at("/error/message").asText()).contains("Idempotency-Key").contains("still being processed")
                .doesNotContain("SQL").doesNotContain("Exception");
        assertThat(r.raw().headers().firstValue("Retry-After")).contains("1");
    }

    long count(String sql) {
        return db().withHandle(h -> h.createQuery(sql).bind("k", keyId).mapTo(Long.class).one());
    }

    /** One job for the key, reserved once, one rate slot used, no claim left behind; the ledger adds up. */
    void assertOneJobReservedOnce(String idempotencyKey) {
        assertThat(count("SELECT COUNT(*) FROM jobs WHERE owner_key_id = :k")).as("jobs").isEqualTo(1);
        assertThat(count("SELECT COUNT(*) FROM jobs WHERE owner_key_id = :k AND idempotency_key = '" + idempotencyKey + "'"))
                .isEqualTo(1);
        assertThat(count("SELECT COUNT(*) FROM ledger WHERE key_id = :k AND kind = 'reserve'")).as("reservations").isEqualTo(1);
        assertThat(count("SELECT reserved_micros FROM api_keys WHERE id = :k")).isEqualTo(PRICE);
        assertThat(count("SELECT COALESCE(SUM(requests), 0) FROM rate_windows WHERE holder = :k")).as("rpm count").isEqualTo(1);
        assertThat(count("SELECT COUNT(*) FROM idempotency_in_flight WHERE owner_key_id = :k")).as("claims left").isZero();
        LedgerInvariants.check(db());
    }

    @ParameterizedTest
    @ValueSource(strings = {"openai", "gemini"})
    void aCreateWhoseKeyIsStillInFlightIs409AndAfterItEndsTheReplayOrTheMismatch(String surface) throws Exception {
        start("h2");
        disk.armed = true;
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<Reply> first = pool.submit(() -> create(surface, "a pier", "held"));
            assertThat(disk.entered.await(30, TimeUnit.SECONDS)).as("the first create reached its checks").isTrue();

            Reply same = create(surface, "a pier", "held");
            assertInUse(surface, same);
            Reply other = create(surface, "another pier", "held");
            assertInUse(surface, other); // its body is not compared before the first create has a job

            disk.release.countDown();
            Reply won = first.get(60, TimeUnit.SECONDS);
            assertThat(won.status()).as(won.body()).isEqualTo(200);
            Reply replay = create(surface, "a pier", "held");
            assertThat(replay.status()).as("after it ended, the replay: %s", replay.body()).isEqualTo(200);
            assertThat(idOf(surface, replay)).isEqualTo(idOf(surface, won));
            Reply mismatch = create(surface, "another pier", "held");
            assertThat(mismatch.status()).as(mismatch.body()).isEqualTo(409);
            assertThat(mismatch.body()).contains("was already used for a different request");
        } finally {
            pool.shutdownNow();
        }
        assertOneJobReservedOnce("held");
    }

    @ParameterizedTest
    @CsvSource({"openai, h2", "gemini, h2", "openai, postgresql", "gemini, postgresql"})
    void concurrentCreatesWithOneKeyMakeOneJobAndTheOthersAre409OrItsReplayNever429(String surface, String database)
            throws Exception {
        start(database);
        int n = 10;
        ExecutorService pool = Executors.newFixedThreadPool(n);
        List<Reply> replies = new ArrayList<>();
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Reply>> futures = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                futures.add(pool.submit(() -> {
                    go.await();
                    return create(surface, "a pier", "race");
                }));
            }
            go.countDown();
            for (Future<Reply> f : futures) replies.add(f.get(60, TimeUnit.SECONDS));
        } finally {
            pool.shutdownNow();
        }
        Set<String> ids = new HashSet<>();
        int inUse = 0;
        for (Reply r : replies) {
            assertThat(r.status()).as("neither refused for the rate slot nor the budget the first took: %s", r.body())
                    .isIn(200, 409);
            if (r.status() == 409) {
                assertInUse(surface, r);
                inUse++;
            } else {
                ids.add(idOf(surface, r));
            }
        }
        System.out.printf("in-flight race (%s, %s): %d creates with one key: %d answered the job, %d in use%n",
                surface, database, n, n - inUse, inUse);
        assertThat(ids).as("every 200 answers the one job").hasSize(1);
        assertOneJobReservedOnce("race");
    }

    @ParameterizedTest
    @ValueSource(strings = {"openai", "gemini"})
    void aClaimLeftByACrashedInstanceExpiresAndALiveOneHolds(String surface) throws Exception {
        start("h2");
        // claims as an instance that died mid-create leaves them: one past its expiry, one not yet
        db().useHandle(h -> {
            h.createUpdate("INSERT INTO idempotency_in_flight (owner_key_id, idempotency_key, token, expires_at) "
                    + "VALUES (:k, 'crashed', 'dead-instance', 1)").bind("k", keyId).execute();
            h.createUpdate("INSERT INTO idempotency_in_flight (owner_key_id, idempotency_key, token, expires_at) "
                    + "VALUES (:k, 'live', 'other-instance', :far)").bind("k", keyId)
                    .bind("far", System.currentTimeMillis() + Duration.ofHours(1).toMillis()).execute();
            h.createUpdate("INSERT INTO idempotency_in_flight (owner_key_id, idempotency_key, token, expires_at) "
                    + "VALUES (:k, 'never-retried', 'dead-instance', 1)").bind("k", keyId).execute();
        });
        assertInUse(surface, create(surface, "a pier", "live"));
        assertThat(count("SELECT COALESCE(SUM(requests), 0) FROM rate_windows WHERE holder = :k"))
                .as("a 409 takes no rate slot").isZero();

        Reply taken = create(surface, "a pier", "crashed");
        assertThat(taken.status()).as("the stale claim is taken over: %s", taken.body()).isEqualTo(200);
        assertThat(count("SELECT COUNT(*) FROM idempotency_in_flight WHERE owner_key_id = :k AND idempotency_key = 'never-retried'"))
                .as("a create's release sweeps stale claims of other keys too").isZero();
        db().useHandle(h -> h.createUpdate("DELETE FROM idempotency_in_flight WHERE idempotency_key = 'live'").execute());
        assertOneJobReservedOnce("crashed");
    }

    /**
     * On the embedded database a restarted server is the only process that can have a create under way: a claim its
     * killed predecessor held is dropped at the start, so the client's retry is served, not told 409 for 10 minutes.
     */
    @ParameterizedTest
    @ValueSource(strings = {"openai", "gemini"})
    void anEmbeddedDatabasesStartDropsTheClaimsItsDeadProcessHeld(String surface) throws Exception {
        start("h2");
        db().useHandle(h -> h.createUpdate("INSERT INTO idempotency_in_flight (owner_key_id, idempotency_key, token, "
                + "expires_at) VALUES (:k, 'cut-short', 'killed-process', :far)").bind("k", keyId)
                .bind("far", System.currentTimeMillis() + Duration.ofHours(1).toMillis()).execute());
        assertInUse(surface, create(surface, "a pier", "cut-short"));
        server.close();
        server = instance("data", null, disk);
        Reply retried = create(surface, "a pier", "cut-short");
        assertThat(retried.status()).as(retried.body()).isEqualTo(200);
        assertOneJobReservedOnce("cut-short");
    }

    /** Two instances on one PostgreSQL: a key whose create is under way on one is in use on the other too. */
    @ParameterizedTest
    @ValueSource(strings = {"openai", "gemini"})
    void aKeyInFlightOnOneInstanceIs409OnAnother(String surface) throws Exception {
        start("postgresql");
        other = instance("other", PgTestDatabase.url(), DiskSpace.UNLIMITED);
        disk.armed = true;
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<Reply> first = pool.submit(() -> create(surface, "a pier", "shared"));
            assertThat(disk.entered.await(30, TimeUnit.SECONDS)).as("the first create reached its checks").isTrue();
            assertInUse(surface, create(other, surface, "a pier", "shared"));
            disk.release.countDown();
            Reply won = first.get(60, TimeUnit.SECONDS);
            assertThat(won.status()).as(won.body()).isEqualTo(200);
            Reply replay = create(other, surface, "a pier", "shared");
            assertThat(replay.status()).as(replay.body()).isEqualTo(200);
            assertThat(idOf(surface, replay)).isEqualTo(idOf(surface, won));
        } finally {
            pool.shutdownNow();
        }
        assertOneJobReservedOnce("shared");
    }
}
