package io.framegate.server.jobs;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.framegate.domain.GenerationRequest;
import io.framegate.domain.InputImage;
import io.framegate.domain.JobStatus;
import io.framegate.domain.Money;
import io.framegate.domain.RenderPlan;
import io.framegate.domain.RequestValidator;
import io.framegate.domain.ValidationException;
import io.framegate.domain.Violation;
import io.framegate.provider.Routing;
import io.framegate.server.storage.ResultStore;
import io.framegate.server.storage.StoredObject;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.HexFormat;
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
    private static final SecureRandom RANDOM = new SecureRandom();
    public static final int MAX_LIST_LIMIT = 100;
    public static final int MAX_ADMIN_LIST_LIMIT = 1000;

    private final JobStore store;
    private final ResultStore results;
    private final RequestValidator validator;
    private final ObjectMapper json;
    private final Clock clock;
    private final JobSignals signals = new JobSignals();
    private final Routing routing;
    private volatile JobLimits limits = JobLimits.NONE;
    private volatile CreateAdmission admission = CreateAdmission.NONE;

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
    }

    /** The wake-ups this service gives the job core of its process (a job was queued, a waiting job cancelled). */
    JobSignals signals() {
        return signals;
    }

    /** The per-key model allow-list and rate limits every create passes first ({@link CreateAdmission#NONE} unless set). */
    public void admitWith(CreateAdmission a) {
        this.admission = a;
    }

    /** The per-job limits and retention of {@code framegate.yaml} ({@link JobLimits#NONE} until set). */
    public void limitWith(JobLimits jobLimits) {
        this.limits = jobLimits;
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
     * @throws NoSuchJobException           the extension source does not exist for this key
     * @throws JobStateException            the extension source is not completed
     * @throws InsufficientStorageException the data directory's disk is nearly full (nothing is stored)
     * @throws QuotaExceededException       the key's or account's budget cannot cover its price (nothing is stored)
     * @throws ConcurrencyLimitException    the key or account has max_concurrent jobs queued or running
     */
    public Job submit(Submission submission) {
        // A create that writes no files (no image, no extension source) runs whole in one transaction on one connection:
        // its key's limits, the idempotency lookup, the limit checks, the rate-limit count, the budget reservation and
        // the insert; a refusal rolls back whatever it had counted. A create with files writes them between its checks
        // and its insert and holds no connection meanwhile (an upload can be slow).
        Map<String, String> notes = new LinkedHashMap<>();
        Submission s = resolveAlias(submission, notes);
        RenderPlan plan = validator.validate(s.request()); // bad input is refused before any connection is taken
        boolean writesFiles = !s.request().images().isEmpty() || s.extendedFrom() != null;
        Job job = writesFiles ? create(s, plan, notes) : store.inTransaction(() -> create(s, plan, notes));
        // after the commit: a worker woken before it would not see the job yet; only the lane it was routed to looks
        String local = job.notes().get(JobNotes.LOCAL_RENDER);
        signals.queued.ring(local == null ? null : Boolean.parseBoolean(local) ? "local" : "cloud");
        return job;
    }

    private Job create(Submission s, RenderPlan plan, Map<String, String> notes) {
        CreateAdmission.Ticket ticket = admission.checkModel(s.ownerKeyId(), plan.model().id());
        Routing r = routing;
        JobLimits lim = limits;
        boolean localRender = plan.model().isLocal();
        Optional<Money> known = plan.maxPrice();
        if (r != null) {
            Routing.Choice choice;
            try {
                choice = r.choose(plan);
            } catch (ValidationException e) {
                throw new RouteRefusedException(plan.model().id(), e, r.route(plan.model().id()).isPresent());
            }
            notes.put(JobNotes.BACKEND, choice.backend().id());
            notes.put(JobNotes.LOCAL_RENDER, String.valueOf(choice.backend().isLocal()));
            localRender = choice.backend().isLocal();
            if (choice.channel() != null) notes.put(JobNotes.CHANNEL, choice.channel());
            if (choice.upstreamModel() != null) notes.put(JobNotes.UPSTREAM_MODEL, choice.upstreamModel());
            choice.maxPrice().ifPresent(c -> notes.put(JobNotes.ESTIMATED_COST_USD, c.usdShort()));
            known = choice.maxPrice();
        }
        Money price = known.orElse(Money.ZERO);
        if (localRender) lim.checkLocalRender(plan);
        // what the job reserves: its maximum price (0 locally), and the seconds a local render makes
        Ledger.Reservation reservation = new Ledger.Reservation(localRender ? Money.ZERO : price,
                localRender ? plan.videoSeconds() : 0);
        String hash = hash(s);
        if (s.idempotencyKey() != null) {
            Optional<JobStore.Row> earlier = store.findByIdempotencyKey(s.ownerKeyId(), s.idempotencyKey());
            if (earlier.isPresent()) return sameOrMismatch(earlier.get(), hash, s.idempotencyKey());
        }
        // an unknown price would reserve 0 and so pass any budget: refused where a budget applies
        if (!localRender && known.isEmpty() && store.hasBudget(s.ownerKeyId())) {
            throw new UnpricedModelException(plan.model().id());
        }
        Job source = null;
        StoredObject sourceVideo = null;
        if (s.extendedFrom() != null) {
            source = CompletedVideos.require(get(s.ownerKeyId(), s.extendedFrom())
                    .orElseThrow(() -> new NoSuchJobException(s.extendedFrom())), "extended");
            checkNotExpired(source);
            notes.put(JobNotes.EXTENSION_DEPTH, String.valueOf(lim.extensionDepth(source)));
            sourceVideo = sourceVideo(source.id(), s.extendedFrom());
        }
        // images that are frames of the caller's earlier results: their videos are copied, the worker takes the frame
        java.util.List<ResultFrame.Source> frameSources = ResultFrame.sources(s.request(), (job, index) ->
                openContent(s.ownerKeyId(), job, ContentVariant.VIDEO, index)
                        .orElseThrow(() -> new NoSuchJobException(job)).object());
        // the extension's copy of its source video lands on the same disk
        long incoming = s.request().images().stream().mapToLong(i -> i.bytes().length).sum()
                + (sourceVideo != null ? sourceVideo.size() : 0) + ResultFrame.bytes(frameSources);
        lim.checkFreeSpace(incoming);
        String account;
        try {
            // one connection for both (a create without files is in its transaction already)
            account = store.onOneConnection(() -> {
                String on = store.checkLimits(s.ownerKeyId(), reservation);
                // the rpm slot is taken last, so a create refused for money, concurrency or disk does not use one up
                ticket.admit();
                return on;
            });
        } catch (RuntimeException refused) {
            // a concurrent create with the same Idempotency-Key may have won the budget: that one is this one's answer
            Optional<Job> replay = replayOf(s, hash);
            if (replay.isPresent()) return replay.get();
            throw refused;
        }
        String id = newJobId();
        Instant now = clock.instant();
        int seconds = plan.seconds() + (source != null && source.seconds() != null ? source.seconds() : 0);
        String model = s.request().model() != null ? s.request().model() : plan.model().id();
        Job job = new Job(id, s.ownerKeyId(), s.surface(), model, JobStatus.QUEUED, 0, s.request().prompt(), seconds,
                plan.size().toString(), null, null, now, null, null, lim.expiresAt(now), null, notes, plan.numberOfVideos(),
                s.remixedFrom(), s.extendedFrom(), s.attributes());
        try {
            for (int i = 0; i < s.request().images().size(); i++) {
                results.put(id, StoredRequest.inputFileName(i), s.request().images().get(i).bytes());
            }
            ResultFrame.store(results, id, frameSources);
            if (sourceVideo != null) {
                try (InputStream in = sourceVideo.openRange(0, sourceVideo.size())) {
                    results.put(id, EXTENSION_SOURCE, in); // streamed: a video is never read whole into the heap
                }
            }
            String requestJson = json.writeValueAsString(StoredRequest.of(s.request()));
            boolean inserted;
            try {
                inserted = store.insert(job, requestJson, hash, s.idempotencyKey(), reservation, account);
            } catch (QuotaExceededException | ConcurrencyLimitException e) {
                ticket.refund(); // the reservation lost a race: the create is not counted
                throw e;
            }
            if (inserted) return job;
            results.deleteAll(id);
            JobStore.Row winner = store.findByIdempotencyKey(s.ownerKeyId(), s.idempotencyKey()).orElseThrow();
            return sameOrMismatch(winner, hash, s.idempotencyKey());
        } catch (IOException e) {
            deleteQuietly(id);
            throw new UncheckedIOException("cannot store the input of job " + id, e);
        } catch (RuntimeException e) {
            deleteQuietly(id);
            throw e;
        }
    }

    /** The stored video an extension continues, checked against {@link ExtensionFrame#MAX_SOURCE_BYTES}. */
    private StoredObject sourceVideo(String sourceId, String asked) {
        try {
            StoredObject video = results.open(sourceId, ContentVariant.VIDEO.storedName(0))
                    .orElseThrow(() -> new JobStateException("video " + asked + " has no stored video"));
            if (video.size() > ExtensionFrame.MAX_SOURCE_BYTES) {
                throw new JobStateException("video " + asked + " is too large to extend (over "
                        + ExtensionFrame.MAX_SOURCE_BYTES / (1024 * 1024) + " MB)");
            }
            return video;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the stored video of " + sourceId, e);
        }
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

    /**
     * A create refused by a limit may have raced a create with the same idempotency key that used the budget (or the
     * rate) up and committed meanwhile (two instances, or two threads): then it is that job's replay, not a refusal.
     */
    private Optional<Job> replayOf(Submission s, String hash) {
        if (s.idempotencyKey() == null) return Optional.empty();
        return store.findByIdempotencyKey(s.ownerKeyId(), s.idempotencyKey())
                .map(earlier -> sameOrMismatch(earlier, hash, s.idempotencyKey()));
    }

    private static Job sameOrMismatch(JobStore.Row earlier, String hash, String key) {
        if (earlier.requestHash().equals(hash)) return earlier.job();
        throw new IdempotencyMismatchException(key, earlier.job().id());
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
        return id == null ? Optional.empty() : store.find(id)
                .map(r -> new AdminJob(r.job(), r.attempts(), r.checkpoint() != null));
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
        store.requestCancel(id, clock.millis());
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

    /** Past its {@code expires_at} a job's files are gone (or about to be swept): the same answer either way. */
    private void checkNotExpired(Job job) {
        if (job.expiresAt() != null && !clock.instant().isBefore(job.expiresAt())) {
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

    private String hash(Submission s) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            Map<String, Object> identity = new LinkedHashMap<>();
            identity.put("surface", s.surface());
            ObjectNode stored = json.valueToTree(StoredRequest.of(s.request()));
            // without a fit, a request hashes as before fit was typed, so idempotency keys outlive the upgrade
            if (stored.path("request").path("fit").isNull()) ((ObjectNode) stored.get("request")).remove("fit");
            identity.put("request", stored);
            identity.put("remixedFrom", s.remixedFrom());
            identity.put("extendedFrom", s.extendedFrom());
            identity.put("attributes", new java.util.TreeMap<>(s.attributes()));
            md.update(json.writeValueAsString(identity).getBytes(StandardCharsets.UTF_8));
            for (InputImage img : s.request().images()) md.update(MessageDigest.getInstance("SHA-256").digest(img.bytes()));
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException | JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private void deleteQuietly(String id) {
        try {
            results.deleteAll(id);
        } catch (IOException | RuntimeException ignored) {
            // nothing references the files any more; a leftover directory is harmless
        }
    }

    /** {@code video_} and 32 lower-case hex digits (the hex part also suits Gemini file names, {@code [a-z0-9]+}). */
    static String newJobId() {
        byte[] b = new byte[16];
        RANDOM.nextBytes(b);
        return "video_" + HexFormat.of().formatHex(b);
    }
}
