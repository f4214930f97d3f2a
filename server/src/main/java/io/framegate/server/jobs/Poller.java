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
 * due at once: its upstream job is asked to stop and it ends cancelled. Between polls no thread waits for any job.
 */
final class Poller implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Poller.class);
    /** A poll that failed inside the server (not upstream) is tried again after this. */
    private static final Duration AFTER_INTERNAL_ERROR = Duration.ofSeconds(10);

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
        Checkpoint cp = row.checkpoint() == null ? null : Checkpoint.parse(row.checkpoint());
        FailoverBackend route = routes.route(job.model(), job.notes().get(JobNotes.BACKEND));
        try {
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
            LOG.warn("job {}: polling failed inside the server; trying again in {}", id, AFTER_INTERNAL_ERROR, e);
            try {
                ctx.flushNotes(); // what the poll noted (retries) stays on record
            } catch (RuntimeException notWritten) {
                LOG.debug("job {}: its notes were not written", id, notWritten);
            }
            if (shuttingDown.get()) waits.release(id, lease);
            else waits.park(id, lease, AFTER_INTERNAL_ERROR.toMillis(), row.pollIntervalMillis() == null
                    ? AFTER_INTERNAL_ERROR.toMillis() : row.pollIntervalMillis(), row.polls(), false);
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
