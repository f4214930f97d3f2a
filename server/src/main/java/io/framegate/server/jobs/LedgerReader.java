package io.framegate.server.jobs;

import io.framegate.domain.Money;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.Query;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Reads of the ledger for the operator: entries (of a job, key or account) and usage grouped by key, account, model or day. */
public final class LedgerReader {
    public static final int MAX_LIMIT = 1000;
    private static final long DAY_MILLIS = 86_400_000L;

    /** How usage is grouped. */
    public enum By {
        KEY("key_id"), ACCOUNT("account_id"), MODEL("model"), DAY("created_at / " + DAY_MILLIS);

        private final String column;

        By(String column) {
            this.column = column;
        }

        public String wire() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * One group of usage. {@code jobs}: jobs reserved in the window; {@code spent}: captured cost of settlements in
     * the window; {@code reserved}: what those jobs still hold now (not settled yet); {@code videoSeconds}: seconds of
     * captured (delivered) local renders and cloud videos alike as recorded on their captures.
     */
    public record Usage(String group, String name, long jobs, long spentMicros, long reservedMicros, long videoSeconds) {
    }

    private final Jdbi jdbi;

    LedgerReader(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    /** The entries of a job, oldest first. */
    public List<Map<String, Object>> ofJob(String jobId) {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM ledger WHERE job_id = :job ORDER BY id")
                .bind("job", jobId).map(LedgerReader::entry).list());
    }

    /** The newest entries, of one key and/or account when given. */
    public List<Map<String, Object>> entries(String keyId, String accountId, int limit) {
        StringBuilder sql = new StringBuilder("SELECT * FROM ledger WHERE 1 = 1");
        if (keyId != null) sql.append(" AND key_id = :key");
        if (accountId != null) sql.append(" AND account_id = :account");
        sql.append(" ORDER BY id DESC LIMIT :limit");
        return jdbi.withHandle(h -> {
            Query q = h.createQuery(sql.toString()).bind("limit", limit);
            if (keyId != null) q.bind("key", keyId);
            if (accountId != null) q.bind("account", accountId);
            return q.map(LedgerReader::entry).list();
        });
    }

    /** Usage of the job entries created in {@code [fromMillis, toMillis)}, one row per group. */
    public List<Usage> usage(By by, long fromMillis, long toMillis) {
        String g = "l." + by.column;
        String sql = "SELECT " + g + " AS grp, "
                + "SUM(CASE WHEN l.kind = 'reserve' THEN 1 ELSE 0 END) AS jobs, "
                + "COALESCE(SUM(CASE WHEN l.kind = 'capture' THEN l.cost_micros ELSE 0 END), 0) AS spent, "
                + "COALESCE(SUM(CASE WHEN l.kind = 'reserve' AND NOT EXISTS (SELECT 1 FROM ledger s WHERE s.job_id = l.job_id "
                + "AND s.kind IN ('capture', 'release')) THEN -l.amount_micros ELSE 0 END), 0) AS reserved, "
                + "COALESCE(SUM(CASE WHEN l.kind = 'capture' THEN l.video_seconds ELSE 0 END), 0) AS vs "
                + "FROM ledger l WHERE l.kind IN ('reserve', 'capture', 'release') AND l.created_at >= :from "
                + "AND l.created_at < :to GROUP BY " + g + " ORDER BY 1";
        return jdbi.withHandle(h -> {
            Map<String, String> names = new java.util.HashMap<>();
            if (by == By.KEY || by == By.ACCOUNT) {
                h.createQuery("SELECT id, name FROM " + (by == By.KEY ? "api_keys" : "accounts"))
                        .map((rs, ctx) -> Map.entry(rs.getString(1), rs.getString(2))).forEach(e -> names.put(e.getKey(), e.getValue()));
            }
            return h.createQuery(sql)
                    .bind("from", fromMillis).bind("to", toMillis)
                    .map((rs, ctx) -> {
                        String group = by == By.DAY ? Instant.ofEpochMilli(rs.getLong("grp") * DAY_MILLIS)
                                .atZone(ZoneOffset.UTC).toLocalDate().toString() : rs.getString("grp");
                        return new Usage(group, names.get(group), rs.getLong("jobs"), rs.getLong("spent"),
                                rs.getLong("reserved"), rs.getLong("vs"));
                    }).list();
        });
    }

    private static Map<String, Object> entry(ResultSet rs, org.jdbi.v3.core.statement.StatementContext ctx) throws SQLException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", rs.getLong("id"));
        m.put("kind", rs.getString("kind"));
        m.put("key_id", rs.getString("key_id"));
        m.put("account_id", rs.getString("account_id"));
        m.put("job_id", rs.getString("job_id"));
        long amount = rs.getLong("amount_micros");
        m.put("amount_micros", amount);
        m.put("amount_usd", Money.usd(amount));
        Long cost = rs.getObject("cost_micros", Long.class);
        m.put("cost_micros", cost);
        m.put("cost_usd", cost == null ? null : Money.usd(cost));
        m.put("video_seconds", rs.getObject("video_seconds", Long.class));
        m.put("model", rs.getString("model"));
        m.put("note", rs.getString("note"));
        m.put("created_at", rs.getLong("created_at") / 1000);
        return m;
    }
}
