package io.framegate.server.jobs;

import io.framegate.domain.GenerationException;
import io.framegate.domain.JobStatus;
import io.framegate.provider.Checkpoint;
import io.framegate.provider.FailoverBackend;
import io.framegate.provider.PollStep;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The waiter: claims the waiting cloud jobs whose poll is due (any instance's, {@link WaitQueue}), makes ONE poll of
 * each on a small pool of threads, and writes the outcome: the next poll time (the route's backoff and the
 * upstream's hint, cut to the deadline), the job's end (failed, filtered, expired, timed out; settled in the same
 * transaction), or ready for download (the dispatcher then gives it a slot). A waiting job the client cancelled is
 * due at once: its upstream job is asked to stop and it ends cancelled. A poll that fails inside the server is tried
 * again, but not past the job's deadline nor too many times in a row ({@link #failedInside}). Between polls no
 * thread waits for any job.
 */
final class Poller implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Poller.class);
    /** The note counting polls in a row that failed inside the server ({@link #failedInside}); clients do not see it. */
    static final String INTERNAL_ERRORS = "poll_internal_errors";

    private final JobStore store;
    private final WaitQueue waits;
    private final Routes routes;
    private final Completion completion;
    private final LeaseHeartbeat heartbeat;
    private final WorkerSettings settings;
    private final Clock clock;
    private final String owner;
    private final AtomicBoolean shuttingDown;
    private final JobSignals signals;
    private final Path workRoot;
    private final int threads;
    private final Semaphore free;
    private final ExecutorService pool;
    private Thread loop;

    Poller(JobStore store, WaitQueue waits, Routes routes, Completion completion, LeaseHeartbeat heartbeat,
           WorkerSettings settings, Clock clock, String owner, AtomicBoolean shuttingDown, JobSignals signals,
           Path workRoot) {
        this.store = store;
        this.waits = waits;
        this.routes = routes;
        this.completion = completion;
        this.heartbeat = heartbeat;
        this.settings = settings;
        this.clock = clock;
        this.owner = owner;
        this.shuttingDown = shuttingDown;
        this.signals = signals;
        this.workRoot = workRoot;
        this.threads = settings.pollThreads();
        this.free = new Semaphore(threads);
        AtomicInteger n = new AtomicInteger();
        this.pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "framegate-poll-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    synchronized void start() {
        loop = new Thread(this::loop, "framegate-poller");
        loop.setDaemon(true);
        loop.start();
    }

    private void loop() {
        while (!shuttingDown.get()) {
            boolean more = false;
            try {
                more = claimAndPoll();
            } catch (RuntimeException | Error e) {
                LOG.warn("claiming due polls failed; retrying", e);
            }
            if (more) continue;
            if (shuttingDown.get()) return;
            try {
                signals.due.await(settings.pollInterval().toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** One round: claims as many due polls as there are free poll threads; true when a full batch was claimed. */
    private boolean claimAndPoll() throws RuntimeException {
        int room = free.availablePermits();
        if (room == 0) {
            try {
                free.acquire(); // wait for one poll to end
                free.release();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return !shuttingDown.get();
        }
        long asked = System.nanoTime();
        List<WaitQueue.Claim> due = waits.claimDue(owner, settings.lease().toMillis(), room);
        for (WaitQueue.Claim c : due) {
            HeldLease held = new HeldLease(new Lease(owner, c.epoch()), asked);
            heartbeat.track(c.id(), held);
            free.acquireUninterruptibly();
            try {
                pool.execute(() -> {
                    try {
                        pollOne(c.id(), held);
                    } catch (RuntimeException | Error e) {
                        LOG.error("job {}: its poll failed inside the server", c.id(), e);
                    } finally {
                        heartbeat.untrack(c.id());
                        free.release();
                    }
                });
            } catch (RuntimeException rejected) { // shutting down
                heartbeat.untrack(c.id());
                free.release();
                waits.release(c.id(), held.lease());
            }
        }
        return due.size() == room;
    }

    private void pollOne(String id, HeldLease held) {
        Lease lease = held.lease();
        JobStore.Row row = store.find(id).orElse(null);
        if (row == null) return;
        Job job = row.job();
        JobRunContext ctx = new JobRunContext(id, held, store, workRoot.resolve(id), clock, shuttingDown, job.notes(),
                row.checkpoint(), job.progress());
        Checkpoint cp = null;
        FailoverBackend route = null;
        try {
            cp = row.checkpoint() == null ? null : Checkpoint.parse(row.checkpoint());
            route = routes.route(job.model(), job.notes().get(JobNotes.BACKEND));
            if (cp == null || cp.phase() != Checkpoint.Phase.SUBMITTED || route == null) {
                // nothing to poll here (or the route is gone): the dispatcher's attempt decides, as for any resumed job
                waits.ready(id, lease, row.polls());
                signals.queued.ring();
                return;
            }
            if (row.cancelRequested()) {
                route.cancelUpstream(cp, ctx, "cancelled by the client");
                completion.finish(ctx, job, JobStatus.CANCELLED, null, null);
                return;
            }
            Duration interval = row.pollIntervalMillis() == null ? null : Duration.ofMillis(row.pollIntervalMillis());
            PollStep step = route.poll(cp, ctx, interval, row.polls());
            ctx.note(INTERNAL_ERRORS, null); // a poll that went through: failures inside the server are counted anew
            ctx.flushProgress();
            if (held.isLost()) return;
            if (step instanceof PollStep.Wait w) {
                waits.park(id, lease, w.after().toMillis(), w.interval().toMillis(), w.polls(), false);
            } else if (step instanceof PollStep.Ready r) {
                if (waits.ready(id, lease, r.polls())) signals.queued.ring("cloud"); // its download takes a cloud slot
            }
        } catch (GenerationException e) {
            if (held.isLost()) return;
            if (ctx.cancelledByClient()) {
                if (!ctx.isDeleted()) completion.finish(ctx, job, JobStatus.CANCELLED, null, null);
                return;
            }
            completion.fail(lease, job, ctx.notes(), e.code(), e.getMessage());
        } catch (RuntimeException e) {
            if (held.isLost()) return;
            failedInside(id, held, row, ctx, cp, route, e);
        }
    }

    /**
     * A poll that failed inside the server (an unexpected exception: a bug, a write the database refused), not an
     * answer of the upstream. It is tried again after {@link WorkerSettings#retryBackoff} (10 s), cut to the job's
     * deadline, but not for ever: once the deadline has passed, or after {@link WorkerSettings#maxInternalPollFailures}
     * such failures in a row (counted in the note {@link #INTERNAL_ERRORS}, which clients do not see), the job ends
     * {@code internal_error} and is settled; its upstream job is left there (noted {@code upstream_kept}: no poll read
     * its state, and a cancel deletes a finished video on most upstreams) unless the client asked to cancel.
     */
    private void failedInside(String id, HeldLease held, JobStore.Row row, JobRunContext ctx, Checkpoint cp,
                              FailoverBackend route, RuntimeException e) {
        Lease lease = held.lease();
        if (shuttingDown.get()) {
            LOG.warn("job {}: polling failed inside the server while stopping; left for the next poller", id, e);
            waits.release(id, lease);
            return;
        }
        int failures = count(ctx.notes().get(INTERNAL_ERRORS)) + 1;
        ctx.note(INTERNAL_ERRORS, String.valueOf(failures));
        Instant deadline = deadlineOf(route, cp);
        Instant now = clock.instant();
        boolean pastDeadline = deadline != null && !now.isBefore(deadline);
        if (pastDeadline || failures >= settings.maxInternalPollFailures()) {
            LOG.warn("job {}: polling failed inside the server {} time(s) in a row{}; the job fails internal_error", id,
                    failures, pastDeadline ? ", and its deadline " + deadline + " has passed" : "", e);
            if (route != null && cp != null && row.cancelRequested()) {
                try {
                    route.cancelUpstream(cp, ctx, "cancelled by the client");
                } catch (RuntimeException notCancelled) {
                    LOG.warn("job {}: cancelling its upstream job failed", id, notCancelled);
                }
            } else if (cp != null && cp.handle() != null) {
                // not cancelled: no poll read its state, it may be finished, and most upstreams' cancel deletes a
                // finished video; kept there, the operator can still fetch what was paid for
                ctx.note("upstream_kept", "upstream job " + cp.handle() + " on channel " + cp.channel() + " was left "
                        + "there, not cancelled, as it may be finished; an operator can fetch its video there");
            }
            if (row.cancelRequested()) completion.finish(ctx, row.job(), JobStatus.CANCELLED, null, null);
            else completion.fail(lease, row.job(), ctx.notes(), "internal_error", Completion.FAILED_INSIDE);
            return;
        }
        long wait = settings.retryBackoff().toMillis();
        if (deadline != null) wait = Math.max(0, Math.min(wait, Duration.between(now, deadline).toMillis()));
        LOG.warn("job {}: polling failed inside the server ({} of {} in a row); trying again in {} ms", id, failures,
                settings.maxInternalPollFailures(), wait, e);
        try {
            ctx.flushNotes(); // the count, and what the poll noted (retries), stay on record
        } catch (RuntimeException notWritten) {
            LOG.debug("job {}: its notes were not written", id, notWritten);
        }
        waits.park(id, lease, wait, row.pollIntervalMillis() == null ? wait : row.pollIntervalMillis(), row.polls(),
                false);
    }

    /** The job's deadline (submit plus its channel's {@code timing.deadline}), or null when it cannot be told. */
    private static Instant deadlineOf(FailoverBackend route, Checkpoint cp) {
        if (route == null || cp == null || cp.phase() != Checkpoint.Phase.SUBMITTED || cp.submittedAt() == null) {
            return null;
        }
        try {
            return route.deadlineOf(cp);
        } catch (GenerationException | RuntimeException e) {
            return null;
        }
    }

    private static int count(String note) {
        try {
            return note == null ? 0 : Math.max(0, Integer.parseInt(note.strip()));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** How many polls this process is making now. */
    int inFlight() {
        return threads - free.availablePermits();
    }

    @Override
    public void close() {
        close(System.nanoTime() + settings.shutdownGrace().toNanos());
    }

    /**
     * Stops claiming; polls in flight may end until {@code deadlineNanos} (each is one bounded call). A poll still in
     * flight then keeps its claim until its lease runs out (or the next start of an embedded database frees it).
     */
    void close(long deadlineNanos) {
        signals.due.ring();
        if (loop != null) {
            try {
                loop.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        pool.shutdown();
        try {
            pool.awaitTermination(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        pool.shutdownNow();
    }
}
