package io.framegate.server.jobs;

import io.framegate.domain.GenerationBackend;
import io.framegate.domain.GenerationException;
import io.framegate.domain.GenerationRequest;
import io.framegate.domain.JobStatus;
import io.framegate.domain.Money;
import io.framegate.domain.OutputFiles;
import io.framegate.domain.RenderPlan;
import io.framegate.domain.RequestValidator;
import io.framegate.domain.ValidationException;
import io.framegate.provider.Checkpoint;
import io.framegate.provider.FailoverBackend;
import io.framegate.provider.PollStep;
import io.framegate.server.storage.ResultStore;
import io.framegate.server.storage.StoredObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One attempt at a job the dispatcher claimed, in a worker slot. A local render (or any blocking backend) runs to
 * its end here. A cloud route runs one step: the submit (then the job waits on its upstream in the database,
 * {@link WaitQueue}, holding no thread and no slot), or, for a job the upstream finished (or one resumed from its
 * checkpoint), the download. Results are stored before the job is completed; the ending goes to {@link Completion}.
 */
final class JobExecution {
    private static final Logger LOG = LoggerFactory.getLogger(JobExecution.class);

    private final JobStore store;
    private final WaitQueue waits;
    private final JobService jobs;
    private final ResultStore results;
    private final RequestValidator validator;
    private final OutputFinisher finisher;
    private final Path workRoot;
    private final WorkerSettings settings;
    private final Clock clock;
    private final AtomicBoolean shuttingDown;
    private final Completion completion;
    private final Runnable wakePoller;

    JobExecution(JobStore store, WaitQueue waits, JobService jobs, ResultStore results, RequestValidator validator,
                 OutputFinisher finisher, Path workRoot, WorkerSettings settings, Clock clock, AtomicBoolean shuttingDown,
                 Completion completion, Runnable wakePoller) {
        this.store = store;
        this.waits = waits;
        this.jobs = jobs;
        this.results = results;
        this.validator = validator;
        this.finisher = finisher;
        this.workRoot = workRoot;
        this.settings = settings;
        this.clock = clock;
        this.shuttingDown = shuttingDown;
        this.completion = completion;
        this.wakePoller = wakePoller;
    }

    /**
     * One claimed job: fails it when the attempts of its phase are used up (earlier ones crashed or died with their
     * process; {@link AttemptBudget}), else runs it. An {@link Error} (out of memory, a native crash surfacing in Java)
     * puts it back in the queue after a backoff, or ends it at the phase's last attempt ({@link GivingUp}).
     */
    void attempt(String id, GenerationBackend backend, HeldLease lease) {
        Optional<JobStore.Row> found = store.find(id);
        if (found.isEmpty()) return;
        JobStore.Row row = found.get();
        AttemptBudget budget = AttemptBudget.of(row, settings);
        if (budget.usedUp()) {
            LOG.warn("job {} was started {} times in its {} phase without finishing (each attempt crashed or died with "
                    + "its process); failing it instead of starting it again", id, budget.used() - 1, budget.phase());
            completion.giveUp(id, lease);
            return;
        }
        try {
            run(row, backend, lease);
        } catch (Error e) {
            LOG.error("job {} crashed its worker ({})", id, budget, e);
            completion.crashed(row, lease);
        }
    }

    private void run(JobStore.Row row, GenerationBackend backend, HeldLease held) {
        Job job = row.job();
        String id = job.id();
        Path workDir = workRoot.resolve(id);
        Lease lease = held.lease();
        JobRunContext ctx = new JobRunContext(id, held, store, workDir, clock, shuttingDown, job.notes(),
                row.checkpoint(), job.progress());
        long started = System.nanoTime();
        try {
            FileTrees.delete(workDir);
            Files.createDirectories(workDir);
            // noted before anything can end the attempt: a job cancelled before it started (the client saw it in
            // progress, its claim recorded the backend) ends with the notes of the backend it was dispatched to
            ctx.backend(backend.id(), backend.isLocal());
            if (row.cancelRequested()) {
                // sent upstream already (a resumed job): the upstream is asked to stop it too
                Checkpoint cp = row.checkpoint() == null ? null : Checkpoint.parse(row.checkpoint());
                if (backend instanceof FailoverBackend route && cp != null) route.cancelUpstream(cp, ctx, "cancelled by the client");
                completion.finish(ctx, job, JobStatus.CANCELLED, null, null);
                return;
            }
            GenerationRequest request = ExtensionFrame.fill(jobs.readRequest(id, row.requestJson()), results, id, workDir);
            RenderPlan plan = validator.validate(request);
            // a job sent upstream (perhaps) may be billed: it is followed, never refused now
            if (backend instanceof FailoverBackend route && !JobStore.isSent(row.checkpoint())) {
                String repriced = CloudStep.repriced(route, plan, job.notes());
                if (repriced != null) {
                    LOG.warn("job {} ends route_changed: {}", id, repriced);
                    completion.finish(ctx, job, JobStatus.FAILED, "route_changed", repriced);
                    return;
                }
            }
            LOG.info("job {} started on {} (model {}, {})", id, backend.id(), job.model(), AttemptBudget.of(row, settings));
            Exception failure = null;
            CloudStep step = null;
            try {
                if (backend instanceof FailoverBackend route) step = CloudStep.run(route, plan, ctx, row.polls());
                else backend.generate(plan, ctx);
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
                if (step != null && step.waits()) step.cancelUpstream(ctx, "cancelled by the client");
                if (!ctx.isDeleted()) completion.finish(ctx, job, JobStatus.CANCELLED, null, null);
                return;
            }
            if (failure == null && step != null && step.waits()) {
                // submitted (or still running upstream): the job waits in the database, not in this slot
                PollStep.Wait w = step.waitStep();
                if (waits.park(id, lease, w.after().toMillis(), w.interval().toMillis(), w.polls(), true)) wakePoller.run();
                return;
            }
            List<OutputFiles> outputs = new ArrayList<>();
            for (int i = 0; i < plan.numberOfVideos(); i++) outputs.add(ctx.output(i));
            boolean complete = failure == null && outputs.stream().allMatch(o -> nonEmpty(o.video()));
            // a backend told to stop may return normally with a partial video: at shutdown never trust the result
            if (ctx.isShuttingDown()) {
                store.leases().releaseLease(id, lease);
                LOG.info("job {} released for resumption at shutdown", id);
                return;
            }
            if (failure != null) throw failure;
            if (!complete) {
                throw new GenerationException("internal_error", "backend " + backend.id() + " finished without writing every video");
            }
            store(job, plan, outputs, workDir, ctx);
            if (ctx.leaseLost()) {
                LOG.warn("job {}: attempt {} lost its lease while finishing; its results are not stored", id, lease.epoch());
                return;
            }
            Map<String, String> notes = ctx.notes();
            // what the job's settlement captures: 0 locally, the provider's noted cost, else the catalog price
            if (backend.isLocal() || !notes.containsKey(JobNotes.COST_USD)) {
                Money cost = backend.isLocal() ? Money.ZERO : plan.maxPrice().orElse(Money.ZERO);
                notes.put(JobNotes.COST_USD, cost.usdShort());
            }
            if (!completion.completed(id, lease, notes)) {
                if (store.find(id).isEmpty()) results.deleteAll(id);
                return;
            }
            LOG.info("job {} completed in {} ms", id, (System.nanoTime() - started) / 1_000_000);
        } catch (ValidationException e) {
            completion.finish(ctx, job, JobStatus.FAILED, "invalid_request", e.getMessage());
        } catch (GenerationException e) {
            completion.finish(ctx, job, JobStatus.FAILED, e.code(), e.getMessage());
        } catch (Exception e) {
            if (ctx.isShuttingDown()) {
                store.leases().releaseLease(id, lease);
                return;
            }
            if (ctx.leaseLost()) {
                LOG.warn("job {}: attempt {} ended after losing its lease; nothing written", id, lease.epoch());
                return;
            }
            if (storageUnavailable(e)) {
                // the bucket (or disk) did not answer: a transient outage, not this job's fault. Its inputs are
                // unreadable or its results unstorable for now, and a paid upstream video may be waiting: the
                // attempt is put back and tried again after a backoff, within the attempts of its phase
                LOG.warn("job {}: storage unavailable ({}); trying again later", id, e.getMessage());
                completion.putBack(row, held);
                return;
            }
            LOG.warn("job {} failed", id, e);
            completion.finish(ctx, job, JobStatus.FAILED, "internal_error", Completion.FAILED_INSIDE);
        } finally {
            FileTrees.delete(workDir);
        }
    }

    /** Whether {@code e} (or what it wraps) says the result storage could not be reached or refused a call. */
    static boolean storageUnavailable(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof io.framegate.server.storage.StorageException) return true;
        }
        return false;
    }

    /** Stitches and previews ({@link OutputFinisher}), then stores every file of the job. */
    private void store(Job job, RenderPlan plan, List<OutputFiles> outputs, Path workDir, JobRunContext ctx)
            throws Exception {
        String id = job.id();
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
        if (ctx.leaseLost()) return;
        for (int i = 0; i < outputs.size(); i++) {
            OutputFiles o = outputs.get(i);
            results.put(id, ContentVariant.VIDEO.storedName(i), o.video());
            if (nonEmpty(o.thumbnail())) results.put(id, ContentVariant.THUMBNAIL.storedName(i), o.thumbnail());
            if (nonEmpty(o.spritesheet())) results.put(id, ContentVariant.SPRITESHEET.storedName(i), o.spritesheet());
        }
    }

    private static boolean nonEmpty(Path p) {
        try {
            return p != null && Files.isRegularFile(p) && Files.size(p) > 0;
        } catch (IOException e) {
            return false;
        }
    }
}
