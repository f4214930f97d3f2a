package io.framegate.server.jobs;

import io.framegate.domain.JobStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * How an attempt ends: completed, failed or cancelled (each written with its settlement in one transaction, fenced by
 * the attempt's lease, see {@link JobStore#finish}), given up after repeated crashes ({@link GivingUp}), or put back
 * in the queue after a crash. Counted in {@link JobOutcomes}.
 */
final class Completion {
    private static final Logger LOG = LoggerFactory.getLogger(Completion.class);
    /** What a client reads when the server gave up on a job: no class names, no paths. */
    static final String GAVE_UP = "the server failed while running this job and gave up after repeated attempts";
    static final String FAILED_INSIDE = "the server failed while running this job";
    static final String DOWNLOAD_ABANDONED = "the upstream accepted this job, but the server failed while collecting "
            + "its video and gave up after repeated attempts; no cost was recorded";

    private final JobStore store;
    private final WorkerSettings settings;
    private final Clock clock;
    private final Path workRoot;
    private final AtomicBoolean shuttingDown;
    private volatile JobOutcomes outcomes = JobOutcomes.inMemory();

    Completion(JobStore store, WorkerSettings settings, Clock clock, Path workRoot, AtomicBoolean shuttingDown) {
        this.store = store;
        this.settings = settings;
        this.clock = clock;
        this.workRoot = workRoot;
        this.shuttingDown = shuttingDown;
    }

    void countIn(JobOutcomes o) {
        this.outcomes = Objects.requireNonNull(o);
    }

    /** A job that ended with its files stored: completed, its cost captured. False when the lease was lost or it is gone. */
    boolean completed(String id, Lease lease, Map<String, String> notes) {
        if (!store.endings().finish(id, lease, JobStatus.COMPLETED, null, null, notes, clock.millis())) return false;
        outcomes.completed();
        return true;
    }

    void finish(JobRunContext ctx, Job job, JobStatus status, String code, String message) {
        if (ctx.leaseLost()) return;
        if (status == JobStatus.FAILED) {
            fail(ctx.lease(), job, ctx.notes(), code, message);
            return;
        }
        store.endings().finish(job.id(), ctx.lease(), status, code, message, ctx.notes(), clock.millis());
    }

    void fail(Lease lease, Job job, Map<String, String> notes, String code, String message) {
        LOG.info("job {} failed: {} {}", job.id(), code, message);
        if (store.endings().finish(job.id(), lease, JobStatus.FAILED, code, message, notes, clock.millis())) {
            outcomes.failed(job, code);
        }
    }

    /** Fails a job the server gives up on, as its checkpoint says ({@link GivingUp}): read fresh, the crash may have saved one. */
    void giveUp(String id, HeldLease lease) {
        JobStore.Row row = store.find(id).orElse(null);
        if (row == null) return;
        JobRunContext ctx = new JobRunContext(id, lease, store, workRoot.resolve(id), clock, shuttingDown,
                row.job().notes(), row.checkpoint(), row.job().progress());
        GivingUp.Ending end = GivingUp.end(row.checkpoint(), ctx);
        fail(lease.lease(), row.job(), ctx.notes(), end.code(), end.message());
    }

    /**
     * An attempt that threw an {@link Error}: back in the queue after a backoff, or given up at the last attempt of
     * its phase ({@link AttemptBudget}). The phase is read fresh: an attempt whose submit the upstream accepted
     * before the crash leaves a paid video, which gets its download attempts.
     */
    void crashed(JobStore.Row row, HeldLease held) {
        putBack(row, held);
    }

    /**
     * Back in the queue after a backoff, or given up at the last attempt of its phase ({@link AttemptBudget}): for an
     * attempt that crashed ({@link #crashed}) or could not reach the result storage.
     */
    void putBack(JobStore.Row row, HeldLease held) {
        Lease lease = held.lease();
        String id = row.job().id();
        try {
            AttemptBudget budget = AttemptBudget.of(store.find(id).orElse(row), settings);
            FileTrees.delete(workRoot.resolve(id));
            if (shuttingDown.get()) {
                store.leases().releaseLease(id, lease);
            } else if (budget.isLast()) {
                giveUp(id, held);
            } else {
                long backoff = settings.backoffBefore(budget.used() + 1).toMillis();
                if (store.leases().retryLater(id, lease, backoff, clock.millis())) outcomes.retried();
            }
        } catch (RuntimeException | Error again) {
            // e.g. still out of memory: the lease is no longer renewed, so the job is claimed again once it expires,
            // and that claim counts an attempt like any other
            LOG.error("job {}: recording the crash failed too", id, again);
        }
    }
}
