package io.framegate.server.tenancy;

import org.jdbi.v3.core.Handle;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Reads accounts and keys as the admin API shows them (JSON-ready maps; money as decimal USD strings and micros). */
final class TenantViews {
    private static final String LIMITS = "budget_micros, rpm, max_concurrent, video_seconds_limit, spent_micros, "
            + "reserved_micros, active_jobs, video_seconds_used, video_seconds_reserved";
    private static final String KEY_COLUMNS = "k.id, k.name, k.key_hint, k.created_at, k.revoked_at, k.expires_at, k.models, "
            + "k.account_id, a.name AS account_name, a.disabled_at AS account_disabled, "
            + Arrays.stream(LIMITS.split(", ")).map(c -> "k." + c).reduce((x, y) -> x + ", " + y).orElseThrow();

    private TenantViews() {
    }

    static Optional<String> findAccountId(Handle h, String ref) {
        return h.createQuery("SELECT id FROM accounts WHERE name = :r OR id = :r ORDER BY CASE WHEN id = :r THEN 0 ELSE 1 END")
                .bind("r", ref).mapTo(String.class).findFirst();
    }

    static boolean isDisabled(Handle h, String accountId) {
        return h.createQuery("SELECT disabled_at FROM accounts WHERE id = :id").bind("id", accountId)
                .mapTo(Long.class).findOne().isPresent();
    }

    static List<String> activeKeyIds(Handle h, String name) {
        return h.createQuery("SELECT id FROM api_keys WHERE name = :n AND revoked_at IS NULL ORDER BY created_at, id")
                .bind("n", name).mapTo(String.class).list();
    }

    static List<Map<String, Object>> accounts(Handle h) {
        return h.createQuery("SELECT a.id, a.name, a.created_at, a.disabled_at, " + LIMITS
                        + ", (SELECT COUNT(*) FROM api_keys k WHERE k.account_id = a.id AND k.revoked_at IS NULL) AS key_count "
                        + "FROM accounts a ORDER BY a.created_at, a.name")
                .map((rs, ctx) -> account(rs)).list();
    }

    static Map<String, Object> account(Handle h, String id) {
        return h.createQuery("SELECT a.id, a.name, a.created_at, a.disabled_at, " + LIMITS
                        + ", (SELECT COUNT(*) FROM api_keys k WHERE k.account_id = a.id AND k.revoked_at IS NULL) AS key_count "
                        + "FROM accounts a WHERE a.id = :id")
                .bind("id", id).map((rs, ctx) -> account(rs)).one();
    }

    static List<Map<String, Object>> keys(Handle h, long now) {
        return h.createQuery("SELECT " + KEY_COLUMNS + " FROM api_keys k JOIN accounts a ON a.id = k.account_id "
                        + "ORDER BY k.created_at, k.id")
                .map((rs, ctx) -> key(rs, now)).list();
    }

    static Map<String, Object> key(Handle h, String id) {
        return h.createQuery("SELECT " + KEY_COLUMNS + " FROM api_keys k JOIN accounts a ON a.id = k.account_id WHERE k.id = :id")
                .bind("id", id).map((rs, ctx) -> key(rs, System.currentTimeMillis())).one();
    }

    private static Map<String, Object> account(ResultSet rs) throws SQLException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("object", "account");
        m.put("id", rs.getString("id"));
        m.put("name", rs.getString("name"));
        Long disabled = nullableLong(rs, "disabled_at");
        m.put("status", disabled != null ? "disabled" : "active");
        m.put("keys", rs.getInt("key_count"));
        limits(rs, m);
        m.put("created_at", rs.getLong("created_at") / 1000);
        m.put("disabled_at", seconds(disabled));
        return m;
    }

    private static Map<String, Object> key(ResultSet rs, long now) throws SQLException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("object", "api_key");
        m.put("id", rs.getString("id"));
        m.put("name", rs.getString("name"));
        m.put("key_hint", rs.getString("key_hint") + "...");
        m.put("account", rs.getString("account_name"));
        m.put("account_id", rs.getString("account_id"));
        Long revoked = nullableLong(rs, "revoked_at");
        Long expires = nullableLong(rs, "expires_at");
        m.put("status", revoked != null ? "revoked" : expires != null && expires <= now ? "expired"
                : nullableLong(rs, "account_disabled") != null ? "account_disabled" : "active");
        String models = rs.getString("models");
        m.put("models", models == null ? null : List.of(models.split(",")));
        limits(rs, m);
        m.put("created_at", rs.getLong("created_at") / 1000);
        m.put("expires_at", seconds(expires));
        m.put("revoked_at", seconds(revoked));
        return m;
    }

    private static void limits(ResultSet rs, Map<String, Object> m) throws SQLException {
        Long budget = nullableLong(rs, "budget_micros");
        long spent = rs.getLong("spent_micros");
        long reserved = rs.getLong("reserved_micros");
        m.put("budget_usd", BudgetInput.usd(budget));
        m.put("spent_usd", BudgetInput.usd(spent));
        m.put("reserved_usd", BudgetInput.usd(reserved));
        m.put("available_usd", budget == null ? null : BudgetInput.usd(budget - spent - reserved));
        m.put("budget_micros", budget);
        m.put("spent_micros", spent);
        m.put("reserved_micros", reserved);
        m.put("rpm", nullableLong(rs, "rpm"));
        m.put("max_concurrent", nullableLong(rs, "max_concurrent"));
        m.put("video_seconds_limit", nullableLong(rs, "video_seconds_limit"));
        m.put("active_jobs", rs.getInt("active_jobs"));
        m.put("video_seconds_used", rs.getLong("video_seconds_used"));
        m.put("video_seconds_reserved", rs.getLong("video_seconds_reserved"));
    }

    private static Long nullableLong(ResultSet rs, String col) throws SQLException {
        long v = rs.getLong(col);
        return rs.wasNull() ? null : v;
    }

    private static Long seconds(Long millis) {
        return millis == null ? null : Math.floorDiv(millis, 1000L);
    }
}
