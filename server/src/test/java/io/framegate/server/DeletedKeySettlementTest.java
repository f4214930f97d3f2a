package io.framegate.server;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.framegate.server.jobs.WorkerSettings;
import io.framegate.server.media.MediaFinisher;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static com.github.tomakehurst.wiremock.client.WireMock.*;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * admin.md, Money: "A job whose key row was deleted still settles (its account's counters and the ledger)". A running
 * server, a Gemini API stand-in at the wire, the embedded H2: an 8 s Veo job (3.200000 USD) of a key under an account
 * with a budget is sent upstream, then an operator deletes the key's row by hand; the job completes and its account
 * is charged exactly once, with nothing left reserved.
 */
class DeletedKeySettlementTest {
    static final String ENV = "FG_DELETED_KEY_GEMINI";
    static final String CREATE = "/v1beta/models/veo-3.1-generate-001:predictLongRunning";
    static final String OP = "models/veo-3.1-generate-001/operations/orphan";
    static final long PRICE = 3_200_000;

    @TempDir
    Path dir;
    WireMockServer gemini;
    FramegateServer server;

    @AfterEach
    void stop() {
        if (server != null) server.close();
        if (gemini != null) gemini.stop();
    }

    @Test
    void aJobWhoseKeyRowWasDeletedWhileItRanStillSettlesOnItsAccount() throws Exception {
        gemini = new WireMockServer(options().dynamicPort());
        gemini.start();
        gemini.stubFor(post(urlEqualTo(CREATE)).willReturn(okJson("{\"name\": \"" + OP + "\"}")));
        gemini.stubFor(get(urlEqualTo("/v1beta/" + OP)).willReturn(okJson("{\"name\": \"" + OP + "\", \"done\": false}")));
        Path data = Files.createDirectories(dir.resolve("data"));
        Files.writeString(data.resolve("framegate.yaml"), """
                providers:
                  google: {type: gemini, base_url: '%s', api_key_env: %s}
                routes:
                  veo-3.1-generate-001: [google]
                timing: {poll_initial: 100ms, poll_max: 200ms, deadline: 2m, retry_attempts: 2, retry_base: 50ms,
                         retry_max: 100ms, request_timeout: 10s}
                """.formatted(gemini.baseUrl(), ENV));
        ServerOptions o = ServerOptions.defaults(data).withHost("127.0.0.1").withPort(0).withPollAfterMillis(100)
                .withAccessLog(null)
                .withWorkers(new WorkerSettings(1, 2, Duration.ofSeconds(30), Duration.ofMillis(100), Duration.ofSeconds(5)));
        server = FramegateServer.builder(o).environment(Map.of(ENV, "gm-secret")::get)
                .localBackend(new TinyVideoBackend("local", true, 0)).finisher(new MediaFinisher()).build().start();
        var created = server.keys().create("doomed");
        String keyId = created.key().id();
        Jdbi db = server.database().jdbi();
        db.useTransaction(h -> {
            h.createUpdate("INSERT INTO accounts (id, name, budget_micros, created_at) VALUES ('acct_d', 'd', 5000000, 0)").execute();
            h.createUpdate("INSERT INTO ledger (account_id, kind, amount_micros, created_at) VALUES ('acct_d', 'grant', 5000000, 0)")
                    .execute();
            h.createUpdate("UPDATE api_keys SET account_id = 'acct_d' WHERE id = :id").bind("id", keyId).execute();
        });

        HttpResponse<String> create = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + server.port() + "/v1/videos"))
                .header("Authorization", "Bearer " + created.secret()).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(
                        "{\"model\": \"veo-3.1-generate-001\", \"prompt\": \"a pier\", \"seconds\": \"8\", \"size\": \"1280x720\"}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(create.statusCode()).as(create.body()).isEqualTo(200);
        String jobId = new com.fasterxml.jackson.databind.ObjectMapper().readTree(create.body()).path("id").asText();
        assertThat(reserved(db)).as("reserved on the account at create").isEqualTo(PRICE);

        // the job is upstream (polled), then its key row goes
        awaitUntil(() -> !gemini.findAll(getRequestedFor(urlEqualTo("/v1beta/" + OP))).isEmpty(), "the operation is polled");
        int deleted = db.withHandle(h -> h.createUpdate("DELETE FROM api_keys WHERE id = :id").bind("id", keyId).execute());
        assertThat(deleted).isEqualTo(1);
        // the download first: the next poll may come at once
        gemini.stubFor(get(urlEqualTo("/v1beta/files/orphan:download?alt=media"))
                .willReturn(aResponse().withHeader("Content-Type", "video/mp4").withBody(RoutedServerTest.mp4())));
        gemini.stubFor(get(urlEqualTo("/v1beta/" + OP)).willReturn(okJson("""
                { "name": "%s", "done": true, "response": { "generateVideoResponse": { "generatedSamples": [
                  { "video": { "uri": "%s/v1beta/files/orphan:download?alt=media" } } ] } } }
                """.formatted(OP, gemini.baseUrl()))));

        awaitUntil(() -> db.withHandle(h -> h.createQuery("SELECT COUNT(*) FROM jobs WHERE id = :id AND settled_at IS NOT NULL")
                .bind("id", jobId).mapTo(Integer.class).one()) == 1, "the job settles");
        String status = db.withHandle(h -> h.createQuery("SELECT status FROM jobs WHERE id = :id").bind("id", jobId)
                .mapTo(String.class).one());
        assertThat(status).isEqualTo("COMPLETED");
        Map<String, Object> account = db.withHandle(h -> h.createQuery(
                "SELECT spent_micros, reserved_micros, active_jobs FROM accounts WHERE id = 'acct_d'").mapToMap().one());
        assertThat(((Number) account.get("spent_micros")).longValue()).as("charged once, the catalog price").isEqualTo(PRICE);
        assertThat(((Number) account.get("reserved_micros")).longValue()).isZero();
        assertThat(((Number) account.get("active_jobs")).longValue()).isZero();
        java.util.List<String> entries = db.withHandle(h -> h.createQuery("SELECT kind FROM ledger WHERE job_id = :id ORDER BY id")
                .bind("id", jobId).mapTo(String.class).list());
        assertThat(entries).containsExactly("reserve", "capture");
        long balance = db.withHandle(h -> h.createQuery("SELECT SUM(amount_micros) FROM ledger WHERE account_id = 'acct_d' "
                + "AND (key_id IS NULL OR kind NOT IN ('grant', 'adjust'))").mapTo(Long.class).one());
        assertThat(balance).as("the account's ledger balance is its budget less what it spent").isEqualTo(5_000_000 - PRICE);
    }

    private static long reserved(Jdbi db) {
        return db.withHandle(h -> h.createQuery("SELECT reserved_micros FROM accounts WHERE id = 'acct_d'")
                .mapTo(Long.class).one());
    }

    private static void awaitUntil(java.util.function.BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as(what).isLessThan(deadline);
            Thread.sleep(50);
        }
    }
}
