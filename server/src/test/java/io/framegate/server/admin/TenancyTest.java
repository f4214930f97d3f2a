package io.framegate.server.admin;

import com.fasterxml.jackson.databind.JsonNode;
import io.framegate.server.FramegateServer;
import io.framegate.server.TestClock;
import io.framegate.server.TinyVideoBackend;
import io.framegate.server.admin.AdminServers.Reply;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static io.framegate.server.admin.AdminServers.PNG;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 9 items 1 and 3 against the running server: accounts and keys through the admin API (budgets write their
 * ledger rows), revocation and expiry from the next request, the model allow-list, rpm limits on both surfaces and
 * the global bound on queued jobs.
 */
class TenancyTest {
    @TempDir
    Path dir;
    FramegateServer server;
    String token;

    FramegateServer start(String yaml) throws Exception {
        if (yaml != null) Files.writeString(dir.resolve("framegate.yaml"), yaml);
        // slow frames: jobs stay queued or running while a test looks at them
        server = AdminServers.start(dir, new TinyVideoBackend("local", true, 2000), Map.of());
        token = Files.readString(dir.resolve(AdminToken.FILE)).trim();
        return server;
    }

    @AfterEach
    void stop() {
        if (server != null) server.close();
    }

    Reply send(String method, String path, String body, String... headers) throws Exception {
        return AdminServers.send(server, method, path, body, headers);
    }

    Reply admin(String method, String path, String body) throws Exception {
        return send(method, path, body, "Authorization", "Bearer " + token);
    }

    Reply openAiCreate(String key, String model) throws Exception {
        return AdminServers.openAiCreate(server, key, model);
    }

    Reply geminiCreate(String key) throws Exception {
        return send("POST", "/v1beta/models/framegate-local:predictLongRunning", "{\"instances\":[{\"prompt\":\"p\",\"image\":"
                + "{\"bytesBase64Encoded\":\"" + PNG + "\",\"mimeType\":\"image/png\"}}],\"parameters\":{\"resolution\":\"144P\","
                + "\"durationSeconds\":1}}", "x-goog-api-key", key);
    }

    List<Map<String, Object>> ledger(String keyId) {
        return jdbiOf().withHandle(h -> h.createQuery(
                "SELECT kind, amount_micros, key_id, account_id FROM ledger WHERE key_id = :k ORDER BY id").bind("k", keyId).mapToMap().list());
    }

    Jdbi jdbiOf() {
        return server.database().jdbi();
    }

    @Test
    void accountsAndKeysThroughTheAdminApiWithBudgetLedgerRows() throws Exception {
        start(null);
        Reply acct = admin("POST", "/admin/v1/accounts", "{\"name\":\"acme\",\"budget_usd\":\"100\",\"rpm\":60}");
        assertThat(acct.status()).as(acct.json().toString()).isEqualTo(201);
        assertThat(acct.json().path("budget_usd").asText()).isEqualTo("100.000000");
        assertThat(admin("POST", "/admin/v1/accounts", "{\"name\":\"acme\"}").status()).isEqualTo(409);

        Reply created = admin("POST", "/admin/v1/keys", "{\"name\":\"ci\",\"account\":\"acme\",\"budget_usd\":\"2.50\","
                + "\"max_concurrent\":3,\"models\":\"framegate-local\",\"expires_in\":\"30d\"}");
        assertThat(created.status()).as(created.json().toString()).isEqualTo(201);
        String secret = created.json().path("secret").asText();
        String keyId = created.json().path("id").asText();
        assertThat(secret).startsWith("fg-");
        assertThat(created.json().path("key_hint").asText()).isEqualTo(secret.substring(0, 7) + "...");
        assertThat(created.json().path("account").asText()).isEqualTo("acme");
        assertThat(created.json().path("budget_micros").asLong()).isEqualTo(2_500_000L);
        assertThat(created.json().path("expires_at").asLong()).isBetween(System.currentTimeMillis() / 1000 + 29 * 86400,
                System.currentTimeMillis() / 1000 + 31 * 86400);

        Reply listed = admin("GET", "/admin/v1/keys", null);
        assertThat(listed.json().path("data").findValuesAsText("name")).contains("ci");
        assertThat(listed.raw().body()).doesNotContain(secret).doesNotContain("key_hash");
        assertThat(admin("GET", "/admin/v1/keys/ci", null).json().path("id").asText()).isEqualTo(keyId);

        // budget up (0.75 as a JSON number, read exactly), then down, then removed: grant, grant, adjust, adjust
        assertThat(admin("PATCH", "/admin/v1/keys/ci", "{\"budget_usd\":3.25}").json().path("budget_usd").asText()).isEqualTo("3.250000");
        assertThat(admin("PATCH", "/admin/v1/keys/ci", "{\"budget_usd\":\"1\"}").status()).isEqualTo(200);
        List<Map<String, Object>> rows = ledger(keyId);
        assertThat(rows).extracting(r -> r.get("kind")).containsExactly("grant", "grant", "adjust");
        assertThat(rows).extracting(r -> ((Number) r.get("amount_micros")).longValue()).containsExactly(2_500_000L, 750_000L, -2_250_000L);
        assertThat(rows).allSatisfy(r -> assertThat(r.get("account_id")).isEqualTo(acct.json().path("id").asText()));
        assertThat(rows.stream().mapToLong(r -> ((Number) r.get("amount_micros")).longValue()).sum())
                .as("the ledger sums to the budget (nothing spent or reserved)").isEqualTo(1_000_000L);
        admin("PATCH", "/admin/v1/keys/ci", "{\"budget_usd\":null,\"rpm\":\"none\"}");
        assertThat(ledger(keyId).stream().mapToLong(r -> ((Number) r.get("amount_micros")).longValue()).sum()).isZero();

        Reply bad = admin("PATCH", "/admin/v1/keys/ci", "{\"budget_usd\":\"1.0000001\"}");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.json().at("/error/param").asText()).isEqualTo("budget_usd");
        assertThat(bad.json().at("/error/message").asText()).contains("1.0000001").contains("6 decimals");
        assertThat(bad.json().at("/error/type").asText()).isEqualTo("invalid_request_error");
        // an exponent near an int's limit, as a JSON number: refused naming the field, in bounded work
        for (String huge : new String[] {"1e-500000000", "-1e2147483647", "100e2147483647"}) {
            Reply r = admin("PATCH", "/admin/v1/keys/ci", "{\"budget_usd\":" + huge + "}");
            assertThat(r.status()).as(huge + ": " + r.raw().body()).isEqualTo(400);
            assertThat(r.json().at("/error/param").asText()).isEqualTo("budget_usd");
        }
        assertThat(admin("PATCH", "/admin/v1/keys/ci", "{\"rpm\":0}").json().at("/error/param").asText()).isEqualTo("rpm");
        assertThat(admin("PATCH", "/admin/v1/keys/ci", "{\"colour\":1}").json().at("/error/message").asText()).contains("colour");
        assertThat(admin("PATCH", "/admin/v1/keys/ci", "{\"models\":\"no-such-model\"}").json().at("/error/message").asText())
                .contains("no-such-model");
        assertThat(admin("GET", "/admin/v1/keys/nobody", null).status()).isEqualTo(404);
        assertThat(send("GET", "/admin/v1/keys", null, "Authorization", "Bearer " + secret).status())
                .as("an API key cannot use the admin API").isEqualTo(403);

        Reply acctRead = admin("GET", "/admin/v1/accounts/acme", null);
        assertThat(acctRead.json().path("keys").asInt()).isEqualTo(1);
        assertThat(admin("PATCH", "/admin/v1/accounts/acme", "{\"budget_usd\":\"40\"}").json().path("budget_usd").asText())
                .isEqualTo("40.000000");
        long accountSum = jdbiOf().withHandle(h -> h.createQuery("SELECT SUM(amount_micros) FROM ledger WHERE key_id IS NULL "
                + "AND account_id = :a").bind("a", acct.json().path("id").asText()).mapTo(Long.class).one());
        assertThat(accountSum).isEqualTo(40_000_000L);
    }

    @Test
    void revocationExpiryAndADisabledAccountCountFromTheNextRequest() throws Exception {
        start(null);
        String a = admin("POST", "/admin/v1/keys", "{\"name\":\"a\"}").json().path("secret").asText();
        assertThat(send("GET", "/v1/videos", null, "Authorization", "Bearer " + a).status()).isEqualTo(200);
        assertThat(admin("POST", "/admin/v1/keys/a/revoke", null).json().path("status").asText()).isEqualTo("revoked");
        Reply refused = send("GET", "/v1/videos", null, "Authorization", "Bearer " + a);
        assertThat(refused.status()).isEqualTo(401);
        assertThat(refused.json().at("/error/code").asText()).isEqualTo("invalid_api_key");
        Reply google = geminiCreate(a);
        assertThat(google.status()).isEqualTo(401);
        assertThat(google.json().at("/error/status").asText()).isEqualTo("UNAUTHENTICATED");

        String b = admin("POST", "/admin/v1/keys", "{\"name\":\"b\"}").json().path("secret").asText();
        assertThat(openAiCreate(b, "framegate-local").status()).isEqualTo(200);
        assertThat(admin("PATCH", "/admin/v1/keys/b", "{\"expires_at\":" + (System.currentTimeMillis() / 1000 - 1) + "}")
                .json().path("status").asText()).isEqualTo("expired");
        assertThat(openAiCreate(b, "framegate-local").status()).isEqualTo(401);
        admin("PATCH", "/admin/v1/keys/b", "{\"expires_at\":null}");
        assertThat(send("GET", "/v1/videos", null, "Authorization", "Bearer " + b).status()).as("expiry lifted").isEqualTo(200);

        admin("POST", "/admin/v1/accounts", "{\"name\":\"gone\"}");
        String c = admin("POST", "/admin/v1/keys", "{\"name\":\"c\",\"account\":\"gone\"}").json().path("secret").asText();
        assertThat(send("GET", "/v1/videos", null, "Authorization", "Bearer " + c).status()).isEqualTo(200);
        assertThat(admin("DELETE", "/admin/v1/accounts/gone", null).json().path("status").asText()).isEqualTo("disabled");
        assertThat(send("GET", "/v1/videos", null, "Authorization", "Bearer " + c).status()).isEqualTo(401);
        assertThat(admin("DELETE", "/admin/v1/accounts/default", null).status()).isEqualTo(409);
    }

    @Test
    void aModelOutsideTheAllowListIs403BeforeAnyJobExists() throws Exception {
        start(null);
        String k = admin("POST", "/admin/v1/keys", "{\"name\":\"fast-only\",\"models\":[\"framegate-local-fast\"]}")
                .json().path("secret").asText();
        Reply r = openAiCreate(k, "framegate-local");
        assertThat(r.status()).as(r.json().toString()).isEqualTo(403);
        assertThat(r.json().at("/error/code").asText()).isEqualTo("model_not_allowed");
        assertThat(r.json().at("/error/param").asText()).isEqualTo("model");
        assertThat(r.json().at("/error/message").asText()).contains("'framegate-local'").contains("framegate-local-fast");
        Reply google = geminiCreate(k);
        assertThat(google.status()).isEqualTo(403);
        assertThat(google.json().at("/error/status").asText()).isEqualTo("PERMISSION_DENIED");
        int jobs = jdbiOf().withHandle(h -> h.createQuery("SELECT COUNT(*) FROM jobs").mapTo(Integer.class).one());
        assertThat(jobs).isZero();
        assertThat(openAiCreate(k, "framegate-local-fast").status()).as("the allowed model works").isEqualTo(200);
        admin("PATCH", "/admin/v1/keys/fast-only", "{\"models\":null}");
        assertThat(openAiCreate(k, "framegate-local").status()).as("the allow-list lifted").isEqualTo(200);
    }

    @Test
    void rpmLimitsAnswer429WithRetryAfterAndRateLimitHeadersOnBothSurfaces() throws Exception {
        start(null);
        String k = admin("POST", "/admin/v1/keys", "{\"name\":\"slow\",\"rpm\":2}").json().path("secret").asText();
        // near the end of a minute window the two creates could fall in two windows: start at a window's beginning
        TestClock.earlyInAMinuteWindow();
        assertThat(openAiCreate(k, "framegate-local").status()).isEqualTo(200);
        assertThat(geminiCreate(k).status()).isEqualTo(200);
        Reply limited = openAiCreate(k, "framegate-local");
        assertThat(limited.status()).as(limited.json().toString()).isEqualTo(429);
        assertThat(limited.json().at("/error/code").asText()).isEqualTo("rate_limit_exceeded");
        assertThat(limited.json().at("/error/type").asText()).isEqualTo("rate_limit_error");
        assertThat(limited.json().at("/error/message").asText()).contains("2 video creates per minute");
        assertThat(Integer.parseInt(limited.header("Retry-After"))).isBetween(1, 60);
        assertThat(limited.header("x-ratelimit-limit-requests")).isEqualTo("2");
        assertThat(limited.header("x-ratelimit-remaining-requests")).isEqualTo("0");
        assertThat(limited.header("x-ratelimit-reset-requests")).matches("\\d+s");
        // docs/limits.md, Errors: a refusal a later retry may pass carries no x-should-retry: false (the SDKs wait and retry)
        assertThat(limited.header("x-should-retry")).isNull();
        Reply google = geminiCreate(k);
        assertThat(google.status()).isEqualTo(429);
        assertThat(google.json().at("/error/status").asText()).isEqualTo("RESOURCE_EXHAUSTED");
        assertThat(google.header("Retry-After")).isNotNull();

        // the account's limit counts every key of the account
        admin("POST", "/admin/v1/accounts", "{\"name\":\"team\",\"rpm\":1}");
        String t1 = admin("POST", "/admin/v1/keys", "{\"name\":\"t1\",\"account\":\"team\"}").json().path("secret").asText();
        String t2 = admin("POST", "/admin/v1/keys", "{\"name\":\"t2\",\"account\":\"team\"}").json().path("secret").asText();
        assertThat(openAiCreate(t1, "framegate-local").status()).isEqualTo(200);
        Reply second = openAiCreate(t2, "framegate-local");
        assertThat(second.status()).isEqualTo(429);
        assertThat(second.json().at("/error/message").asText()).contains("account");
        // raised live: the next create passes
        admin("PATCH", "/admin/v1/accounts/team", "{\"rpm\":5}");
        assertThat(openAiCreate(t2, "framegate-local").status()).isEqualTo(200);
    }

    @Test
    void theGlobalBoundOnQueuedJobsRefusesNewCreates() throws Exception {
        start("limits:\n  max_queued_jobs: 2\n");
        String k = admin("POST", "/admin/v1/keys", "{\"name\":\"many\"}").json().path("secret").asText();
        int ok = 0;
        Reply refused = null;
        for (int i = 0; i < 6 && refused == null; i++) {
            Reply r = openAiCreate(k, "framegate-local");
            if (r.status() == 200) ok++;
            else refused = r;
        }
        assertThat(refused).as("a create is refused once 2 jobs wait").isNotNull();
        assertThat(ok).as("one running (1 local slot) and two queued, at most").isBetween(2, 3);
        assertThat(refused.status()).isEqualTo(429);
        assertThat(refused.json().at("/error/code").asText()).isEqualTo("queue_full");
        assertThat(refused.json().at("/error/message").asText()).contains("limits.max_queued_jobs");
        assertThat(refused.header("Retry-After")).isEqualTo("10");
        assertThat(refused.header("x-should-retry")).as("a later retry may pass: the SDKs may send it again").isNull();
    }

    /** docs/admin.md, Accounts and keys: {@code 409} if an active key has the name; a revoked key's name is free again. */
    @Test
    void aKeyNameOfAnActiveKeyIsA409AndFreeAgainOnceThatKeyIsRevoked() throws Exception {
        start(null);
        Reply first = admin("POST", "/admin/v1/keys", "{\"name\":\"web\"}");
        assertThat(first.status()).as(first.json().toString()).isEqualTo(201);
        Reply taken = admin("POST", "/admin/v1/keys", "{\"name\":\"web\"}");
        assertThat(taken.status()).as(taken.json().toString()).isEqualTo(409);
        assertThat(taken.json().at("/error/code").asText()).isEqualTo("conflict");
        assertThat(taken.json().at("/error/param").asText()).isEqualTo("name");
        assertThat(taken.json().at("/error/message").asText()).contains("'web'");
        int keys = jdbiOf().withHandle(h -> h.createQuery("SELECT COUNT(*) FROM api_keys WHERE name = 'web'").mapTo(Integer.class).one());
        assertThat(keys).as("the refused create made no key").isEqualTo(1);

        admin("POST", "/admin/v1/keys/web/revoke", null);
        Reply again = admin("POST", "/admin/v1/keys", "{\"name\":\"web\"}");
        assertThat(again.status()).as(again.json().toString()).isEqualTo(201);
        assertThat(again.json().path("id").asText()).isNotEqualTo(first.json().path("id").asText());
        assertThat(send("GET", "/v1/videos", null, "Authorization", "Bearer " + again.json().path("secret").asText()).status())
                .isEqualTo(200);
        assertThat(admin("GET", "/admin/v1/keys/web", null).json().path("id").asText()).as("the name reaches the active key")
                .isEqualTo(again.json().path("id").asText());
    }

    /** docs/admin.md, Accounts and keys: {@code expires_in} takes 30d, 12h, 90m, 45s; {@code expires_at} an ISO-8601 instant. */
    @Test
    void expiresInTakesDaysHoursMinutesAndSecondsAndExpiresAtAnIsoInstant() throws Exception {
        start(null);
        Map<String, Long> seconds = Map.of("30d", 30 * 86_400L, "12h", 12 * 3_600L, "90m", 90 * 60L, "45s", 45L);
        for (var e : seconds.entrySet()) {
            long before = System.currentTimeMillis() / 1000;
            Reply r = admin("POST", "/admin/v1/keys", "{\"name\":\"in-" + e.getKey() + "\",\"expires_in\":\"" + e.getKey() + "\"}");
            long after = System.currentTimeMillis() / 1000 + 1;
            assertThat(r.status()).as(r.json().toString()).isEqualTo(201);
            assertThat(r.json().path("expires_at").asLong()).as(e.getKey()).isBetween(before + e.getValue(), after + e.getValue());
            assertThat(r.json().path("status").asText()).isEqualTo("active");
        }
        Reply iso = admin("POST", "/admin/v1/keys", "{\"name\":\"iso\",\"expires_at\":\"2031-01-02T03:04:05Z\"}");
        assertThat(iso.status()).as(iso.json().toString()).isEqualTo(201);
        assertThat(iso.json().path("expires_at").asLong()).isEqualTo(java.time.Instant.parse("2031-01-02T03:04:05Z").getEpochSecond());

        for (String bad : List.of("2w", "12", "h", "0s")) {
            Reply r = admin("POST", "/admin/v1/keys", "{\"name\":\"bad\",\"expires_in\":\"" + bad + "\"}");
            assertThat(r.status()).as(bad).isEqualTo(400);
            assertThat(r.json().at("/error/param").asText()).isEqualTo("expires_in");
            assertThat(r.json().at("/error/message").asText()).contains("expires_in=" + bad).contains("30d, 12h, 90m or 45s");
        }
        Reply badAt = admin("POST", "/admin/v1/keys", "{\"name\":\"bad\",\"expires_at\":\"next tuesday\"}");
        assertThat(badAt.status()).isEqualTo(400);
        assertThat(badAt.json().at("/error/param").asText()).isEqualTo("expires_at");
        assertThat(admin("GET", "/admin/v1/keys/bad", null).status()).as("no key made by a refused create").isEqualTo(404);
    }

    /**
     * docs/admin.md, GET /admin/v1/ledger and GET /admin/v1/jobs/{id}: entries newest first, {@code limit} 1..1000 with
     * a default of 100 (outside that a 400 naming it). 105 budget raises of a key, the n-th
     * by n micro-dollars, make 105 grant entries that tell their order by their amounts.
     */
    @Test
    void theLedgerListsNewestFirstWithADefaultLimitOf100AndAtMost1000() throws Exception {
        start(null);
        admin("POST", "/admin/v1/keys", "{\"name\":\"ledgered\"}");
        long budget = 0;
        for (int n = 1; n <= 105; n++) {
            budget += n;
            Reply r = admin("PATCH", "/admin/v1/keys/ledgered", "{\"budget_usd\":\"" + java.math.BigDecimal.valueOf(budget, 6) + "\"}");
            assertThat(r.status()).as(r.json().toString()).isEqualTo(200);
        }
        Reply byDefault = admin("GET", "/admin/v1/ledger?key=ledgered", null);
        assertThat(byDefault.status()).isEqualTo(200);
        List<Long> amounts = new java.util.ArrayList<>();
        byDefault.json().path("data").forEach(e -> amounts.add(e.path("amount_micros").asLong()));
        assertThat(amounts).as("the default limit").hasSize(100);
        assertThat(amounts.subList(0, 3)).as("newest first").containsExactly(105L, 104L, 103L);
        assertThat(amounts.get(99)).isEqualTo(6L);
        List<Long> ids = new java.util.ArrayList<>();
        byDefault.json().path("data").forEach(e -> ids.add(e.path("id").asLong()));
        assertThat(ids).isSortedAccordingTo(java.util.Comparator.reverseOrder());

        assertThat(admin("GET", "/admin/v1/ledger?key=ledgered&limit=1000", null).json().path("data")).hasSize(105);
        Reply one = admin("GET", "/admin/v1/ledger?key=ledgered&limit=1", null);
        assertThat(one.json().path("data")).hasSize(1);
        assertThat(one.json().at("/data/0/amount_micros").asLong()).isEqualTo(105L);
        for (String bad : List.of("0", "1001", "-1", "many")) {
            Reply r = admin("GET", "/admin/v1/ledger?limit=" + bad, null);
            assertThat(r.status()).as(bad).isEqualTo(400);
            assertThat(r.json().at("/error/param").asText()).isEqualTo("limit");
            assertThat(r.json().at("/error/code").asText()).isEqualTo("invalid_value");
            assertThat(r.json().at("/error/message").asText()).contains("limit=" + bad).contains("1..1000");
        }
    }

    /** docs/admin.md, GET /admin/v1/jobs/{id}: {@code 404} when there is no such job. */
    @Test
    void anUnknownJobIdIsA404OnTheAdminApi() throws Exception {
        start(null);
        Reply unknown = admin("GET", "/admin/v1/jobs/video_00000000000000000000000000000000", null);
        assertThat(unknown.status()).as(unknown.json().toString()).isEqualTo(404);
        assertThat(unknown.json().at("/error/code").asText()).isEqualTo("not_found");
        assertThat(unknown.json().at("/error/message").asText()).contains("video_00000000000000000000000000000000");
    }

    /**
     * docs/admin.md, Accounts and keys: {@code GET /admin/v1/keys} lists every key, revoked and expired ones included
     * with their {@code status}, never a secret; {@code GET /admin/v1/keys/{name}} is the active key of that name, else
     * the newest of that name, and any key by its id; a create is a {@code 409} while a key of that name is not
     * revoked, an expired one included.
     */
    @Test
    void theKeyListShowsRevokedAndExpiredKeysAndANameReachesItsActiveElseItsNewestKey() throws Exception {
        start(null);
        Reply first = admin("POST", "/admin/v1/keys", "{\"name\":\"old\"}");
        admin("POST", "/admin/v1/keys/old/revoke", null);
        Reply second = admin("POST", "/admin/v1/keys", "{\"name\":\"old\"}");
        String firstId = first.json().path("id").asText();
        String secondId = second.json().path("id").asText();
        assertThat(admin("GET", "/admin/v1/keys/old", null).json().path("id").asText()).as("the active key of the name")
                .isEqualTo(secondId);
        admin("POST", "/admin/v1/keys/old/revoke", null);
        assertThat(admin("GET", "/admin/v1/keys/old", null).json().path("id").asText()).as("no active one: the newest")
                .isEqualTo(secondId);
        Reply byId = admin("GET", "/admin/v1/keys/" + firstId, null);
        assertThat(byId.status()).isEqualTo(200);
        assertThat(byId.json().path("id").asText()).isEqualTo(firstId);
        assertThat(byId.json().path("status").asText()).isEqualTo("revoked");
        assertThat(byId.json().path("revoked_at").isNull()).isFalse();

        Reply expired = admin("POST", "/admin/v1/keys", "{\"name\":\"lapsed\",\"expires_at\":"
                + (System.currentTimeMillis() / 1000 - 60) + "}");
        assertThat(expired.status()).as(expired.json().toString()).isEqualTo(201);
        assertThat(expired.json().path("status").asText()).as("a past time expires the key now").isEqualTo("expired");
        assertThat(send("GET", "/v1/videos", null, "Authorization", "Bearer " + expired.json().path("secret").asText()).status())
                .isEqualTo(401);
        Reply taken = admin("POST", "/admin/v1/keys", "{\"name\":\"lapsed\"}");
        assertThat(taken.status()).as("an expired key still holds its name: %s", taken.json()).isEqualTo(409);
        assertThat(taken.json().at("/error/code").asText()).isEqualTo("conflict");
        Reply live = admin("POST", "/admin/v1/keys", "{\"name\":\"live\"}");

        Reply listed = admin("GET", "/admin/v1/keys", null);
        assertThat(listed.status()).isEqualTo(200);
        assertThat(listed.json().path("object").asText()).isEqualTo("list");
        Map<String, String> status = new java.util.HashMap<>();
        listed.json().path("data").forEach(k -> status.put(k.path("id").asText(), k.path("status").asText()));
        assertThat(status).containsEntry(firstId, "revoked").containsEntry(secondId, "revoked")
                .containsEntry(expired.json().path("id").asText(), "expired")
                .containsEntry(live.json().path("id").asText(), "active");
        listed.json().path("data").forEach(k -> assertThat(k.has("secret")).as("never a secret").isFalse());
        for (Reply made : List.of(first, second, expired, live)) {
            assertThat(listed.raw().body()).doesNotContain(made.json().path("secret").asText());
        }
    }

    /**
     * docs/admin.md, Accounts and keys: {@code GET /admin/v1/accounts} is a list, {@code GET /admin/v1/accounts/{name}}
     * takes the name or the id, a {@code PATCH} (of an account or a key) keeps the fields it leaves out, and
     * {@code DELETE} disables the account while its jobs and ledger stay.
     */
    @Test
    void accountsAreReadByNameOrIdAPatchKeepsWhatItLeavesOutAndADisabledAccountKeepsItsJobsAndLedger() throws Exception {
        start(null);
        Reply acme = admin("POST", "/admin/v1/accounts", "{\"name\":\"acme\",\"budget_usd\":\"10\",\"rpm\":60,"
                + "\"max_concurrent\":3,\"video_seconds_limit\":100}");
        assertThat(acme.status()).as(acme.json().toString()).isEqualTo(201);
        String acmeId = acme.json().path("id").asText();
        Reply list = admin("GET", "/admin/v1/accounts", null);
        assertThat(list.json().path("object").asText()).isEqualTo("list");
        assertThat(list.json().path("data").findValuesAsText("name")).contains("default", "acme");
        assertThat(admin("GET", "/admin/v1/accounts/" + acmeId, null).json().path("name").asText()).isEqualTo("acme");
        assertThat(admin("GET", "/admin/v1/accounts/acme", null).json().path("id").asText()).isEqualTo(acmeId);

        JsonNode patched = admin("PATCH", "/admin/v1/accounts/acme", "{\"rpm\":5}").json();
        assertThat(patched.path("rpm").asInt()).isEqualTo(5);
        assertThat(patched.path("budget_usd").asText()).isEqualTo("10.000000");
        assertThat(patched.path("max_concurrent").asInt()).isEqualTo(3);
        assertThat(patched.path("video_seconds_limit").asInt()).isEqualTo(100);

        Reply key = admin("POST", "/admin/v1/keys", "{\"name\":\"w\",\"account\":\"acme\",\"budget_usd\":\"2\","
                + "\"rpm\":7,\"models\":[\"framegate-local\"],\"expires_in\":\"30d\"}");
        long expiresAt = key.json().path("expires_at").asLong();
        JsonNode keyPatched = admin("PATCH", "/admin/v1/keys/w", "{\"max_concurrent\":2}").json();
        assertThat(keyPatched.path("max_concurrent").asInt()).isEqualTo(2);
        assertThat(keyPatched.path("budget_usd").asText()).isEqualTo("2.000000");
        assertThat(keyPatched.path("rpm").asInt()).isEqualTo(7);
        assertThat(keyPatched.path("models").toString()).isEqualTo("[\"framegate-local\"]");
        assertThat(keyPatched.path("expires_at").asLong()).isEqualTo(expiresAt);

        String secret = key.json().path("secret").asText();
        Reply job = openAiCreate(secret, "framegate-local");
        assertThat(job.status()).as(job.json().toString()).isEqualTo(200);
        String jobId = job.json().path("id").asText();
        String keyId = key.json().path("id").asText();
        List<Map<String, Object>> ledgerBefore = ledger(keyId);
        assertThat(ledgerBefore).extracting(r -> r.get("kind")).contains("grant", "reserve");

        Reply disabled = admin("DELETE", "/admin/v1/accounts/acme", null);
        assertThat(disabled.status()).isEqualTo(200);
        assertThat(disabled.json().path("status").asText()).isEqualTo("disabled");
        assertThat(openAiCreate(secret, "framegate-local").status()).isEqualTo(401);
        Reply kept = admin("GET", "/admin/v1/jobs/" + jobId, null);
        assertThat(kept.status()).as("the job stays").isEqualTo(200);
        assertThat(kept.json().path("owner_key_id").asText()).isEqualTo(keyId);
        assertThat(ledger(keyId)).as("the ledger stays").containsAll(ledgerBefore);
        long accountRows = jdbiOf().withHandle(h -> h.createQuery("SELECT COUNT(*) FROM ledger WHERE account_id = :a AND key_id IS NULL")
                .bind("a", acmeId).mapTo(Long.class).one());
        assertThat(accountRows).as("the account's budget grant stays").isEqualTo(1);
        assertThat(admin("GET", "/admin/v1/accounts/acme", null).json().path("status").asText()).isEqualTo("disabled");
    }

    /**
     * docs/admin.md, Accounts and keys: {@code rpm} is 1..1000000; {@code models} an array or comma-separated, a
     * config alias stored as the model it stands for, an unknown name a 400; a refusal is a {@code 400 invalid_value}
     * naming the field, the value and the rule, and changes nothing.
     */
    @Test
    void limitFieldsKeepTheirDocumentedRangesAndModelsTakeCommasAndAliases() throws Exception {
        start("aliases:\n  house-video: framegate-local\n");
        Reply max = admin("POST", "/admin/v1/keys", "{\"name\":\"fast\",\"rpm\":1000000}");
        assertThat(max.status()).as(max.json().toString()).isEqualTo(201);
        assertThat(max.json().path("rpm").asLong()).isEqualTo(1_000_000L);
        for (String bad : List.of("1000001", "0")) {
            Reply r = admin("PATCH", "/admin/v1/keys/fast", "{\"rpm\":" + bad + "}");
            assertThat(r.status()).as(bad).isEqualTo(400);
            assertThat(r.json().at("/error/code").asText()).isEqualTo("invalid_value");
            assertThat(r.json().at("/error/param").asText()).isEqualTo("rpm");
            assertThat(r.json().at("/error/message").asText()).contains("rpm=" + bad).contains("1..1000000");
        }
        assertThat(admin("GET", "/admin/v1/keys/fast", null).json().path("rpm").asLong()).as("unchanged").isEqualTo(1_000_000L);

        Reply listed = admin("POST", "/admin/v1/keys", "{\"name\":\"two\",\"models\":\"framegate-local-fast, house-video\"}");
        assertThat(listed.status()).as(listed.json().toString()).isEqualTo(201);
        List<String> models = new java.util.ArrayList<>();
        listed.json().path("models").forEach(m -> models.add(m.asText()));
        assertThat(models).as("the alias is stored as the model it stands for").containsExactly("framegate-local-fast", "framegate-local");
        String secret = listed.json().path("secret").asText();
        assertThat(openAiCreate(secret, "house-video").status()).as("the alias is allowed").isEqualTo(200);

        Reply unknown = admin("PATCH", "/admin/v1/keys/two", "{\"models\":[\"framegate-local\",\"no-such-model\"]}");
        assertThat(unknown.status()).isEqualTo(400);
        assertThat(unknown.json().at("/error/code").asText()).isEqualTo("invalid_value");
        assertThat(unknown.json().at("/error/param").asText()).isEqualTo("models");
        assertThat(unknown.json().at("/error/message").asText()).contains("no-such-model");
    }

    /**
     * docs/admin.md, Accounts and keys: a number or time outside what a field takes is a {@code 400 invalid_value}
     * naming the field, the value as sent and the rule; never read as another value ({@code 1e400} was "expire now")
     * nor a {@code 500}. A refused change leaves the key as it was.
     */
    @Test
    void numbersAndTimesOutOfRangeAreRefusedNamingFieldValueAndRule() throws Exception {
        start(null);
        Reply created = admin("POST", "/admin/v1/keys", "{\"name\":\"kept\",\"expires_in\":\"30d\"}");
        assertThat(created.status()).as(created.json().toString()).isEqualTo(201);
        long expiresAt = created.json().path("expires_at").asLong();
        String[][] refused = {
                // body, param, the value as shown, the rule
                {"{\"expires_at\":1e400}", "expires_at", "1E+400", "0..253402300799"},
                {"{\"expires_at\":-1e400}", "expires_at", "-1E+400", "0..253402300799"},
                {"{\"expires_at\":99999999999999999999}", "expires_at", "99999999999999999999", "0..253402300799"},
                {"{\"expires_at\":9223372036854775807}", "expires_at", "9223372036854775807", "0..253402300799"},
                {"{\"expires_at\":253402300800}", "expires_at", "253402300800", "0..253402300799"},
                {"{\"expires_at\":\"+1000000000-01-01T00:00:00Z\"}", "expires_at", "+1000000000-01-01T00:00:00Z",
                        "9999-12-31T23:59:59Z"},
                {"{\"rpm\":1e400}", "rpm", "1E+400", "1..1000000"},
                {"{\"video_seconds_limit\":\"1e400\"}", "video_seconds_limit", "1e400", "0..1000000000"},
                {"{\"expires_in\":\"999999999d\"}", "expires_in", "999999999d", "9999-12-31T23:59:59Z"},
        };
        for (String[] c : refused) {
            for (String[] call : new String[][] {{"PATCH", "/admin/v1/keys/kept", c[0]},
                    {"POST", "/admin/v1/keys", "{\"name\":\"new\"," + c[0].substring(1)}}) {
                Reply r = admin(call[0], call[1], call[2]);
                assertThat(r.status()).as("%s %s", call[0], call[2]).isEqualTo(400);
                assertThat(r.json().at("/error/code").asText()).isEqualTo("invalid_value");
                assertThat(r.json().at("/error/param").asText()).isEqualTo(c[1]);
                assertThat(r.json().at("/error/message").asText()).as(call[2])
                        .contains(c[1] + "=" + c[2]).contains("out of range").contains(c[3]);
            }
        }
        Reply kept = admin("GET", "/admin/v1/keys/kept", null);
        assertThat(kept.json().path("expires_at").asLong()).as("unchanged").isEqualTo(expiresAt);
        assertThat(kept.json().path("status").asText()).isEqualTo("active");
        assertThat(admin("GET", "/admin/v1/keys/new", null).status()).as("no key made by a refused create").isEqualTo(404);

        Reply last = admin("PATCH", "/admin/v1/keys/kept", "{\"expires_at\":253402300799}");
        assertThat(last.status()).as("the last second of 9999 is taken").isEqualTo(200);
        assertThat(last.json().path("expires_at").asLong()).isEqualTo(253402300799L);

        for (String param : List.of("from", "to")) {
            Reply r = admin("GET", "/admin/v1/usage?" + param + "=%2B999999999-12-31", null);
            assertThat(r.status()).as(param).isEqualTo(400);
            assertThat(r.json().at("/error/code").asText()).isEqualTo("invalid_value");
            assertThat(r.json().at("/error/param").asText()).isEqualTo(param);
            assertThat(r.json().at("/error/message").asText()).contains(param + "=+999999999-12-31").contains("YYYY-MM-DD");
        }
    }

    @Test
    void serverJsonNamesTheRunningServerAndGoesAtStop() throws Exception {
        start(null);
        assertThat(ServerFile.read(dir)).hasValueSatisfying(e -> {
            assertThat(e.url()).isEqualTo("http://127.0.0.1:" + server.port());
            assertThat(e.pid()).isEqualTo(ProcessHandle.current().pid());
        });
        server.close();
        assertThat(dir.resolve(ServerFile.FILE)).doesNotExist();
    }
}
