package io.framegate.server.jobs;

import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.PreparedBatch;

import java.util.List;

import static io.framegate.server.jobs.JobStore.DB_NOW;
import static io.framegate.server.jobs.JobStore.HELD;

/**
 * Cloud jobs that wait on their upstream, as rows (db-scheduler's task repository, for polls): such a job is
 * {@code IN_PROGRESS} with no lease and a {@code next_poll_at} (database clock). No thread and no worker slot waits
 * for it; a poller on any instance claims the rows that are due, with the same lease and fencing epoch as any
 * attempt, polls once and writes what it found. Every write here is fenced by the lease of that claim.
 */
final class WaitQueue {
    private static final String DUE = "status = 'IN_PROGRESS' AND next_poll_at IS NOT NULL AND next_poll_at <= " + DB_NOW
            + " AND (lease_owner IS NULL OR lease_expires_at IS NULL OR lease_expires_at < " + DB_NOW + ")";

    private final Jdbi jdbi;

    WaitQueue(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    /** A poll this process claimed: the job and the epoch (fencing token) of the claim. */
    record Claim(String id, long epoch) {
    }

    /**
     * Claims up to {@code limit} jobs whose poll is due, oldest due first, for {@code leaseMillis} of the database
     * clock: rows another instance is claiming are skipped ({@code FOR UPDATE SKIP LOCKED}), each claim increments
     * the lease epoch. A poll claim counts no attempt (a poll is an idempotent read).
     */
    List<Claim> claimDue(String owner, long leaseMillis, int limit) {
        if (limit <= 0) return List.of();
        return jdbi.inTransaction(h -> {
            List<Claim> due = h.createQuery("SELECT id, lease_epoch FROM jobs WHERE " + DUE
                            + " ORDER BY next_poll_at LIMIT :limit FOR UPDATE SKIP LOCKED")
                    .bind("limit", limit).map((rs, ctx) -> new Claim(rs.getString(1), rs.getLong(2) + 1)).list();
            if (due.isEmpty()) return due;
            PreparedBatch batch = h.prepareBatch("UPDATE jobs SET lease_owner = :owner, lease_epoch = :epoch, "
                    + "lease_expires_at = " + DB_NOW + " + :lease WHERE id = :id");
            for (Claim c : due) batch.bind("owner", owner).bind("epoch", c.epoch()).bind("lease", leaseMillis).bind("id", c.id()).add();
            batch.execute();
            return due;
        });
    }

    /**
     * Leaves the job waiting until {@code waitMillis} from now (database clock), with its poll state; the lease is
     * given up. From a worker slot ({@code endsAttempt}) the attempt ended well and is given back, as a graceful
     * release does: attempts count only crashed ones. Its download attempt is not: a job the upstream had accepted
     * was in the slot to be collected (the poller found it done) and the upstream now says it runs, so an upstream
     * that flips between the two uses {@link WorkerSettings#maxDownloadAttempts} up (the job then ends
     * {@code download_abandoned}, its video kept upstream) instead of taking a slot per flip until its deadline. A
     * claim made before the upstream accepted the job counted none. A job whose client cancelled meanwhile is due
     * at once.
     */
    boolean park(String id, Lease lease, long waitMillis, long intervalMillis, int polls, boolean endsAttempt) {
        String attempts = endsAttempt ? ", " + JobLeases.GIVE_BACK_ATTEMPT : "";
        return jdbi.withHandle(h -> h.createUpdate("UPDATE jobs SET lease_owner = NULL, lease_expires_at = NULL, "
                        + "next_poll_at = CASE WHEN cancel_requested THEN " + DB_NOW + " ELSE " + DB_NOW + " + :wait END, "
                        + "poll_interval_ms = :interval, polls = :polls, updated_at = :now" + attempts
                        + " WHERE id = :id AND " + HELD + " AND status = 'IN_PROGRESS'")
                .bind("wait", Math.max(0, waitMillis)).bind("interval", intervalMillis).bind("polls", polls)
                .bind("now", System.currentTimeMillis()).bind("id", id).bind("owner", lease.owner())
                .bind("epoch", lease.epoch()).execute()) == 1;
    }

    /** The upstream finished the job: it leaves the wait, and the dispatcher takes it for its download (a slot). */
    boolean ready(String id, Lease lease, int polls) {
        return jdbi.withHandle(h -> h.createUpdate("UPDATE jobs SET lease_owner = NULL, lease_expires_at = NULL, "
                        + "next_poll_at = NULL, polls = :polls, updated_at = :now WHERE id = :id AND " + HELD
                        + " AND status = 'IN_PROGRESS'")
                .bind("polls", polls).bind("now", System.currentTimeMillis()).bind("id", id)
                .bind("owner", lease.owner()).bind("epoch", lease.epoch()).execute()) == 1;
    }

    /** Gives a claimed poll back unmade (shutdown): the job stays due, for this or another instance. */
    void release(String id, Lease lease) {
        jdbi.useHandle(h -> h.createUpdate("UPDATE jobs SET lease_owner = NULL, lease_expires_at = NULL WHERE id = :id "
                        + "AND " + HELD + " AND status = 'IN_PROGRESS'")
                .bind("id", id).bind("owner", lease.owner()).bind("epoch", lease.epoch()).execute());
    }

    /** How many jobs wait on their upstream now (every instance's). */
    int waiting() {
        return jdbi.withHandle(h -> h.createQuery("SELECT COUNT(*) FROM jobs WHERE status = 'IN_PROGRESS' "
                + "AND next_poll_at IS NOT NULL").mapTo(Integer.class).one());
    }
}
