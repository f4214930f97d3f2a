package io.framegate.server.limits;

import io.framegate.server.db.Savepoint;
import org.jdbi.v3.core.Jdbi;

/**
 * Counts creates per holder (key or account id) in fixed one-minute windows of the shared {@code rate_windows}
 * table, so every instance on the same database counts together. Each take is one conditional increment (the row
 * lock serializes concurrent takes), so the count never passes the limit.
 */
final class RateWindows {
    static final long WINDOW_MS = 60_000;
    private final Jdbi jdbi;

    RateWindows(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    /** Takes one request of {@code holder}'s window at {@code now}; false when the window holds {@code limit} already. */
    boolean take(String holder, int limit, long now) {
        long window = windowStart(now);
        if (increment(holder, window, limit)) return true;
        if (jdbi.withHandle(h -> h.createQuery("SELECT COUNT(*) FROM rate_windows WHERE holder = :h AND window_start = :w")
                .bind("h", holder).bind("w", window).mapTo(Integer.class).one()) > 0) {
            // the row is there: either the window is full, or a concurrent create made the row after the increment
            // above found none (refused a create of a fresh window on PostgreSQL: CreateConnectionsTest, 1 CI run in 3)
            return increment(holder, window, limit);
        }
        try {
            // in a savepoint: a create's transaction stays usable after losing the race below
            jdbi.useHandle(h -> Savepoint.run(h, "rate_window", () -> {
                h.createUpdate("INSERT INTO rate_windows (holder, window_start, requests) VALUES (:h, :w, 1)")
                        .bind("h", holder).bind("w", window).execute();
                h.createUpdate("DELETE FROM rate_windows WHERE holder = :h AND window_start < :w")
                        .bind("h", holder).bind("w", window).execute();
            }));
            return true;
        } catch (RuntimeException raced) {
            // another create made the window row first: count in it
            return increment(holder, window, limit);
        }
    }

    /** Gives back a request taken by {@link #take} (another holder of the same create refused it). */
    void giveBack(String holder, long now) {
        jdbi.useHandle(h -> h.createUpdate("UPDATE rate_windows SET requests = requests - 1 WHERE holder = :h "
                + "AND window_start = :w AND requests > 0").bind("h", holder).bind("w", windowStart(now)).execute());
    }

    private boolean increment(String holder, long window, int limit) {
        return jdbi.withHandle(h -> h.createUpdate("UPDATE rate_windows SET requests = requests + 1 WHERE holder = :h "
                        + "AND window_start = :w AND requests < :limit")
                .bind("h", holder).bind("w", window).bind("limit", limit).execute()) == 1;
    }

    static long windowStart(long now) {
        return now - Math.floorMod(now, WINDOW_MS);
    }

    static long resetIn(long now) {
        return windowStart(now) + WINDOW_MS - now;
    }
}
