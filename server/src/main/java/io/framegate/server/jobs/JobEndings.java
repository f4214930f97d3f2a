package io.framegate.server.jobs;

import io.framegate.domain.JobStatus;
import io.framegate.domain.Money;
import io.framegate.server.webhooks.Outbox;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.TreeMap;

import static io.framegate.server.jobs.JobStore.DB_NOW;
import static io.framegate.server.jobs.JobStore.HELD;

/**
 * How a job ends: its final state (completed, failed, cancelled) and, in the same transaction, the settlement of its
 * reservation ({@link Ledger#settle}: captured on completion, released otherwise) and its webhook deliveries; and the
 * request to cancel, which ends a queued job at once and only flags a running one for its worker. Each write is
 * conditional, so a job ends once: a finish is fenced on the lease, an unclaimed job is failed only when no live
 * worker holds it, and a final state is never overwritten.
 */
final class JobEndings {
    private static final Logger LOG = LoggerFactory.getLogger(JobEndings.class);

    private final Jdbi jdbi;
    private final JobStore store;
    /** Where final states also write their webhook deliveries; none by default. */
    private volatile Outbox outbox = Outbox.NONE;

    JobEndings(Jdbi jdbi, JobStore store) {
        this.jdbi = jdbi;
        this.store = store;
    }

    void outbox(Outbox o) {
        this.outbox = o;
    }

    /**
     * Final state for a job this owner holds, settled in the same transaction: a completed job captures its
     * {@code cost_usd} note (capped at its reservation; the note then shows what was captured), any other end
     * releases its reservation. False when the job is gone or the lease was lost.
     */
    boolean finish(String id, Lease lease, JobStatus status, String errorCode, String errorMessage,
                   Map<String, String> notes, long now) {
        Money cost = status == JobStatus.COMPLETED ? costOf(id, notes) : null;
        Map<String, String> finalNotes = new TreeMap<>(notes);
        if (cost != null) finalNotes.put(JobNotes.COST_USD, cost.usdShort());
        return jdbi.inTransaction(h -> {
            if (cost != null) {
                // cap the note at the reservation, so the client sees what was captured
                h.createQuery("SELECT COALESCE(price_micros, -1) FROM jobs WHERE id = :id").bind("id", id).mapTo(Long.class)
                        .findOne().filter(p -> p >= 0 && p < cost.micros())
                        .ifPresent(p -> {
                            finalNotes.put(JobNotes.COST_USD, new Money(p).usdShort());
                            if (cost.micros() == Long.MAX_VALUE) return;
                            // the true cost stays on record for the operator; the key is charged the reservation
                            finalNotes.put(JobNotes.UPSTREAM_COST_USD, cost.usdShort());
                            LOG.warn("job {}: upstream cost ${} exceeds its reservation ${}; captured ${}", id, cost.usd(),
                                    Money.usd(p), Money.usd(p));
                        });
            }
            boolean done = h.createUpdate("UPDATE jobs SET status = :status, progress = CASE WHEN :status = 'COMPLETED' "
                        + "THEN 100 ELSE progress END, error_code = :code, error_message = :message, notes_json = :notes, "
                        + "completed_at = :now, updated_at = :now, lease_owner = NULL, lease_expires_at = NULL "
                        + "WHERE id = :id AND " + HELD + " AND status = 'IN_PROGRESS'")
                .bind("status", status.name()).bind("code", errorCode).bind("message", errorMessage)
                .bind("notes", store.write(finalNotes)).bind("now", now).bind("id", id).bind("owner", lease.owner())
                .bind("epoch", lease.epoch()).execute() == 1;
            if (done) Ledger.settle(h, id, cost, now); // same transaction: a fenced-out finish settles nothing
            if (done) outbox.jobEnded(h, id, status, now); // webhook deliveries, durable with the final state
            return done;
        });
    }

    /** What a completed job cost: its {@code cost_usd} note (exact), or its whole reservation when the note is unreadable. */
    private Money costOf(String id, Map<String, String> notes) {
        String note = notes.get(JobNotes.COST_USD);
        if (note != null) {
            try {
                return Money.parseUsd(note);
            } catch (IllegalArgumentException e) {
                LOG.warn("job {}: cost note '{}' is not a USD amount; capturing the whole reservation", id, note);
            }
        }
        return new Money(Long.MAX_VALUE);
    }

    /**
     * Fails a job that no live worker holds (e.g. its model is gone from the catalog): queued, or running without a
     * lease or under an expired one (its process died). False when a worker holds it, it already ended, or it waits on
     * its upstream between polls (the poller's: a stale read of another instance must not end a job sent meanwhile).
     */
    boolean failUnclaimed(String id, String code, String message, long now) {
        return jdbi.inTransaction(h -> {
            boolean done = h.createUpdate("UPDATE jobs SET status = 'FAILED', error_code = :code, "
                        + "error_message = :message, completed_at = :now, updated_at = :now, lease_owner = NULL, "
                        + "lease_expires_at = NULL WHERE id = :id AND (status = 'QUEUED' OR (status = 'IN_PROGRESS' AND "
                        + "next_poll_at IS NULL AND (lease_owner IS NULL OR lease_expires_at IS NULL OR lease_expires_at < "
                        + DB_NOW + ")))")
                .bind("code", code).bind("message", message).bind("now", now).bind("id", id).execute() == 1;
            if (done) Ledger.settle(h, id, null, now);
            if (done) outbox.jobEnded(h, id, JobStatus.FAILED, now);
            return done;
        });
    }

    /** Cancels a queued job at once; for a running one asks its worker to stop. False when already final. */
    boolean requestCancel(String id, long now) {
        return jdbi.inTransaction(h -> {
            int queued = h.createUpdate("UPDATE jobs SET status = 'CANCELLED', completed_at = :now, updated_at = :now "
                    + "WHERE id = :id AND status = 'QUEUED'").bind("id", id).bind("now", now).execute();
            if (queued == 1) {
                Ledger.settle(h, id, null, now);
                outbox.jobEnded(h, id, JobStatus.CANCELLED, now);
                return true;
            }
            // a job waiting on its upstream is due at once: the poller asks the upstream to cancel it and ends it
            return h.createUpdate("UPDATE jobs SET cancel_requested = TRUE, updated_at = :now, next_poll_at = CASE WHEN "
                    + "next_poll_at IS NULL THEN NULL ELSE " + DB_NOW + " END WHERE id = :id "
                    + "AND status = 'IN_PROGRESS'").bind("id", id).bind("now", now).execute() == 1;
        });
    }
}
