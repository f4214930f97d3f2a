package io.framegate.cli;

import io.framegate.server.admin.ServerFile;
import io.framegate.server.db.Database;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 9 item 1 from the real CLI: keys and accounts with and without a server running on the data directory (then
 * through its admin API, taking effect on the next request), budgets writing grant/adjust ledger rows, and the usage
 * table.
 */
class KeysCommandTest {
    @TempDir
    Path dir;

    static String lastWord(String out) {
        String[] words = out.trim().split("\\s+");
        return words[words.length - 1];
    }

    CliRun cli(String... args) {
        String[] all = new String[args.length + 2];
        System.arraycopy(args, 0, all, 0, args.length);
        all[args.length] = "--data";
        all[args.length + 1] = dir.resolve("data").toString();
        return CliRun.of(all);
    }

    List<Map<String, Object>> ledger() {
        try (Database db = Database.embedded(dir.resolve("data"))) {
            return db.jdbi().withHandle(h -> h.createQuery("SELECT l.kind, l.amount_micros, l.key_id, l.account_id FROM ledger l "
                    + "ORDER BY l.id").mapToMap().list());
        }
    }

    @Test
    void keysAndAccountsWithoutAServerBudgetsWriteLedgerRowsAndUsagePrintsATable() throws Exception {
        CliRun acct = cli("accounts", "create", "--name", "acme", "--budget-usd", "10", "--rpm", "100");
        assertThat(acct.code()).as(acct.err()).isZero();
        assertThat(acct.out()).contains("acme").contains("10.000000");

        CliRun created = cli("keys", "create", "--name", "ci", "--account", "acme", "--budget-usd", "5.5", "--rpm", "10",
                "--max-concurrent", "2", "--expires-in", "30d", "--models", "framegate-local");
        assertThat(created.code()).as(created.err()).isZero();
        String secret = lastWord(created.out());
        assertThat(secret).startsWith("fg-").hasSizeGreaterThan(40);
        assertThat(created.out()).contains("not shown again").contains("5.500000");

        CliRun list = cli("keys", "list");
        assertThat(list.code()).as(list.err()).isZero();
        assertThat(list.out()).contains("ci").contains(secret.substring(0, 7) + "...").contains("acme")
                .contains("framegate-local").doesNotContain(secret);

        assertThat(cli("keys", "set", "ci", "--budget-usd", "7.25").code()).isZero();
        CliRun lowered = cli("keys", "set", "ci", "--budget-usd", "2", "--rpm", "none");
        assertThat(lowered.code()).as(lowered.err()).isZero();
        assertThat(lowered.out()).contains("2.000000");
        CliRun bad = cli("keys", "set", "ci", "--budget-usd", "-1");
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.err()).contains("budget_usd=-1").contains("negative");
        assertThat(cli("keys", "set", "nobody", "--rpm", "3").err()).contains("no key named 'nobody'");

        List<Map<String, Object>> rows = ledger();
        List<Map<String, Object>> keyRows = rows.stream().filter(r -> r.get("key_id") != null).toList();
        assertThat(keyRows).extracting(r -> r.get("kind")).containsExactly("grant", "grant", "adjust");
        assertThat(keyRows).extracting(r -> ((Number) r.get("amount_micros")).longValue())
                .containsExactly(5_500_000L, 1_750_000L, -5_250_000L);
        assertThat(rows.stream().filter(r -> r.get("key_id") == null).map(r -> ((Number) r.get("amount_micros")).longValue()))
                .as("the account's grant").containsExactly(10_000_000L);

        CliRun revoked = cli("keys", "revoke", "ci");
        assertThat(revoked.code()).as(revoked.err()).isZero();
        assertThat(cli("keys", "list").out()).contains("revoked");

        // usage: what the money side writes for two jobs of the key (reserve, then capture of the actual cost), one open
        String keyId;
        try (Database db = Database.embedded(dir.resolve("data"))) {
            keyId = db.jdbi().withHandle(h -> h.createQuery("SELECT id FROM api_keys WHERE name = 'ci'").mapTo(String.class).one());
            String account = db.jdbi().withHandle(h -> h.createQuery("SELECT id FROM accounts WHERE name = 'acme'").mapTo(String.class).one());
            long now = System.currentTimeMillis();
            db.jdbi().useHandle(h -> {
                var ins = "INSERT INTO ledger (key_id, account_id, job_id, kind, amount_micros, cost_micros, video_seconds, model, created_at) "
                        + "VALUES (:k, :a, :j, :kind, :amt, :cost, :vs, 'veo-3.1-generate-preview', :now)";
                h.createUpdate(ins).bind("k", keyId).bind("a", account).bind("j", "video_1").bind("kind", "reserve")
                        .bind("amt", -3_200_000L).bindNull("cost", java.sql.Types.BIGINT).bindNull("vs", java.sql.Types.BIGINT).bind("now", now).execute();
                h.createUpdate(ins).bind("k", keyId).bind("a", account).bind("j", "video_1").bind("kind", "capture")
                        .bind("amt", 0L).bind("cost", 3_200_000L).bind("vs", 8L).bind("now", now).execute();
                h.createUpdate(ins).bind("k", keyId).bind("a", account).bind("j", "video_2").bind("kind", "reserve")
                        .bind("amt", -1_600_000L).bindNull("cost", java.sql.Types.BIGINT).bindNull("vs", java.sql.Types.BIGINT).bind("now", now).execute();
            });
        }
        CliRun usage = cli("usage", "--by", "key");
        assertThat(usage.code()).as(usage.err()).isZero();
        String line = usage.out().lines().filter(l -> l.startsWith(keyId)).findFirst().orElseThrow();
        assertThat(line.split("\\s+")).containsExactly(keyId, "ci", "2", "3.200000", "1.600000", "8");
        assertThat(usage.out().lines().filter(l -> l.startsWith("TOTAL")).findFirst().orElseThrow().split("\\s+"))
                .containsExactly("TOTAL", "2", "3.200000", "1.600000", "8");
        CliRun byModel = cli("usage", "--by", "model", "--from", "2000-01-01", "--to", "2999-12-31");
        assertThat(byModel.out()).contains("veo-3.1-generate-preview");
        assertThat(cli("usage", "--by", "day", "--from", "2000-01-01", "--to", "2000-01-02").out().lines()
                .filter(l -> l.startsWith("TOTAL")).findFirst().orElseThrow().split("\\s+"))
                .as("nothing in that period").containsExactly("TOTAL", "0", "0.000000", "0.000000", "0");
        String today = java.time.LocalDate.now(java.time.ZoneOffset.UTC).toString();
        assertThat(cli("usage", "--by", "day").out()).contains(today);
        CliRun badBy = cli("usage", "--by", "colour");
        assertThat(badBy.code()).isEqualTo(2);
        assertThat(badBy.err()).contains("by=colour").contains("key, account, model, day");
    }

    @Test
    void withAServerRunningTheCliGoesThroughItsAdminApiAndARevokeCountsWithinASecond() throws Exception {
        Path data = dir.resolve("data");
        Path config = dir.resolve("framegate.yaml");
        Files.writeString(config, "limits:\n  max_queued_jobs: 100\n");
        try (ServerProcess s = ServerProcess.start(data, config, dir.resolve("logs"), "serve")) {
            assertThat(ServerFile.read(data)).as("serve wrote server.json").isPresent();
            CliRun created = cli("keys", "create", "--name", "live", "--rpm", "50");
            assertThat(created.code()).as(created.err()).isZero();
            assertThat(created.out()).contains("the server at http://127.0.0.1:" + s.port);
            String secret = lastWord(created.out());
            assertThat(status(s, secret)).isEqualTo(200);
            assertThat(cli("keys", "list").out()).contains("live").contains("default");
            CliRun set = cli("keys", "set", "live", "--budget-usd", "3");
            assertThat(set.code()).as(set.err()).isZero();
            assertThat(cli("accounts", "create", "--name", "team").code()).isZero();
            assertThat(cli("accounts", "list").out()).contains("team");

            CliRun revoked = cli("keys", "revoke", "live");
            long returned = System.nanoTime(); // the clock starts when the revoke command has returned
            assertThat(revoked.code()).as(revoked.err()).isZero();
            assertThat(revoked.out()).as("revoked through the running server").contains("the server at http://127.0.0.1:" + s.port);
            // ask with the key until it is refused (5 s at most), counting the answers that still let it in
            int stillAccepted = 0;
            long refusedAt = -1;
            while (System.nanoTime() - returned < 5_000_000_000L) {
                int code = status(s, secret);
                if (code == 401) {
                    refusedAt = System.nanoTime();
                    break;
                }
                stillAccepted++;
                Thread.sleep(20);
            }
            assertThat(refusedAt).as("the key is refused at all after the revoke").isPositive();
            assertThat((refusedAt - returned) / 1_000_000).as("ms from the revoke's return to the first 401")
                    .isLessThan(1000);
            assertThat(stillAccepted).as("requests still accepted after the revoke returned").isZero();
        }
        // stopped (killed): server.json names a dead process, so the CLI opens the database itself
        CliRun list = cli("keys", "list");
        assertThat(list.code()).as(list.err()).isZero();
        assertThat(list.out()).contains("live").contains("revoked");
        try (Database db = Database.embedded(data)) {
            long sum = db.jdbi().withHandle(h -> h.createQuery("SELECT SUM(l.amount_micros) FROM ledger l JOIN api_keys k "
                    + "ON k.id = l.key_id WHERE k.name = 'live'").mapTo(Long.class).one());
            assertThat(sum).as("the budget set through the server wrote its grant").isEqualTo(3_000_000L);
        }
    }

    /**
     * docs/admin.md, keys from the CLI: a server.json that does not prove itself (here its URL names another service on
     * loopback, which answers another nonce) gets no admin token; the database it then opens is locked by the running
     * server, and the CLI says so and exits 2 instead of going around that server.
     */
    @Test
    void aServerThatCannotBeVerifiedHoldingTheDatabaseIsRefusedWithExitTwoAndNoToken() throws Exception {
        Path data = dir.resolve("data");
        Path config = dir.resolve("framegate.yaml");
        Files.writeString(config, "limits:\n  max_queued_jobs: 100\n");
        java.util.List<String> authorizations = new java.util.concurrent.CopyOnWriteArrayList<>();
        com.sun.net.httpserver.HttpServer other = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 0);
        other.createContext("/", x -> {
            String auth = x.getRequestHeaders().getFirst("Authorization");
            if (auth != null) authorizations.add(auth);
            byte[] body = "{\"object\": \"instance\", \"nonce\": \"not-the-servers\"}".getBytes();
            x.sendResponseHeaders(200, body.length);
            x.getResponseBody().write(body);
            x.close();
        });
        other.start();
        try (ServerProcess s = ServerProcess.start(data, config, dir.resolve("logs"), "serve")) {
            ServerFile.Entry real = ServerFile.read(data).orElseThrow();
            // the serving process stays the one named (alive, started then); only the URL is another service's
            Files.writeString(data.resolve(ServerFile.FILE), "{\"url\": \"http://127.0.0.1:" + other.getAddress().getPort()
                    + "\", \"pid\": " + real.pid() + ", \"nonce\": \"" + real.nonce() + "\", \"started_at\": "
                    + real.startedAt() + "}");
            CliRun list = cli("keys", "list");
            assertThat(list.code()).as(list.out() + list.err()).isEqualTo(2);
            assertThat(list.err()).contains("cannot open the database in").contains("server.json")
                    .contains("restart it so that it writes a fresh server.json");
            assertThat(authorizations).as("no admin token reached the unverified service").isEmpty();
            assertThat(status(s, "fg-no-such-key")).as("the server itself runs on").isEqualTo(401);
        } finally {
            other.stop(0);
        }
    }

    static int status(ServerProcess s, String key) throws Exception {
        HttpRequest r = HttpRequest.newBuilder(URI.create(s.base() + "/v1/videos")).header("Authorization", "Bearer " + key)
                .timeout(Duration.ofSeconds(10)).build();
        return HttpClient.newHttpClient().send(r, HttpResponse.BodyHandlers.discarding()).statusCode();
    }
}
