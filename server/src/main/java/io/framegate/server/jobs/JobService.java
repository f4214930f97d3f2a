package io.framegate.server.jobs;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.framegate.domain.GenerationRequest;
import io.framegate.domain.JobStatus;
import io.framegate.domain.RenderPlan;
import io.framegate.domain.RequestValidator;
import io.framegate.domain.ValidationException;
import io.framegate.domain.Violation;
import io.framegate.provider.Routing;
import io.framegate.server.storage.ResultStore;
import io.framegate.server.storage.StoredObject;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The one job API every surface calls. A job is validated, then its input images and its row are durably
 * written, and only then can a worker pick it up. Every read takes the caller's key id: another key's job does not
 * exist for it.
 */
public final class JobService {
    /** Stored name of the source video an extension continues (copied at submission, so deleting the source is safe). */
    static final String EXTENSION_SOURCE = "extension-source.mp4";
    public static final int MAX_LIST_LIMIT = 100;
    public static final int MAX_ADMIN_LIST_LIMIT = 1000;

    private final JobStore store;
    private final ResultStore results;
    private final RequestValidator validator;
    private final ObjectMapper json;
    private final Clock clock;
    private final JobSignals signals = new JobSignals();
    private final Routing routing;
    private final JobCreation creation;

    /** Without a router: jobs record no route, and the worker pool's router decides (tests of the core). */
    public JobService(JobStore store, ResultStore results, RequestValidator validator, ObjectMapper json, Clock clock) {
        this(store, results, validator, json, clock, null);
    }

    /**
     * With the router of {@code framegate.yaml}: {@link #submit} resolves the config's model aliases, refuses at once a
     * request the route cannot honour ({@link RouteRefusedException}), and records on each new job the backend and
     * channel chosen to serve it (the job is routed once, here), whether it is a local render, and its estimated cost.
     */
    public JobService(JobStore store, ResultStore results, RequestValidator validator, ObjectMapper json, Clock clock,
                      Routing routing) {
        this.store = store;
        this.results = results;
        this.validator = validator;
        this.json = json;
        this.clock = clock;
        this.routing = routing;
        this.creation = new JobCreation(this, store, results, json, clock, routing);
    }

    /** The wake-ups this service gives the job core of its process (a job was queued, a waiting job cancelled). */
    JobSignals signals() {
        return signals;
    }

    /** The per-key model allow-list and rate limits every create passes first ({@link CreateAdmission#NONE} unless set). */
    public void admitWith(CreateAdmission a) {
        creation.admitWith(a);
    }

    /** The per-job limits and retention of {@code framegate.yaml} ({@link JobLimits#NONE} until set). */
    public void limitWith(JobLimits jobLimits) {
        creation.limitWith(jobLimits);
    }

    /** At the start of the only process on the database: the Idempotency-Keys its dead predecessor held are free. */
    public void forgetCreatesInFlight() {
        creation.forgetCreatesInFlight();
    }

    /** The router given at construction, or null. */
    public Routing routing() {
        return routing;
    }

    /**
     * The catalog name a client's model name stands for: a name from the config's {@code aliases} becomes its
     * catalog model id; any other name (catalog ids and aliases included) is returned as it is.
     */
    public String resolveModel(String name) {
        Routing r = routing;
        return r == null || name == null ? name : r.resolveAlias(name).orElse(name);
    }

    public RequestValidator validator() {
        return validator;
    }

    /** Shorthand for {@link #submit(Submission)} without remix, extension or attributes. */
    public Job submit(String ownerKeyId, String surface, GenerationRequest request, String idempotencyKey) {
        return submit(Submission.of(ownerKeyId, surface, request, idempotencyKey));
    }

    /**
     * Validates and stores a new job, or returns the caller's earlier job with the same idempotency key.
     *
     * @throws ValidationException          the request breaks a catalog rule (nothing is stored)
     * @throws RouteRefusedException        the model's route cannot honour the request (nothing is stored)
     * @throws IdempotencyMismatchException the idempotency key was used for a different request
     * @throws IdempotencyKeyInUseException another create with the idempotency key is still under way
     * @throws NoSuchJobException           the extension source does not exist for this key
     * @throws JobStateException            the extension source is not completed
     * @throws InsufficientStorageException the data directory's disk is nearly full (nothing is stored)
     * @throws QuotaExceededException       the key's or account's budget cannot cover its price (nothing is stored)
     * @throws ConcurrencyLimitException    the key or account has max_concurrent jobs queued or running
     */
    public Job submit(Submission submission) {
        // how a create uses its connections and transactions: JobCreation#submit
        Map<String, String> notes = new LinkedHashMap<>();
        Submission s = resolveAlias(submission, notes);
        RenderPlan plan = validator.validate(s.request()); // bad input is refused before any connection is taken
        Job job = creation.submit(s, plan, notes);
        // after the commit: a worker woken before it would not see the job yet; only the lane it was routed to looks
        String local = job.notes().get(JobNotes.LOCAL_RENDER);
        signals.queued.ring(local == null ? null : Boolean.parseBoolean(local) ? "local" : "cloud");
        return job;
    }

    /** The submission with a config alias replaced by its catalog model (noted as {@code requested_model}). */
    private Submission resolveAlias(Submission s, Map<String, String> notes) {
        String asked = s.request().model();
        String resolved = resolveModel(asked);
        if (resolved == null || resolved.equals(asked)) return s;
        notes.put(JobNotes.REQUESTED_MODEL, asked);
        return new Submission(s.ownerKeyId(), s.surface(), s.request().toBuilder().model(resolved).build(),
                s.idempotencyKey(), s.remixedFrom(), s.extendedFrom(), s.attributes());
    }

    public Optional<Job> get(String ownerKeyId, String id) {
        return row(ownerKeyId, id).map(JobStore.Row::job);
    }

    /**
     * The job's request as submitted, images included (e.g. to remix it).
     *
     * @throws ContentExpiredException its input images were deleted (retention, after the job ended)
     */
    public Optional<GenerationRequest> request(String ownerKeyId, String id) {
        return row(ownerKeyId, id).map(r -> readRequest(r.job().id(), r.requestJson()));
    }

    /** The job's request as submitted but without its images (which retention deletes once the job has ended). */
    public Optional<GenerationRequest> requestSettings(String ownerKeyId, String id) {
        return row(ownerKeyId, id).map(r -> {
            try {
                return json.readValue(r.requestJson(), StoredRequest.class).request();
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("corrupt stored request of job " + id, e);
            }
        });
    }

    /**
     * A page of the caller's jobs. {@code surface} null lists jobs of every surface; {@code after} is the id of the
     * last job of the previous page.
     *
     * @throws ValidationException {@code after} is not one of the caller's jobs, or {@code limit} is out of range
     */
    public JobPage list(String ownerKeyId, String surface, String after, int limit, ListOrder order) {
        return list(ownerKeyId, surface, after, limit, order, null, null);
    }

    /** As above, only jobs in one of {@code statuses} and created with one of the model names {@code models} (null: any). */
    public JobPage list(String ownerKeyId, String surface, String after, int limit, ListOrder order,
                        java.util.Set<JobStatus> statuses, java.util.Set<String> models) {
        if (limit < 1 || limit > MAX_LIST_LIMIT) {
            throw new ValidationException(new Violation("limit", String.valueOf(limit),
                    "limit=" + limit + " is out of range; allowed: 1.." + MAX_LIST_LIMIT));
        }
        JobPage page = store.list(ownerKeyId, surface, after, limit, order == ListOrder.ASC, statuses, models);
        if (page == null) {
            throw new ValidationException(new Violation("after", after, "after=" + after + " is not the id of one of your videos"));
        }
        return page;
    }

    /**
     * Jobs of every key, newest first, for the admin API: {@code status} and {@code errorCode} filter when not null.
     *
     * @throws ValidationException {@code limit} is out of range
     */
    public java.util.List<AdminJob> listAll(JobStatus status, String errorCode, int limit) {
        if (limit < 1 || limit > MAX_ADMIN_LIST_LIMIT) {
            throw new ValidationException(new Violation("limit", String.valueOf(limit),
                    "limit=" + limit + " is out of range; allowed: 1.." + MAX_ADMIN_LIST_LIMIT));
        }
        return store.listAll(status, errorCode, limit);
    }

    /** One job of any key, for the admin API. */
    public Optional<AdminJob> findAny(String id) {
        return id == null ? Optional.empty() : store.find(id).map(AdminJob::of);
    }

    /** The ledger's entries and usage, for the admin API. */
    public LedgerReader ledger() {
        return store.ledger();
    }

    public JobPage list(String ownerKeyId, String after, int limit, ListOrder order) {
        return list(ownerKeyId, null, after, limit, order);
    }

    /** Deletes the job and its files (a running job stops); false when the caller has no such job. */
    public boolean delete(String ownerKeyId, String id) {
        Optional<JobStore.Row> row = row(ownerKeyId, id);
        if (row.isEmpty()) return false;
        store.delete(id);
        deleteQuietly(id);
        // a job waiting on its upstream has no worker to notice the deletion: its upstream job is told here
        if (row.get().nextPollAt() != null) UpstreamCancel.afterDelete(routing, row.get());
        return true;
    }

    /**
     * Cancels a queued job at once, or asks the worker of a running one to stop (it becomes {@code CANCELLED}
     * shortly after). A final job stays as it is. Returns the job as it is now.
     */
    public Optional<Job> cancel(String ownerKeyId, String id) {
        if (get(ownerKeyId, id).isEmpty()) return Optional.empty();
        store.endings().requestCancel(id, clock.millis());
        signals.due.ring(); // a job waiting on its upstream is due now: the poller cancels it there and ends it
        return get(ownerKeyId, id);
    }

    /**
     * A file of a completed job: variant of video {@code index}. Empty when the caller has no such job or the
     * variant was not produced.
     *
     * @throws JobStateException       the job is not completed
     * @throws ContentExpiredException its files were deleted (it is past its {@code expires_at})
     */
    public Optional<JobContent> openContent(String ownerKeyId, String id, ContentVariant variant, int index) {
        Optional<Job> found = get(ownerKeyId, id);
        if (found.isEmpty()) return Optional.empty();
        Job job = found.get();
        if (job.status() != JobStatus.COMPLETED) {
            throw new JobStateException("video " + id + " is " + job.status().name().toLowerCase()
                    + "; its content is available once it is completed");
        }
        checkNotExpired(job);
        if (index < 0 || index >= job.numberOfVideos()) return Optional.empty();
        try {
            return results.open(id, variant.storedName(index)).map(o -> new JobContent(job, variant, index, o));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open " + variant.storedName(index) + " of " + id, e);
        }
    }

    /**
     * Input image {@code index} of the caller's job, as it was stored at create (a frame placeholder has no bytes).
     * Empty when the caller has no such job or the job has no such image.
     *
     * @throws ContentExpiredException its input images were deleted (retention, after the job ended)
     */
    public Optional<StoredObject> openInput(String ownerKeyId, String id, int index) {
        Optional<JobStore.Row> row = row(ownerKeyId, id);
        if (row.isEmpty()) return Optional.empty();
        try {
            StoredRequest stored = json.readValue(row.get().requestJson(), StoredRequest.class);
            if (stored.images() == null || index < 0 || index >= stored.images().size()) return Optional.empty();
            return Optional.of(results.open(id, stored.images().get(index).file()).orElseThrow(() ->
                    new ContentExpiredException(id, "the input images of video " + id + " are no longer stored "
                            + "(they are deleted after the job ends)")));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open input " + index + " of " + id, e);
        }
    }

    /**
     * Whether the job is past its {@code expires_at}: its files are gone (or about to be swept), so no link to them
     * is handed out and every read of them answers {@link ContentExpiredException}.
     */
    public boolean contentExpired(Job job) {
        return job.expiresAt() != null && !clock.instant().isBefore(job.expiresAt());
    }

    /** Past its {@code expires_at} a job's files are gone (or about to be swept): the same answer either way. */
    public void checkNotExpired(Job job) {
        if (contentExpired(job)) {
            throw new ContentExpiredException(job.id(), "video " + job.id() + " expired at " + job.expiresAt()
                    + "; its content is no longer stored");
        }
    }

    private Optional<JobStore.Row> row(String ownerKeyId, String id) {
        if (id == null || ownerKeyId == null) return Optional.empty();
        return store.find(id).filter(r -> r.job().ownerKeyId().equals(ownerKeyId));
    }

    GenerationRequest readRequest(String jobId, String requestJson) {
        try {
            StoredRequest stored = json.readValue(requestJson, StoredRequest.class);
            return stored.toRequest(file -> {
                try {
                    return results.open(jobId, file).orElseThrow(() -> new ContentExpiredException(jobId, "the input "
                            + "images of video " + jobId + " are no longer stored (they are deleted after the job ends)"))
                            .readAllBytes();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("corrupt stored request of job " + jobId, e);
        }
    }

    void deleteQuietly(String id) {
        try {
            results.deleteAll(id);
        } catch (IOException | RuntimeException ignored) {
            // nothing references the files any more; a leftover directory is harmless
        }
    }
}
