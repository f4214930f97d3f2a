package io.framegate.server;

import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.transaction.TransactionIsolationLevel;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What every money test checks at its end (and on the way): each job reserved exactly once and, once it ended (or
 * was deleted), settled exactly once; open jobs are what the holders' reserved and active counters say; and for every
 * key and account SUM(ledger) == budget - spent - reserved, spent == the sum of its captures.
 */
public final class LedgerInvariants {
    private static final Set<String> FINAL = Set.of("COMPLETED", "FAILED", "CANCELLED");

    private LedgerInvariants() {
    }

    public static void check(Jdbi jdbi) {
        // one snapshot: the checks read several tables with several queries while jobs may still end (a job settled
        // between reading a key's active_jobs and counting its open jobs looked like a counter out of step)
        jdbi.useHandle(h -> h.useTransaction(isH2(h) ? TransactionIsolationLevel.SERIALIZABLE
                : TransactionIsolationLevel.REPEATABLE_READ, LedgerInvariants::check));
    }

    private static boolean isH2(Handle h) {
        try {
            return h.getConnection().getMetaData().getDatabaseProductName().equals("H2");
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void check(Handle h) {
        for (Map<String, Object> job : h.createQuery("SELECT id, status, price_micros, settled_at, cost_micros FROM jobs "
                + "WHERE price_micros IS NOT NULL").mapToMap().list()) {
            String id = (String) job.get("id");
            boolean ended = FINAL.contains((String) job.get("status"));
            assertThat(count(h, id, "reserve")).as("reserve entries of %s", id).isEqualTo(1);
            assertThat(count(h, id, "capture") + count(h, id, "release")).as("settlements of %s (%s)", id, job.get("status"))
                    .isEqualTo(ended ? 1 : 0);
            assertThat(job.get("settled_at") != null).as("settled_at of %s", id).isEqualTo(ended);
            if ("COMPLETED".equals(job.get("status"))) assertThat(count(h, id, "capture")).as("capture of %s", id).isEqualTo(1);
            else assertThat(count(h, id, "capture")).as("a job that delivered nothing is never charged: %s", id).isZero();
        }
        // deleted jobs: their entries stay, settled once
        for (String id : h.createQuery("SELECT DISTINCT job_id FROM ledger WHERE job_id IS NOT NULL AND job_id NOT IN "
                + "(SELECT id FROM jobs)").mapTo(String.class).list()) {
            assertThat(count(h, id, "reserve")).as("reserve entries of deleted %s", id).isEqualTo(1);
            assertThat(count(h, id, "capture") + count(h, id, "release")).as("settlements of deleted %s", id).isEqualTo(1);
        }
        List<Row> rows = h.createQuery("SELECT kind, key_id, account_id, job_id, amount_micros, cost_micros FROM ledger ORDER BY id")
                .map((rs, ctx) -> new Row(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getLong(5),
                        rs.getLong(6))).list();
        for (String table : List.of("api_keys", "accounts")) {
            String column = table.equals("api_keys") ? "owner_key_id" : "account_id";
            for (Map<String, Object> x : h.createQuery("SELECT id, budget_micros, spent_micros, reserved_micros, active_jobs, "
                    + "video_seconds_reserved FROM " + table).mapToMap().list()) {
                String id = (String) x.get("id");
                long budget = x.get("budget_micros") == null ? 0 : ((Number) x.get("budget_micros")).longValue();
                long spent = ((Number) x.get("spent_micros")).longValue();
                long reserved = ((Number) x.get("reserved_micros")).longValue();
                // computed here from the raw rows, not with the production queries (Ledger.KEY_BALANCE, ...)
                boolean isKey = table.equals("api_keys");
                long sum = 0;
                long budgetRows = 0;
                long captures = 0;
                long openReservations = 0;
                java.util.Map<String, Long> reservedByJob = new java.util.HashMap<>();
                java.util.Set<String> settledJobs = new java.util.HashSet<>();
                for (Row e : rows) {
                    boolean budgetRow = e.kind().equals("grant") || e.kind().equals("adjust");
                    boolean mine = isKey ? id.equals(e.key())
                            : id.equals(e.account()) && (!budgetRow || e.key() == null);
                    if (!mine) continue;
                    sum += e.amount();
                    if (budgetRow) budgetRows += e.amount();
                    if (e.kind().equals("reserve")) reservedByJob.put(e.job(), -e.amount());
                    if (e.kind().equals("capture")) captures += e.cost();
                    if (e.kind().equals("capture") || e.kind().equals("release")) settledJobs.add(e.job());
                }
                for (Map.Entry<String, Long> r : reservedByJob.entrySet()) {
                    if (!settledJobs.contains(r.getKey())) openReservations += r.getValue();
                }
                assertThat(budgetRows).as("grant/adjust rows of %s %s add up to its budget", table, id).isEqualTo(budget);
                assertThat(sum).as("SUM(ledger rows) of %s %s == budget - spent - reserved", table, id)
                        .isEqualTo(budget - spent - reserved);
                assertThat(sum).as("SUM(ledger rows) of %s %s == its budget - captured costs - open reservations", table, id)
                        .isEqualTo(budgetRows - captures - openReservations);
                assertThat(reserved).as("reserved of %s %s == its open reservations in the ledger", table, id)
                        .isEqualTo(openReservations);
                String holder = table.equals("api_keys") ? "key_id" : "account_id";
                long captured = h.createQuery("SELECT COALESCE(SUM(cost_micros), 0) FROM ledger WHERE kind = 'capture' AND "
                        + holder + " = :id").bind("id", id).mapTo(Long.class).one();
                assertThat(spent).as("spent of %s %s == its captures", table, id).isEqualTo(captured);
                long open = h.createQuery("SELECT COALESCE(SUM(price_micros), 0) FROM jobs WHERE settled_at IS NULL AND "
                        + "price_micros IS NOT NULL AND " + column + " = :id").bind("id", id).mapTo(Long.class).one();
                assertThat(reserved).as("reserved of %s %s == its open jobs' prices", table, id).isEqualTo(open);
                long active = h.createQuery("SELECT COUNT(*) FROM jobs WHERE settled_at IS NULL AND price_micros IS NOT NULL "
                        + "AND " + column + " = :id").bind("id", id).mapTo(Long.class).one();
                assertThat(((Number) x.get("active_jobs")).longValue()).as("active jobs of %s %s", table, id).isEqualTo(active);
                assertThat(reserved).as("reserved of %s %s", table, id).isNotNegative();
            }
        }
    }

    /** One ledger row as stored. */
    private record Row(String kind, String key, String account, String job, long amount, long cost) {
    }

    private static int count(Handle h, String job, String kind) {
        return h.createQuery("SELECT COUNT(*) FROM ledger WHERE job_id = :job AND kind = :kind").bind("job", job)
                .bind("kind", kind).mapTo(Integer.class).one();
    }

    /** Sets a key's budget as the admin API does: the new budget and a grant/adjust entry of the difference, at once. */
    static void setKeyBudget(Jdbi jdbi, String keyId, long micros) {
        jdbi.useTransaction(h -> {
            Map<String, Object> k = h.createQuery("SELECT account_id, budget_micros FROM api_keys WHERE id = :id")
                    .bind("id", keyId).mapToMap().one();
            long old = k.get("budget_micros") == null ? 0 : ((Number) k.get("budget_micros")).longValue();
            h.createUpdate("UPDATE api_keys SET budget_micros = :b WHERE id = :id").bind("b", micros).bind("id", keyId).execute();
            h.createUpdate("INSERT INTO ledger (key_id, account_id, kind, amount_micros, created_at) VALUES (:k, :a, :kind, "
                            + ":amount, :now)").bind("k", keyId).bind("a", (String) k.get("account_id"))
                    .bind("kind", micros >= old ? "grant" : "adjust").bind("amount", micros - old)
                    .bind("now", System.currentTimeMillis()).execute();
        });
    }

    static long keyColumn(Jdbi jdbi, String keyId, String column) {
        return jdbi.withHandle(h -> h.createQuery("SELECT " + column + " FROM api_keys WHERE id = :id").bind("id", keyId)
                .mapTo(Long.class).one());
    }

    /** The kinds of a job's ledger rows, oldest first ({@code reserve}, {@code capture} or {@code release}, ...). */
    public static List<String> kinds(Jdbi jdbi, String jobId) {
        return jdbi.withHandle(h -> h.createQuery("SELECT kind FROM ledger WHERE job_id = :j ORDER BY id")
                .bind("j", jobId).mapTo(String.class).list());
    }

    static List<Map<String, Object>> entries(Jdbi jdbi, String jobId) {
        return jdbi.withHandle(h -> h.createQuery("SELECT kind, amount_micros, cost_micros FROM ledger WHERE job_id = :j "
                + "ORDER BY id").bind("j", jobId).mapToMap().list());
    }
}
