package io.framegate.server.jobs;

import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

import java.time.Duration;
import java.util.Optional;
import java.util.UUID;

/**
 * The Idempotency-Keys whose create is under way, as rows of {@code idempotency_in_flight}, so that every instance on
 * the database sees them. A create claims its key (committed at once) before it takes a rate slot or reserves a
 * budget, and releases it when it ends; while it runs, another create with the key is answered
 * {@link IdempotencyKeyInUseException} instead of racing it for the rate window and the budget.
 */
final class InFlightKeys {
    /**
     * How long a claim holds without its create ending: longer than any create takes (its longest part is copying an
     * extension's source video into the result store), so only a claim left by a crashed instance outlives it.
     */
    static final Duration STALE_AFTER = Duration.ofMinutes(10);

    private final Jdbi jdbi;
    private final long staleAfterMillis;

    InFlightKeys(Jdbi jdbi) {
        this(jdbi, STALE_AFTER);
    }

    InFlightKeys(Jdbi jdbi, Duration staleAfter) {
        this.jdbi = jdbi;
        this.staleAfterMillis = staleAfter.toMillis();
    }

    /**
     * Claims the owner's key for one create, in a transaction of its own (never the caller's: the claim must be
     * visible before the create's own writes); a stale claim is taken over.
     *
     * @return the claim's token (for {@link #release}), or empty when another create holds the key
     */
    Optional<String> claim(String owner, String key) {
        String token = UUID.randomUUID().toString();
        return jdbi.withHandle(h -> {
            if (h.isInTransaction()) throw new IllegalStateException("an Idempotency-Key is claimed outside a transaction");
            if (insert(h, owner, key, token)) return Optional.of(token);
            // the key is held: by a create still running, or by one whose instance died (then its claim is stale)
            int stale = h.createUpdate("DELETE FROM idempotency_in_flight WHERE owner_key_id = :owner "
                            + "AND idempotency_key = :key AND expires_at < " + JobStore.DB_NOW)
                    .bind("owner", owner).bind("key", key).execute();
            return stale > 0 && insert(h, owner, key, token) ? Optional.of(token) : Optional.<String>empty();
        });
    }

    /**
     * Drops every claim: at the start of a process that alone can open the database (an embedded file), where any
     * claim left is one its previous process died holding, so a client retrying that create is not told 409 for
     * {@link #STALE_AFTER}.
     */
    void forgetAll() {
        jdbi.useHandle(h -> h.createUpdate("DELETE FROM idempotency_in_flight").execute());
    }

    /** Ends the claim {@code token} holds (if it still does), and removes any stale claim on the way. */
    void release(String owner, String key, String token) {
        jdbi.useHandle(h -> h.createUpdate("DELETE FROM idempotency_in_flight WHERE (owner_key_id = :owner "
                        + "AND idempotency_key = :key AND token = :token) OR expires_at < " + JobStore.DB_NOW)
                .bind("owner", owner).bind("key", key).bind("token", token).execute());
    }

    /** Whether the row was written; false when the key is held (the primary key refused it). */
    private boolean insert(Handle h, String owner, String key, String token) {
        try {
            h.createUpdate("INSERT INTO idempotency_in_flight (owner_key_id, idempotency_key, token, expires_at) "
                            + "VALUES (:owner, :key, :token, " + JobStore.DB_NOW + " + :stale)")
                    .bind("owner", owner).bind("key", key).bind("token", token).bind("stale", staleAfterMillis).execute();
            return true;
        } catch (RuntimeException e) {
            if (isUniqueViolation(e)) return false;
            throw e;
        }
    }

    /** SQLSTATE 23505, as H2 and PostgreSQL both report a duplicate key. */
    private static boolean isUniqueViolation(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.sql.SQLException s && "23505".equals(s.getSQLState())) return true;
        }
        return false;
    }
}
