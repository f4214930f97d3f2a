package io.framegate.server.jobs;

import io.framegate.domain.Money;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.Query;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reads of the ledger for the operator: entries (of a job, key or account) and usage ({@link io.framegate.server.tenancy.UsageQuery}). */
public final class LedgerReader {
    public static final int MAX_LIMIT = 1000;
    private static final long DAY_MILLIS = 86_400_000L;

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
        // rows of keys made before accounts existed carry no account: theirs is the default one
        if (accountId != null) sql.append(Ledger.DEFAULT_ACCOUNT.equals(accountId)
                ? " AND (account_id = :account OR account_id IS NULL)" : " AND account_id = :account");
        sql.append(" ORDER BY id DESC LIMIT :limit");
        return jdbi.withHandle(h -> {
            Query q = h.createQuery(sql.toString()).bind("limit", limit);
            if (keyId != null) q.bind("key", keyId);
            if (accountId != null) q.bind("account", accountId);
            return q.map(LedgerReader::entry).list();
        });
    }

    /** Usage grouped by key, account, model or day: the one query the admin API and the offline CLI share. */
    public Map<String, Object> usage(String by, String from, String to) {
        return new io.framegate.server.tenancy.UsageQuery(jdbi).answer(by, from, to);
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
