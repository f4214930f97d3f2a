package io.framegate.server.jobs;

import io.framegate.domain.BackendRouter;
import io.framegate.domain.GenerationBackend;
import io.framegate.domain.RequestValidator;
import io.framegate.server.storage.ResultStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The job core of one process, put together: the {@link Dispatcher} claims queued jobs into two lanes of worker slots
 * (local renders, and cloud submits/downloads), {@link JobExecution} runs one claimed job, {@link Completion} ends it
 * with its settlement, the {@link Poller} makes the polls of cloud jobs that wait on their upstream (in the database,
 * holding no thread and no slot), and the {@link LeaseHeartbeat} keeps the leases of what this process holds. Each
 * claim counts an attempt, and a job past {@link WorkerSettings#maxAttempts()} fails instead of running again (a job
 * that kills its process cannot loop); once its upstream accepted it, {@link WorkerSettings#maxDownloadAttempts()}
 * bounds collecting it instead ({@link AttemptBudget}). On shutdown running jobs are released, not failed, so the
 * next process resumes them.
 */
public final class WorkerPool implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(WorkerPool.class);

    private final JobStore store;
    private final JobService jobs;
    private final WorkerSettings settings;
    private final String leaseOwner;
    private final Lane local;
    private final Lane cloud;
    private final Map<String, Dispatcher.Running> running = new ConcurrentHashMap<>();
    private final AtomicBoolean shuttingDown = new AtomicBoolean();
    private final LeaseHeartbeat heartbeat;
    private final Completion completion;
    private final JobExecution execution;
    private final Dispatcher dispatching;
    private final Poller poller;
    private final JobSignals signals;
    private Thread dispatcher;

    public WorkerPool(JobStore store, JobService jobs, ResultStore results, RequestValidator validator,
                      BackendRouter router, OutputFinisher finisher, Path workRoot, WorkerSettings settings, Clock clock) {
        this.store = store;
        this.jobs = jobs;
        this.settings = settings;
        this.signals = jobs.signals();
        this.leaseOwner = ManagementFactory.getRuntimeMXBean().getName() + "/" + UUID.randomUUID().toString().substring(0, 8);
        this.local = new Lane("local", settings.localSlots());
        this.cloud = new Lane("cloud", settings.cloudSlots());
        WaitQueue waits = new WaitQueue(store.jdbi());
        Routes routes = new Routes(router, validator);
        this.heartbeat = new LeaseHeartbeat(store, leaseOwner, settings);
        this.completion = new Completion(store, settings, clock, workRoot, shuttingDown);
        this.poller = new Poller(store, waits, routes, completion, heartbeat, settings, clock, leaseOwner, shuttingDown,
                signals, workRoot);
        this.execution = new JobExecution(store, waits, jobs, results, validator, finisher, workRoot, settings, clock,
                shuttingDown, completion, signals.due::ring);
        this.dispatching = new Dispatcher(store, routes, heartbeat, settings, clock, leaseOwner, local, cloud, running,
                shuttingDown, this::launch);
    }

    /**
     * Starts dispatching and polling. With {@code exclusiveDatabase} (an embedded file only this process can open)
     * leases left by a dead process are released at once; on a shared database they are taken over when they expire.
     */
    public synchronized void start(boolean exclusiveDatabase) {
        if (dispatcher != null) throw new IllegalStateException("already started");
        if (exclusiveDatabase) {
            int released = store.leases().releaseAllLeases();
            if (released > 0) LOG.info("resuming {} job(s) that were running when the previous process stopped", released);
        }
        dispatcher = new Thread(this::dispatchLoop, "framegate-dispatcher");
        dispatcher.setDaemon(true);
        dispatcher.start();
        heartbeat.start();
        poller.start();
    }

    /** Where job outcomes are counted (the server's metrics registry); in memory by default. */
    public void outcomes(JobOutcomes o) {
        completion.countIn(o);
        for (String lane : List.of("local", "cloud")) {
            io.micrometer.core.instrument.Gauge.builder("framegate.jobs.running", this, p -> p.runningCount(lane))
                    .tag("lane", lane).description("jobs this process runs now").register(o.registry());
        }
    }

    public String leaseOwner() {
        return leaseOwner;
    }

    /** Makes the dispatcher look for work now. */
    public void wake() {
        signals.queued.ring();
    }

    /** The shortest time between two dispatch rounds (a job waits at most this much longer to start). */
    private static final long MIN_ROUND_GAP_NANOS = java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(10);

    private void dispatchLoop() {
        JobSignals.Rung lanes = new JobSignals.Rung(true, true);
        long everyLane = settings.pollInterval().toNanos();
        long lastFull = System.nanoTime();
        while (!shuttingDown.get()) {
            long round = System.nanoTime();
            try {
                // each lane rung, and every lane once per poll interval (other instances' jobs ring no bell here)
                if (round - lastFull >= everyLane || (!lanes.local() && !lanes.cloud())) {
                    lanes = new JobSignals.Rung(true, true);
                }
                if (lanes.local() && lanes.cloud()) lastFull = round;
                dispatching.dispatch(lanes.local(), lanes.cloud());
            } catch (RuntimeException | Error e) {
                // an Error (e.g. out of memory) must not end the only dispatcher thread: retry at the next round
                LOG.warn("dispatching jobs failed; retrying", e);
            } finally {
                // a burst of creates rings once per create: at most one round per MIN_ROUND_GAP reads the queue for
                // all of them (each round reads as much of the lane's queue as is waiting); a failing round (database
                // down) waits too, so a lane that keeps ringing cannot spin the loop
                long rest = MIN_ROUND_GAP_NANOS - (System.nanoTime() - round);
                if (rest > 0) java.util.concurrent.locks.LockSupport.parkNanos(rest);
            }
            if (shuttingDown.get()) return;
            try {
                lanes = signals.queued.await(settings.pollInterval().toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Runs a job the dispatcher claimed on its lane's threads; its slot is freed when the attempt ends. */
    private void launch(String id, GenerationBackend backend, Lane lane) {
        lane.executor.execute(() -> {
            try {
                execution.attempt(id, backend, running.get(id).lease());
            } catch (RuntimeException | Error e) {
                LOG.error("job {} crashed its worker", id, e);
            } finally {
                running.remove(id);
                heartbeat.untrack(id);
                lane.slots.release();
                signals.queued.ring(lane.name); // a slot of this lane is free
            }
        });
    }

    /** One heartbeat now (tests): see {@link LeaseHeartbeat}. */
    void renewLeases() {
        heartbeat.renew();
    }

    /** How many jobs this pool is running now (in a worker slot; waiting cloud jobs hold none). */
    public int runningCount() {
        return running.size();
    }

    /** How many jobs this pool runs now in the lane {@code local} or {@code cloud}. */
    public int runningCount(String lane) {
        return (int) running.values().stream().filter(r -> r.lane().name.equals(lane)).count();
    }

    /**
     * Stops taking jobs, tells running ones to stop (their backends see {@code isShuttingDown()}), waits up to the
     * shutdown grace (leases still renewed meanwhile), and only then releases the leases of jobs still running, so
     * another process resumes them, and interrupts their threads. With a grace at least the upstream request timeout
     * an upstream call in flight ends, and its checkpoint is written, before anything is interrupted. Jobs waiting on
     * their upstream need nothing: they stay in the database for the next poller.
     */
    @Override
    public void close() {
        if (!shuttingDown.compareAndSet(false, true)) return;
        wake();
        if (dispatcher != null) {
            try {
                dispatcher.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        local.executor.shutdown();
        cloud.executor.shutdown();
        long deadline = System.nanoTime() + settings.shutdownGrace().toNanos();
        try {
            local.executor.awaitTermination(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            cloud.executor.awaitTermination(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        poller.close(deadline);
        heartbeat.close();
        running.forEach((id, r) -> {
            LOG.info("job {} still running at shutdown; releasing it for the next start", id);
            store.leases().releaseLease(id, r.lease().lease());
        });
        local.executor.shutdownNow();
        cloud.executor.shutdownNow();
    }
}
