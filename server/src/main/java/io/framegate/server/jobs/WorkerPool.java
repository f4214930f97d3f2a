package io.framegate.server.jobs;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.framegate.domain.BackendRouter;
import io.framegate.domain.GenerationBackend;
import io.framegate.domain.GenerationException;
import io.framegate.domain.GenerationRequest;
import io.framegate.domain.JobStatus;
import io.framegate.domain.ModelSpec;
import io.framegate.domain.OutputFiles;
import io.framegate.domain.RenderPlan;
import io.framegate.domain.RequestValidator;
import io.framegate.domain.ValidationException;
import io.framegate.server.storage.ResultStore;
import io.framegate.server.storage.StoredObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * Claims queued jobs from the {@link JobStore} and runs them through the backend the router picks. Two lanes: local
 * renders (CPU-bound, few at a time) and cloud backends (many at a time). Claims are leases renewed by a heartbeat;
 * on shutdown running jobs are released, not failed, so the next process resumes them.
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
    private final Map<String, Lane> running = new ConcurrentHashMap<>();
    private final AtomicBoolean shuttingDown = new AtomicBoolean();
    private final Object wakeLock = new Object();
    private boolean wakeRequested;
    private Thread dispatcher;
    private ScheduledExecutorService heartbeat;

    private static final class Lane {
        final String name;
        final Semaphore slots;
        final ExecutorService executor;

        Lane(String name, int size) {
            this.name = name;
            this.slots = new Semaphore(size);
            AtomicInteger n = new AtomicInteger();
            this.executor = Executors.newFixedThreadPool(size, r -> {
                Thread t = new Thread(r, "framegate-" + name + "-" + n.incrementAndGet());
                t.setDaemon(true);
                return t;
            });
        }
    }

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
            } catch (RuntimeException e) {
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
        if (local.slots.availablePermits() == 0 && cloud.slots.availablePermits() == 0) return;
        long now = clock.millis();
        for (JobStore.Runnable r : store.findRunnable(now, 50)) {
            if (shuttingDown.get()) return;
            if (running.containsKey(r.id())) continue;
            Optional<ModelSpec> spec = validator.catalog().find(r.model());
            if (spec.isEmpty()) {
                store.failUnclaimed(r.id(), "unknown_model", "model " + r.model() + " is no longer in the catalog", now);
                continue;
            }
            GenerationBackend backend;
            try {
                backend = router.backendFor(spec.get());
            } catch (RuntimeException e) {
                store.failUnclaimed(r.id(), "no_backend", "no backend serves model " + r.model() + ": " + e.getMessage(), now);
                continue;
            }
            Lane lane = backend.isLocal() ? local : cloud;
            if (!lane.slots.tryAcquire()) continue;
            if (!store.claim(r.id(), leaseOwner, now, now + settings.lease().toMillis())) {
                lane.slots.release();
                continue;
            }
            running.put(r.id(), lane);
            lane.executor.execute(() -> {
                try {
                    run(r.id(), backend);
                } catch (RuntimeException | Error e) {
                    LOG.error("job {} crashed its worker", r.id(), e);
                } finally {
                    running.remove(r.id());
                    lane.slots.release();
                    wake();
                }
            });
        }
    }

    private void renewLeases() {
        try {
            List<String> ids = new ArrayList<>(running.keySet());
            if (!ids.isEmpty() && !shuttingDown.get()) {
                store.renewLeases(leaseOwner, ids, clock.millis() + settings.lease().toMillis());
            }
        } catch (RuntimeException e) {
            LOG.warn("renewing job leases failed", e);
        }
    }

    /** One attempt at a claimed job. */
    private void run(String id, GenerationBackend backend) {
        Optional<JobStore.Row> found = store.find(id);
        if (found.isEmpty()) return;
        JobStore.Row row = found.get();
        Job job = row.job();
        Path workDir = workRoot.resolve(id);
        JobRunContext ctx = new JobRunContext(id, leaseOwner, store, workDir, clock, shuttingDown, job.notes(),
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
            LOG.info("job {} started on {} (model {}, attempt {})", id, backend.id(), job.model(), row.attempts() + 1);
            Exception failure = null;
            try {
                backend.generate(plan, ctx);
            } catch (Exception e) {
                failure = e;
            }
            ctx.flushProgress();
            if (ctx.cancelledByClient()) {
                if (!ctx.isDeleted()) finish(ctx, job, JobStatus.CANCELLED, null, null);
                return;
            }
            List<OutputFiles> outputs = new ArrayList<>();
            for (int i = 0; i < plan.numberOfVideos(); i++) outputs.add(ctx.output(i));
            boolean complete = failure == null && outputs.stream().allMatch(o -> nonEmpty(o.video()));
            // a backend told to stop may return normally with a partial video: at shutdown never trust the result
            if (ctx.isShuttingDown()) {
                store.releaseLease(id, leaseOwner);
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
                Files.write(extensionSource, src.readAllBytes());
            }
            finisher.finish(job, plan, outputs, extensionSource, workDir);
            for (int i = 0; i < outputs.size(); i++) {
                OutputFiles o = outputs.get(i);
                results.put(id, ContentVariant.VIDEO.storedName(i), o.video());
                if (nonEmpty(o.thumbnail())) results.put(id, ContentVariant.THUMBNAIL.storedName(i), o.thumbnail());
                if (nonEmpty(o.spritesheet())) results.put(id, ContentVariant.SPRITESHEET.storedName(i), o.spritesheet());
            }
            Map<String, String> notes = ctx.notes();
            if (!notes.containsKey(JobNotes.COST_USD)) {
                double cost = backend.isLocal() ? 0.0 : plan.estimatedCostUsd().orElse(0.0);
                notes.put(JobNotes.COST_USD, String.format(Locale.ROOT, "%.4f", cost));
            }
            if (!store.finish(id, leaseOwner, JobStatus.COMPLETED, null, null, notes, clock.millis())) {
                if (store.find(id).isEmpty()) results.deleteAll(id);
                return;
            }
            LOG.info("job {} completed in {} ms", id, (System.nanoTime() - started) / 1_000_000);
        } catch (ValidationException e) {
            finish(ctx, job, JobStatus.FAILED, "invalid_request", e.getMessage());
        } catch (GenerationException e) {
            finish(ctx, job, JobStatus.FAILED, e.code(), e.getMessage());
        } catch (Exception e) {
            if (ctx.isShuttingDown()) {
                store.releaseLease(id, leaseOwner);
                return;
            }
            LOG.warn("job {} failed", id, e);
            finish(ctx, job, JobStatus.FAILED, "internal_error", "the video could not be made because of an internal error");
        } finally {
            deleteTree(workDir);
        }
    }

    private void finish(JobRunContext ctx, Job job, JobStatus status, String code, String message) {
        if (status == JobStatus.FAILED) LOG.info("job {} failed: {} {}", job.id(), code, message);
        store.finish(job.id(), leaseOwner, status, code, message, ctx.notes(), clock.millis());
    }

    private static boolean nonEmpty(Path p) {
        try {
            return p != null && Files.isRegularFile(p) && Files.size(p) > 0;
        } catch (IOException e) {
            return false;
        }
    }

    private static void deleteTree(Path dir) {
        if (!Files.exists(dir)) return;
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // scratch files; the next attempt starts by clearing the directory again
                }
            });
        } catch (IOException ignored) {
            // as above
        }
    }

    /** How many jobs this pool is running now. */
    public int runningCount() {
        return running.size();
    }

    /**
     * Stops taking jobs, tells running ones to stop (their backends see {@code isCancelled()}), waits up to the
     * shutdown grace, and releases the leases of jobs still running so another process resumes them.
     */
    @Override
    public void close() {
        if (!shuttingDown.compareAndSet(false, true)) return;
        wake();
        if (heartbeat != null) heartbeat.shutdownNow();
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
        for (String id : running.keySet()) {
            LOG.info("job {} still running at shutdown; releasing it for the next start", id);
            store.releaseLease(id, leaseOwner);
        }
        local.executor.shutdownNow();
        cloud.executor.shutdownNow();
    }
}
