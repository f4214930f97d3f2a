package io.framegate.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import io.framegate.server.jobs.WorkerSettings;
import io.framegate.server.media.MediaFinisher;
import org.jdbi.v3.core.Handle;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 10, the gateway's own cost on create: a create without files takes one connection from the request pool
 * (one transaction: the key's limits, the idempotency lookup, limit checks, rate-limit count, budget reservation and
 * insert) besides the one of its key lookup, whatever limits its key has; and background work holding every
 * connection of its own pool does not hold up a create. The job's upstream is an OpenAI-compatible stand-in whose jobs
 * never finish (nothing but the creates moves while a test counts).
 */
class CreateConnectionsTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    Path dir;
    WireMockServer upstream;
    FramegateServer server;
    String key;
    String keyId;

    /** On the embedded H2 file ("h2") or the shared PostgreSQL of {@link PgTestDatabase} ("postgresql"). */
    void start(String database) throws Exception {
        upstream = new WireMockServer(options().dynamicPort().globalTemplating(true));
        upstream.start();
        upstream.stubFor(post(urlEqualTo("/v1/videos")).willReturn(aResponse().withHeader("Content-Type", "application/json")
                .withBody(video("video_up_{{randomValue length=16 type='ALPHANUMERIC'}}", "queued"))));
        upstream.stubFor(get(urlPathMatching("/v1/videos/.*")).willReturn(aResponse()
                .withHeader("Content-Type", "application/json").withBody(video("{{request.pathSegments.[2]}}", "in_progress"))));
        Path data = Files.createDirectories(dir.resolve("data"));
        Files.writeString(data.resolve("framegate.yaml"), """
                providers:
                  agg: {type: openai, base_url: '%s/v1', api_key_env: FG_CONN_KEY}
                routes:
                  sora-2: [{channel: agg, allow_retired: true}]
                timing: {poll_initial: 5s, poll_max: 5s, request_timeout: 10s}
                database_pools: {requests: 4, background: 3}
                """.formatted(upstream.baseUrl()) + (database.equals("h2") ? ""
                : "database: {url: '" + PgTestDatabase.fresh() + "'}\n"));
        ServerOptions o = ServerOptions.defaults(data).withHost("127.0.0.1").withPort(0).withAccessLog(null)
                .withWorkers(new WorkerSettings(1, 2, Duration.ofSeconds(30), Duration.ofMillis(100), Duration.ofSeconds(5)));
        // the server's clock starts 5 s into a minute, so the counts of one rpm window are never split by its end
        long ms = System.currentTimeMillis();
        java.time.Clock clock = java.time.Clock.offset(java.time.Clock.systemUTC(),
                Duration.ofMillis(Math.floorMod(65_000 - ms % 60_000, 60_000)));
        server = FramegateServer.builder(o).clock(clock).environment(Map.of("FG_CONN_KEY", "sk-conn")::get)
                .backend("local", new TinyVideoBackend("local", true, 0)).finisher(new MediaFinisher()).build().start();
        var created = server.keys().create("counted");
        key = created.secret();
        keyId = created.key().id();
    }

    @AfterEach
    void stop() {
        if (server != null) server.close();
        if (upstream != null) upstream.stop();
    }

    private static String video(String id, String status) {
        return "{\"id\":\"" + id + "\",\"object\":\"video\",\"created_at\":1758941485,\"status\":\"" + status
                + "\",\"model\":\"sora-2\",\"progress\":0,\"seconds\":\"4\",\"size\":\"1280x720\"}";
    }

    record Reply(int status, JsonNode json) {
    }

    Reply create(String prompt, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/v1/videos"))
                .timeout(Duration.ofSeconds(20)).header("Authorization", "Bearer " + key)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"sora-2\",\"prompt\":\"" + prompt
                        + "\",\"seconds\":\"4\",\"size\":\"1280x720\"}"));
        for (int i = 0; i < headers.length; i += 2) b.header(headers[i], headers[i + 1]);
        HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        return new Reply(r.statusCode(), JSON.readTree(r.body()));
    }

    /** The request pool's checkouts that {@code call} makes. */
    long checkouts(Call call) throws Exception {
        long before = server.database().requestCheckouts();
        call.run();
        return server.database().requestCheckouts() - before;
    }

    interface Call {
        void run() throws Exception;
    }

    /** Limits on the key and its account, so a create counts its rate, checks its concurrency and reserves its price. */
    void limitEverything() {
        server.database().jdbi().useHandle(h -> {
            h.createUpdate("UPDATE api_keys SET rpm = 1000, max_concurrent = 1000, budget_micros = 1000000000 WHERE id = :id")
                    .bind("id", keyId).execute();
            h.createUpdate("UPDATE accounts SET rpm = 1000, max_concurrent = 1000").execute();
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void aCreateTakesOneConnectionBesidesItsKeyLookup(String database) throws Exception {
        start(database);
        limitEverything();
        long one = checkouts(() -> assertThat(create("first").status()).isEqualTo(200));
        // the key lookup alone: a request refused by validation (before any connection of the create)
        long authOnly = checkouts(() -> {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
                            + "/v1/videos")).header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"sora-2\",\"prompt\":\"p\",\"seconds\":\"7\"}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
        });
        assertThat(authOnly).as("the key lookup of a request").isEqualTo(1);
        assertThat(one).as("a create: its key lookup and one transaction").isEqualTo(authOnly + 1);

        List<Long> each = new ArrayList<>();
        for (int i = 0; i < 5; i++) each.add(checkouts(() -> assertThat(create("plain").status()).isEqualTo(200)));
        String[] first = new String[1];
        each.add(checkouts(() -> {
            Reply r = create("idem", "Idempotency-Key", "once");
            assertThat(r.status()).isEqualTo(200);
            first[0] = r.json().path("id").asText();
        }));
        each.add(checkouts(() -> {
            Reply r = create("idem", "Idempotency-Key", "once");
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.json().path("id").asText()).as("the replay answers the same job").isEqualTo(first[0]);
        }));
        each.add(checkouts(() -> assertThat(create("other body", "Idempotency-Key", "once").status()).isEqualTo(409)));
        assertThat(each).as("key lookup + one transaction per create, replay and mismatch").containsOnly(authOnly + 1);

        long jobs = server.database().jdbi().withHandle(h -> h.createQuery("SELECT COUNT(*) FROM jobs WHERE owner_key_id = :k")
                .bind("k", keyId).mapTo(Long.class).one());
        assertThat(jobs).as("one job per create, one for the idempotent pair").isEqualTo(7);
        long reserved = server.database().jdbi().withHandle(h -> h.createQuery("SELECT COUNT(*) FROM ledger "
                + "WHERE key_id = :k AND kind = 'reserve'").bind("k", keyId).mapTo(Long.class).one());
        assertThat(reserved).as("each job reserved its price exactly once").isEqualTo(7);
        int counted = server.database().jdbi().withHandle(h -> h.createQuery("SELECT COALESCE(SUM(requests), 0) FROM "
                + "rate_windows WHERE holder = :k").bind("k", keyId).mapTo(Integer.class).one());
        // a replay and a mismatch are answered before the count
        assertThat(counted).as("the key's rate-limit count").isEqualTo(7);
    }

    /**
     * What a create costs the database besides its connections: its statements on the request pool. A create without
     * an Idempotency-Key and without limits on its key runs 9: the key lookup, the key's limits (read once for the
     * allow-list and the rate check), the key's and account's holders (one query, whose account the insert reuses),
     * the queue bound's count (of at most {@code max_queued_jobs} rows), the job's insert, the key's and the account's
     * reservation, the account re-read under the key row's lock and the ledger entry; and no savepoint (14 statements
     * and a savepoint before).
     */
    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void aCreateRunsNineStatements(String database) throws Exception {
        start(database);
        java.util.concurrent.atomic.AtomicInteger statements = new java.util.concurrent.atomic.AtomicInteger();
        List<String> seen = java.util.Collections.synchronizedList(new ArrayList<>());
        server.database().requestJdbi().setSqlLogger(new org.jdbi.v3.core.statement.SqlLogger() {
            @Override
            public void logAfterExecution(org.jdbi.v3.core.statement.StatementContext context) {
                statements.incrementAndGet();
                seen.add(context.getRenderedSql());
            }
        });
        // Jdbi takes a savepoint on the connection itself (not through a statement): count it at the handler
        java.util.concurrent.atomic.AtomicInteger savepoints = new java.util.concurrent.atomic.AtomicInteger();
        org.jdbi.v3.core.Jdbi jdbi = server.database().requestJdbi();
        jdbi.setTransactionHandler(new org.jdbi.v3.core.transaction.DelegatingTransactionHandler(jdbi.getTransactionHandler()) {
            @Override
            public void savepoint(org.jdbi.v3.core.Handle handle, String name) {
                savepoints.incrementAndGet();
                super.savepoint(handle, name);
            }
        });
        assertThat(create("warm").status()).isEqualTo(200);
        statements.set(0);
        seen.clear();
        savepoints.set(0);
        assertThat(create("counted").status()).isEqualTo(200);
        assertThat(statements.get()).as(String.join("\n", seen)).isEqualTo(9);
        assertThat(savepoints.get()).as("no savepoint without an Idempotency-Key").isZero();
        assertThat(create("keyed", "Idempotency-Key", "savepoint-test").status()).isEqualTo(200);
        assertThat(savepoints.get()).as("the insert of a create with an Idempotency-Key under a savepoint").isEqualTo(1);
        assertThat(count("SELECT COUNT(*) FROM ledger WHERE key_id = :k AND kind = 'reserve'")).as("each create reserved")
                .isEqualTo(3);
        assertThat(count("SELECT active_jobs FROM api_keys WHERE id = :k")).isEqualTo(3);
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void concurrentCreatesWithOneIdempotencyKeyMakeOneJobAndReserveOnce(String database) throws Exception {
        start(database);
        limitEverything(); // the first creates of the minute also race to make the key's rate window row
        int n = 8;
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Reply>> replies = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                replies.add(pool.submit(() -> {
                    go.await();
                    return create("raced", "Idempotency-Key", "race-1");
                }));
                replies.add(pool.submit(() -> {
                    go.await();
                    return create("free");
                }));
            }
            go.countDown();
            java.util.Set<String> raced = new java.util.HashSet<>();
            for (int i = 0; i < replies.size(); i++) {
                Reply r = replies.get(i).get(60, TimeUnit.SECONDS);
                if (i % 2 == 0 && r.status() == 409) { // the key's first create was still under way
                    assertThat(r.json().at("/error/code").asText()).isEqualTo("idempotency_key_in_use");
                    continue;
                }
                assertThat(r.status()).as(r.json().toString()).isEqualTo(200);
                if (i % 2 == 0) raced.add(r.json().path("id").asText());
            }
            assertThat(raced).as("every create with the key answered 200 answers the one job").hasSize(1);
        } finally {
            pool.shutdownNow();
        }
        assertThat(count("SELECT COUNT(*) FROM jobs WHERE owner_key_id = :k")).isEqualTo(n + 1);
        assertThat(count("SELECT COUNT(*) FROM ledger WHERE key_id = :k AND kind = 'reserve'")).isEqualTo(n + 1);
        assertThat(count("SELECT COALESCE(SUM(requests), 0) FROM rate_windows WHERE holder = :k"))
                .as("every job was counted once; a replay or a create whose key was in use is not").isEqualTo(n + 1);
        assertThat(count("SELECT active_jobs FROM api_keys WHERE id = :k")).as("reserved once per job").isEqualTo(n + 1);
    }

    long count(String sql) {
        return server.database().jdbi().withHandle(h -> h.createQuery(sql).bind("k", keyId).mapTo(Long.class).one());
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void backgroundWorkHoldingItsWholePoolDoesNotHoldUpACreate(String database) throws Exception {
        start(database);
        List<Handle> held = new ArrayList<>();
        try {
            // every connection of the job core's pool (database_pools.background: 3), as busy workers would hold them
            for (int i = 0; i < 3; i++) held.add(server.database().jdbi().open());
            long t = System.nanoTime();
            Reply r = create("while the background pool is exhausted");
            assertThat(r.status()).as(r.json().toString()).isEqualTo(200);
            // a shared pool would make it wait for Hikari's connection timeout (30 s), then fail
            assertThat(Duration.ofNanos(System.nanoTime() - t)).isLessThan(Duration.ofSeconds(15));
        } finally {
            held.forEach(Handle::close);
        }
    }
}
