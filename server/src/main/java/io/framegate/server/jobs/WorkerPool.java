package io.framegate.server.jobs;

import io.framegate.domain.BackendRouter;
import io.framegate.domain.GenerationBackend;
import io.framegate.domain.GenerationException;
import io.framegate.domain.GenerationRequest;
import io.framegate.domain.JobStatus;
import io.framegate.domain.Money;
import io.framegate.domain.OutputFiles;
import io.framegate.domain.RenderPlan;
import io.framegate.domain.RequestValidator;
import io.framegate.domain.ValidationException;
import io.framegate.server.storage.ResultStore;
import io.framegate.server.storage.StoredObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Claims queued jobs from the {@link JobStore} and runs them through the backend the router picks. Two lanes: local
 * renders (CPU-bound, few at a time) and cloud backends (many at a time); the {@link Dispatcher} decides which jobs
 * start, so that a hung upstream or a busy key cannot block the others. Claims are leases renewed by a heartbeat;
 * each claim counts an attempt, and a job past {@link WorkerSettings#maxAttempts()} fails instead of running again
 * (a job that kills its process cannot loop). On shutdown running jobs are released, not failed, so the next process
 * resumes them.
 */
public final class WorkerPool implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(WorkerPool.class);

    private final JobStore store;
    private final JobService jobs;
    private final ResultStore results;
    private final RequestValidator validator;
    private final BackendRouter router;
    private final OutputFinisher finisher;
    private final Path workRoot;
    private final WorkerSettings settings;
    private final Clock clock;
    private final String leaseOwner;
    private final Lane local;
    private final Lane cloud;
    private final Map<String, Dispatcher.Running> running = new ConcurrentHashMap<>();
    private final Dispatcher dispatching;
    private volatile JobOutcomes outcomes = JobOutcomes.inMemory();
    private final AtomicBoolean shuttingDown = new AtomicBoolean();
    private final Object wakeLock = new Object();
    private boolean wakeRequested;
    private Thread dispatcher;
    private ScheduledExecutorService heartbeat;

    public WorkerPool(JobStore store, JobService jobs, ResultStore results, RequestValidator validator,
                      BackendRouter router, OutputFinisher finisher, Path workRoot, WorkerSettings settings, Clock clock) {
        this.store = store;
        this.jobs = jobs;
        this.results = results;
        this.validator = validator;
        this.router = router;
        this.finisher = finisher;
        this.workRoot = workRoot;
        this.settings = settings;
        this.clock = clock;
        this.leaseOwner = ManagementFactory.getRuntimeMXBean().getName() + "/" + UUID.randomUUID().toString().substring(0, 8);
        this.local = new Lane("local", settings.localSlots());
        this.cloud = new Lane("cloud", settings.cloudSlots());
        this.dispatching = new Dispatcher(store, validator, router, settings, clock, leaseOwner, local, cloud, running,
                shuttingDown, this::launch);
    }

    /**
     * Starts dispatching. With {@code exclusiveDatabase} (an embedded file only this process can open) leases left by
     * a dead process are released at once; on a shared database they are taken over when they expire.
     */
    public synchronized void start(boolean exclusiveDatabase) {
        if (dispatcher != null) throw new IllegalStateException("already started");
        if (exclusiveDatabase) {
            int released = store.releaseAllLeases();
            if (released > 0) LOG.info("resuming {} job(s) that were running when the previous process stopped", released);
        }
        jobs.onSubmit(this::wake);
        dispatcher = new Thread(this::dispatchLoop, "framegate-dispatcher");
        dispatcher.setDaemon(true);
        dispatcher.start();
        heartbeat = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "framegate-lease-heartbeat");
            t.setDaemon(true);
            return t;
        });
        long every = Math.max(100, settings.lease().toMillis() / 3);
        heartbeat.scheduleAtFixedRate(this::renewLeases, every, every, TimeUnit.MILLISECONDS);
    }

    /** Where job outcomes are counted (the server's metrics registry); in memory by default. */
    public void outcomes(JobOutcomes o) {
        this.outcomes = java.util.Objects.requireNonNull(o);
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
        synchronized (wakeLock) {
            wakeRequested = true;
            wakeLock.notifyAll();
        }
    }

    private void dispatchLoop() {
        while (!shuttingDown.get()) {
            try {
                dispatch();
            } catch (RuntimeException | Error e) {
                // an Error (e.g. out of memory) must not end the only dispatcher thread: retry at the next round
                LOG.warn("dispatching jobs failed; retrying", e);
            }
            synchronized (wakeLock) {
                if (!wakeRequested && !shuttingDown.get()) {
                    try {
                        wakeLock.wait(settings.pollInterval().toMillis());
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
                wakeRequested = false;
            }
        }
    }

    private void dispatch() {
        dispatching.dispatch();
    }

    /** Runs a job the dispatcher claimed on its lane's threads; its slot is freed when the attempt ends. */
    private void launch(String id, GenerationBackend backend, Lane lane) {
        lane.executor.execute(() -> {
            try {
                attempt(id, backend);
            } catch (RuntimeException | Error e) {
                LOG.error("job {} crashed its worker", id, e);
            } finally {
                running.remove(id);
                lane.slots.release();
                wake();
            }
        });
    }

    /**
     * The heartbeat: renews the leases of running jobs (by the database clock). A job the database no longer shows
     * under this owner and epoch was taken over: its attempt is told to stop at once. When renewals fail (database
     * unreachable), an attempt whose lease has run out since its last confirmation stops too, since another instance
     * may hold it by now.
     */
    void renewLeases() {
        Map<String, Dispatcher.Running> held = Map.copyOf(running);
        // also while shutting down: jobs finishing within the grace still hold their claim
        if (held.isEmpty()) return;
        long asked = System.nanoTime();
        try {
            Map<String, Long> epochs = store.renewLeases(leaseOwner, new ArrayList<>(held.keySet()), settings.lease().toMillis());
            held.forEach((id, r) -> {
                Long epoch = epochs.get(id);
                if (epoch != null && epoch == r.lease().lease().epoch()) {
                    r.lease().confirmed(asked);
                } else if (!r.lease().isLost()) {
                    r.lease().lose();
                    // missing: the attempt just finished (or the job was deleted); else another instance took it
                    if (epoch != null) LOG.warn("job {}: lease taken over elsewhere; stopping this attempt", id);
                }
            });
        } catch (RuntimeException e) {
            LOG.warn("renewing job leases failed", e);
            long now = System.nanoTime();
            held.forEach((id, r) -> {
                boolean was = r.lease().isLost();
                r.lease().expireIfUnconfirmed(now, settings.lease().toNanos());
                if (!was && r.lease().isLost()) {
                    LOG.warn("job {}: lease not renewed for {} ms; stopping this attempt", id, settings.lease().toMillis());
                }
            });
        }
    }

    /**
     * One claimed job: fails it when its attempts are used up (earlier ones crashed or died with their process),
     * else runs it. An {@link Error} (out of memory, a native crash surfacing in Java) puts it back in the queue
     * after a backoff, or fails it with {@code internal_error} at the last attempt.
     */
    private void attempt(String id, GenerationBackend backend) {
        HeldLease lease = running.get(id).lease();
        Optional<JobStore.Row> found = store.find(id);
        if (found.isEmpty()) return;
        JobStore.Row row = found.get();
        if (row.attempts() > settings.maxAttempts()) {
            LOG.warn("job {} was started {} times without finishing (each attempt crashed or died with its process); "
                    + "failing it instead of starting it again", id, row.attempts() - 1);
            giveUp(id, backend, lease);
            return;
        }
        try {
            run(row, backend, lease);
        } catch (Error e) {
            LOG.error("job {} crashed its worker (attempt {} of {})", id, row.attempts(), settings.maxAttempts(), e);
            crashed(row, backend, lease);
        }
    }

    /** What a client reads when the server gave up on a job: no class names, no paths. */
    static final String GAVE_UP = "the server failed while running this job and gave up after repeated attempts";
    static final String FAILED_INSIDE = "the server failed while running this job";

    /** Fails a job the server gives up on, as its checkpoint says ({@link GivingUp}): read fresh, the crash may have saved one. */
    private void giveUp(String id, GenerationBackend backend, HeldLease lease) {
        JobStore.Row row = store.find(id).orElse(null);
        if (row == null) return;
        JobRunContext ctx = new JobRunContext(id, lease, store, workRoot.resolve(id), clock, shuttingDown,
                row.job().notes(), row.checkpoint(), row.job().progress());
        GivingUp.Ending end = GivingUp.end(row.checkpoint(), backend, ctx);
        fail(lease.lease(), row.job(), ctx.notes(), end.code(), end.message());
    }

    private void crashed(JobStore.Row row, GenerationBackend backend, HeldLease held) {
        Lease lease = held.lease();
        String id = row.job().id();
        try {
            deleteTree(workRoot.resolve(id));
            if (shuttingDown.get()) {
                store.releaseLease(id, lease);
            } else if (row.attempts() >= settings.maxAttempts()) {
                giveUp(id, backend, held);
            } else {
                long backoff = settings.backoffBefore(row.attempts() + 1).toMillis();
                if (store.retryLater(id, lease, backoff, clock.millis())) outcomes.retried();
            }
        } catch (RuntimeException | Error again) {
            // e.g. still out of memory: the lease is no longer renewed, so the job is claimed again once it expires,
            // and that claim counts an attempt like any other
            LOG.error("job {}: recording the crash failed too", id, again);
        }
    }

    /** One attempt at a claimed job. */
    private void run(JobStore.Row row, GenerationBackend backend, HeldLease held) {
        Job job = row.job();
        String id = job.id();
        Path workDir = workRoot.resolve(id);
        Lease lease = held.lease();
        JobRunContext ctx = new JobRunContext(id, held, store, workDir, clock, shuttingDown, job.notes(),
                row.checkpoint(), job.progress());
        long started = System.nanoTime();
        try {
            deleteTree(workDir);
            Files.createDirectories(workDir);
            if (row.cancelRequested()) {
                finish(ctx, job, JobStatus.CANCELLED, null, null);
                return;
            }
            GenerationRequest request = ExtensionFrame.fill(jobs.readRequest(id, row.requestJson()), results, id, workDir);
            RenderPlan plan = validator.validate(request);
            ctx.backend(backend.id(), backend.isLocal());
            LOG.info("job {} started on {} (model {}, attempt {} of {})", id, backend.id(), job.model(), row.attempts(),
                    settings.maxAttempts());
            Exception failure = null;
            try {
                backend.generate(plan, ctx);
            } catch (Exception e) {
                failure = e;
            }
            ctx.flushProgress();
            if (ctx.leaseLost()) {
                // another instance holds the job now (or may): write nothing, store nothing
                LOG.warn("job {}: attempt {} stopped without writing: its lease was lost", id, lease.epoch());
                return;
            }
            if (ctx.cancelledByClient()) {
                if (!ctx.isDeleted()) finish(ctx, job, JobStatus.CANCELLED, null, null);
                return;
            }
            List<OutputFiles> outputs = new ArrayList<>();
            for (int i = 0; i < plan.numberOfVideos(); i++) outputs.add(ctx.output(i));
            boolean complete = failure == null && outputs.stream().allMatch(o -> nonEmpty(o.video()));
            // a backend told to stop may return normally with a partial video: at shutdown never trust the result
            if (ctx.isShuttingDown()) {
                store.releaseLease(id, lease);
                LOG.info("job {} released for resumption at shutdown", id);
                return;
            }
            if (failure != null) throw failure;
            if (!complete) {
                throw new GenerationException("internal_error", "backend " + backend.id() + " finished without writing every video");
            }
            Path extensionSource = null;
            if (job.extendedFrom() != null) {
                extensionSource = workDir.resolve(JobService.EXTENSION_SOURCE);
                StoredObject src = results.open(id, JobService.EXTENSION_SOURCE)
                        .orElseThrow(() -> new GenerationException("internal_error", "the source video of this extension is missing"));
                try (InputStream in = src.openRange(0, src.size())) {
                    Files.copy(in, extensionSource, StandardCopyOption.REPLACE_EXISTING); // streamed, never whole in memory
                }
            }
            finisher.finish(job, plan, outputs, extensionSource, workDir);
            finisher.notes(job, plan, outputs).forEach(ctx::note); // read from the files before they are stored
            if (ctx.leaseLost()) {
                LOG.warn("job {}: attempt {} lost its lease while finishing; its results are not stored", id, lease.epoch());
                return;
            }
            for (int i = 0; i < outputs.size(); i++) {
                OutputFiles o = outputs.get(i);
                results.put(id, ContentVariant.VIDEO.storedName(i), o.video());
                if (nonEmpty(o.thumbnail())) results.put(id, ContentVariant.THUMBNAIL.storedName(i), o.thumbnail());
                if (nonEmpty(o.spritesheet())) results.put(id, ContentVariant.SPRITESHEET.storedName(i), o.spritesheet());
            }
            Map<String, String> notes = ctx.notes();
            // what the job's settlement captures: 0 locally, the provider's noted cost, else the catalog price
            if (backend.isLocal() || !notes.containsKey(JobNotes.COST_USD)) {
                Money cost = backend.isLocal() ? Money.ZERO : plan.maxPrice().orElse(Money.ZERO);
                notes.put(JobNotes.COST_USD, cost.usdShort());
            }
            if (!store.finish(id, lease, JobStatus.COMPLETED, null, null, notes, clock.millis())) {
                if (store.find(id).isEmpty()) results.deleteAll(id);
                return;
            }
            outcomes.completed();
            LOG.info("job {} completed in {} ms", id, (System.nanoTime() - started) / 1_000_000);
        } catch (ValidationException e) {
            finish(ctx, job, JobStatus.FAILED, "invalid_request", e.getMessage());
        } catch (GenerationException e) {
            finish(ctx, job, JobStatus.FAILED, e.code(), e.getMessage());
        } catch (Exception e) {
            if (ctx.isShuttingDown()) {
                store.releaseLease(id, lease);
                return;
            }
            if (ctx.leaseLost()) {
                LOG.warn("job {}: attempt {} ended after losing its lease; nothing written", id, lease.epoch());
                return;
            }
            LOG.warn("job {} failed", id, e);
            finish(ctx, job, JobStatus.FAILED, "internal_error", FAILED_INSIDE);
        } finally {
            deleteTree(workDir);
        }
    }

    private void finish(JobRunContext ctx, Job job, JobStatus status, String code, String message) {
        if (ctx.leaseLost()) return;
        if (status == JobStatus.FAILED) {
            fail(ctx.lease(), job, ctx.notes(), code, message);
            return;
        }
        store.finish(job.id(), ctx.lease(), status, code, message, ctx.notes(), clock.millis());
    }

    private void fail(Lease lease, Job job, Map<String, String> notes, String code, String message) {
        LOG.info("job {} failed: {} {}", job.id(), code, message);
        if (store.finish(job.id(), lease, JobStatus.FAILED, code, message, notes, clock.millis())) {
            outcomes.failed(job, code);
        }
    }

    private static boolean nonEmpty(Path p) {
        try {
            return p != null && Files.isRegularFile(p) && Files.size(p) > 0;
        } catch (IOException e) {
            return false;
        }
    }

    private static void deleteTree(Path dir) {
        FileTrees.delete(dir); // scratch files; the next attempt starts by clearing the directory again
    }

    /** How many jobs this pool is running now. */
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
     * an upstream call in flight ends, and its checkpoint is written, before anything is interrupted.
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
        if (heartbeat != null) heartbeat.shutdownNow();
        running.forEach((id, r) -> {
            LOG.info("job {} still running at shutdown; releasing it for the next start", id);
            store.releaseLease(id, r.lease().lease());
        });
        local.executor.shutdownNow();
        cloud.executor.shutdownNow();
    }
}
