package io.framegate.server.jobs;

import io.framegate.domain.Money;
import org.jdbi.v3.core.Handle;

import java.util.Map;
import java.util.Optional;

/**
 * Money of jobs (schema and semantics: {@code V3__accounts_budgets_ledger.sql}). A create reserves the job's maximum
 * price with one conditional UPDATE per holder (key, then its account) in the transaction that inserts the job, so
 * concurrent creates cannot both pass a check; the job's final state settles it exactly once (capture of the actual
 * cost, or release of everything) in the transaction of that final write, guarded by {@code jobs.settled_at}.
 * <p>
 * Ledger rows of a job carry both its key and account. Budget rows ({@code grant}/{@code adjust}) of a key carry the
 * key id, those of an account a null key id; so a key's balance is the sum of its rows and an account's the sum of
 * its rows less its keys' budget rows (see {@link #KEY_BALANCE} and {@link #ACCOUNT_BALANCE}).
 */
public final class Ledger {
    /** The account of keys made before accounts existed, and of job owners that have no key row. */
    public static final String DEFAULT_ACCOUNT = "acct_default";
    /** SUM(amount_micros) of a key: its available balance (budget - spent - reserved). */
    public static final String KEY_BALANCE = "SELECT COALESCE(SUM(amount_micros), 0) FROM ledger WHERE key_id = :id";
    /** SUM(amount_micros) of an account: its job rows and its own budget rows (not those of its keys). */
    public static final String ACCOUNT_BALANCE = "SELECT COALESCE(SUM(amount_micros), 0) FROM ledger WHERE account_id = :id "
            + "AND (key_id IS NULL OR kind NOT IN ('grant', 'adjust'))";

    /** What one create reserves. */
    record Reservation(Money price, long videoSeconds) {
    }

    /** What a holder has: limits (null = none) and counters. */
    private record Holder(String kind, String id, String name, Long budget, long spent, long reserved, Integer maxConcurrent,
                          int active, Long videoSecondsLimit, long videoSecondsUsed, long videoSecondsReserved) {
    }

    private Ledger() {
    }

    /**
     * The account a new job of {@code keyId} reserves on (a read, no lock): the key's, or the default account for an
     * owner without a key row (jobs made by code, not over HTTP).
     */
    static String accountOf(Handle h, String keyId) {
        return h.createQuery("SELECT account_id FROM api_keys WHERE id = :id").bind("id", keyId)
                .mapTo(String.class).findOne().orElse(DEFAULT_ACCOUNT);
    }

    /**
     * Reserves {@code r} for a new job of {@code keyId} on the key row and on its account, writes the {@code reserve}
     * entry and returns the account it reserved on: {@code account} (from {@link #accountOf}, read before the job row
     * was written), or the key's account as read under the key row's lock when an admin moved the key meanwhile (the
     * caller then stores that one on the job). Call it in the transaction that inserts the job, as its last statement
     * before the commit: the reservation's conditional UPDATEs lock the key and account rows until the commit, so every
     * create of one account waits for that lock, and the less the transaction does after them the shorter the wait.
     *
     * @throws QuotaExceededException     the key's or account's budget or video-seconds limit cannot cover it
     * @throws ConcurrencyLimitException the key or account has {@code max_concurrent} jobs queued or running
     */
    static String reserve(Handle h, String jobId, String keyId, String account, String model, Reservation r, long now) {
        String locked = account;
        if (take(h, "api_keys", keyId, r) == 1) {
            locked = accountOf(h, keyId); // the key row is ours until the commit: its account cannot change now
        } else {
            Optional<Holder> key = holder(h, "api_keys", keyId);
            if (key.isPresent()) throw refusal(key.get(), r);
        }
        String on = locked;
        if (take(h, "accounts", on, r) != 1) {
            throw refusal(holder(h, "accounts", on).orElseThrow(
                    () -> new IllegalStateException("account " + on + " of key " + keyId + " does not exist")), r);
        }
        entry(h, keyId, on, jobId, "reserve", -r.price().micros(), null, r.videoSeconds(), model, null, now);
        return on;
    }

    /** The one conditional UPDATE that reserves on a holder: 1 when every limit it has allowed it, else 0. */
    private static int take(Handle h, String table, String id, Reservation r) {
        return h.createUpdate("UPDATE " + table + " SET reserved_micros = reserved_micros + :price, "
                        + "active_jobs = active_jobs + 1, video_seconds_reserved = video_seconds_reserved + :vs WHERE id = :id "
                        + "AND (:price = 0 OR budget_micros IS NULL OR budget_micros - spent_micros - reserved_micros >= :price) "
                        + "AND (max_concurrent IS NULL OR active_jobs < max_concurrent) "
                        + "AND (:vs = 0 OR video_seconds_limit IS NULL "
                        + "OR video_seconds_limit - video_seconds_used - video_seconds_reserved >= :vs)")
                .bind("price", r.price().micros()).bind("vs", r.videoSeconds()).bind("id", id).execute();
    }

    private static Optional<Holder> holder(Handle h, String table, String id) {
        String kind = table.equals("api_keys") ? "key" : "account";
        return h.createQuery("SELECT name, budget_micros, spent_micros, reserved_micros, max_concurrent, active_jobs, "
                        + "video_seconds_limit, video_seconds_used, video_seconds_reserved FROM " + table + " WHERE id = :id")
                .bind("id", id)
                .map((rs, ctx) -> new Holder(kind, id, rs.getString(1), rs.getObject(2, Long.class), rs.getLong(3), rs.getLong(4),
                        rs.getObject(5, Integer.class), rs.getInt(6), rs.getObject(7, Long.class), rs.getLong(8), rs.getLong(9)))
                .findOne();
    }

    /** The columns {@link #holder} reads, of the holder row aliased {@code t}. */
    private static String holderColumns(String t) {
        return t + ".name, " + t + ".budget_micros, " + t + ".spent_micros, " + t + ".reserved_micros, " + t
                + ".max_concurrent, " + t + ".active_jobs, " + t + ".video_seconds_limit, " + t + ".video_seconds_used, "
                + t + ".video_seconds_reserved";
    }

    private static Holder holderAt(java.sql.ResultSet rs, int first, String kind, String id) throws java.sql.SQLException {
        return new Holder(kind, id, rs.getString(first), rs.getObject(first + 1, Long.class), rs.getLong(first + 2),
                rs.getLong(first + 3), rs.getObject(first + 4, Integer.class), rs.getInt(first + 5),
                rs.getObject(first + 6, Long.class), rs.getLong(first + 7), rs.getLong(first + 8));
    }

    /**
     * Throws now when the key or its account cannot take {@code r} as things stand (a read, no lock): a create refused
     * for money is refused before its files are written. The reservation itself is still {@link #reserve}. Returns
     * the account it read the key in (the one {@link #reserve} is given): key and account are one query.
     */
    static String check(Handle h, String keyId, Reservation r) {
        record Both(Holder key, String account, Holder acct) {
        }
        Optional<Both> both = h.createQuery("SELECT " + holderColumns("k") + ", k.account_id, " + holderColumns("a")
                        + " FROM api_keys k JOIN accounts a ON a.id = k.account_id WHERE k.id = :id")
                .bind("id", keyId)
                .map((rs, ctx) -> new Both(holderAt(rs, 1, "key", keyId), rs.getString(10),
                        holderAt(rs, 11, "account", rs.getString(10))))
                .findOne();
        Optional<Holder> key = both.map(Both::key);
        String account;
        Optional<Holder> acct;
        if (both.isPresent()) {
            account = both.get().account();
            acct = Optional.of(both.get().acct());
        } else { // no key row (jobs made by code), or a key without its account row
            key = holder(h, "api_keys", keyId);
            account = key.isPresent() ? h.createQuery("SELECT account_id FROM api_keys WHERE id = :id").bind("id", keyId)
                    .mapTo(String.class).one() : DEFAULT_ACCOUNT;
            acct = holder(h, "accounts", account);
        }
        if (key.isPresent()) {
            RuntimeException e = shortOf(key.get(), r);
            if (e != null) throw e;
        }
        if (acct.isPresent()) {
            RuntimeException e = shortOf(acct.get(), r);
            if (e != null) throw e;
        }
        return account;
    }

    /** Why a holder refused a reservation (read after its UPDATE matched no row); money first, it does not pass. */
    private static RuntimeException refusal(Holder x, Reservation r) {
        RuntimeException e = shortOf(x, r);
        if (e != null) return e;
        // the counters moved between the UPDATE and this read (another job ended): the client may simply retry
        return new ConcurrencyLimitException("Rate limit reached: the limits of " + who(x)
                + " changed while this video was being accepted; try again.");
    }

    /**
     * How a refusal names its holder to the client: the caller's own key by name; an account only as "your account"
     * (its internal name is the operator's; its figures are the account's own totals, shown to each of its keys).
     */
    private static String who(Holder x) {
        return x.kind().equals("key") ? "key '" + x.name() + "'" : "your account";
    }

    /** A balance as a client reads it: a budget lowered below what is spent and reserved leaves 0, over by the rest. */
    private static String available(long micros) {
        return micros >= 0 ? Money.usd(micros) : Money.usd(0) + " (the budget is $" + Money.usd(-micros)
                + " below what is spent and reserved)";
    }

    /** The limit of {@code x} that {@code r} does not fit in, or null. */
    private static RuntimeException shortOf(Holder x, Reservation r) {
        String who = who(x);
        long p = r.price().micros();
        if (p > 0 && x.budget() != null && x.budget() - x.spent() - x.reserved() < p) {
            return new QuotaExceededException("Insufficient quota: the budget of " + who + " cannot cover this video. "
                    + "Budget $" + Money.usd(x.budget()) + ", spent $" + Money.usd(x.spent()) + ", reserved by running jobs $"
                    + Money.usd(x.reserved()) + ", available $" + available(x.budget() - x.spent() - x.reserved())
                    + "; this video's price is $" + Money.usd(p) + ".");
        }
        if (r.videoSeconds() > 0 && x.videoSecondsLimit() != null
                && x.videoSecondsLimit() - x.videoSecondsUsed() - x.videoSecondsReserved() < r.videoSeconds()) {
            return new QuotaExceededException("Insufficient quota: the video-seconds limit of " + who + " cannot cover "
                    + "this video. Limit " + x.videoSecondsLimit() + " s, used " + x.videoSecondsUsed() + " s, reserved "
                    + x.videoSecondsReserved() + " s; this video needs " + r.videoSeconds() + " s.");
        }
        if (x.maxConcurrent() != null && x.active() >= x.maxConcurrent()) {
            return new ConcurrencyLimitException("Rate limit reached: " + who + " has " + x.active() + " videos queued or "
                    + "in progress, its limit (max_concurrent) is " + x.maxConcurrent() + ". Try again when one has finished.");
        }
        return null;
    }

    /**
     * Settles a job exactly once: {@code cost} null releases the whole reservation, else captures {@code cost}
     * (capped at the reservation; its video seconds count as used). Call it in the transaction that writes the job's
     * final state. A job already settled, or without a reservation (made before the ledger existed), is left alone.
     *
     * @return the captured cost, or empty when it released or there was nothing to settle
     */
    static Optional<Money> settle(Handle h, String jobId, Money cost, long now) {
        Optional<Map<String, Object>> open = h.createQuery("SELECT owner_key_id, account_id, price_micros, "
                        + "reserved_video_seconds, model FROM jobs WHERE id = :id AND settled_at IS NULL AND price_micros IS NOT NULL")
                .bind("id", jobId).mapToMap().findOne();
        if (open.isEmpty()) return Optional.empty();
        Map<String, Object> j = open.get();
        long price = ((Number) j.get("price_micros")).longValue();
        long vs = j.get("reserved_video_seconds") == null ? 0 : ((Number) j.get("reserved_video_seconds")).longValue();
        long captured = cost == null ? 0 : Math.min(cost.micros(), price);
        // the guard: of two final writes racing on one job only one sets settled_at
        int won = h.createUpdate("UPDATE jobs SET settled_at = :now, cost_micros = :cost WHERE id = :id AND settled_at IS NULL")
                .bind("now", now).bind("cost", cost == null ? null : captured).bind("id", jobId).execute();
        if (won != 1) return Optional.empty();
        String key = (String) j.get("owner_key_id");
        String account = j.get("account_id") == null ? DEFAULT_ACCOUNT : (String) j.get("account_id");
        long used = cost == null ? 0 : vs;
        for (String[] holder : new String[][] {{"api_keys", key}, {"accounts", account}}) {
            // a deleted key's row is gone: its account is still settled
            h.createUpdate("UPDATE " + holder[0] + " SET reserved_micros = reserved_micros - :price, "
                            + "spent_micros = spent_micros + :cost, active_jobs = active_jobs - 1, "
                            + "video_seconds_reserved = video_seconds_reserved - :vs, video_seconds_used = video_seconds_used + :used "
                            + "WHERE id = :id")
                    .bind("price", price).bind("cost", captured).bind("vs", vs).bind("used", used).bind("id", holder[1])
                    .execute();
        }
        // a cost above the reservation (unreadable notes aside) is recorded, not charged
        String note = cost != null && cost.micros() > price && cost.micros() != Long.MAX_VALUE
                ? "upstream_cost_usd=" + cost.usd() : null;
        entry(h, key, account, jobId, cost == null ? "release" : "capture", price - captured, cost == null ? null : captured,
                used, (String) j.get("model"), note, now);
        return cost == null ? Optional.empty() : Optional.of(new Money(captured));
    }

    private static void entry(Handle h, String key, String account, String job, String kind, long amount, Long cost,
                              long videoSeconds, String model, String note, long now) {
        h.createUpdate("INSERT INTO ledger (key_id, account_id, job_id, kind, amount_micros, cost_micros, video_seconds, "
                        + "model, note, created_at) VALUES (:key, :account, :job, :kind, :amount, :cost, :vs, :model, :note, :now)")
                .bind("key", key).bind("account", account).bind("job", job).bind("kind", kind).bind("amount", amount)
                .bind("cost", cost).bind("vs", videoSeconds).bind("model", model).bind("note", note).bind("now", now)
                .execute();
    }
}
