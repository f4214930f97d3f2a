package io.framegate.server.jobs;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.framegate.domain.InputImage;
import io.framegate.domain.JobStatus;
import io.framegate.domain.Money;
import io.framegate.domain.RenderPlan;
import io.framegate.domain.ValidationException;
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
 * The create path of {@link JobService#submit}, after validation: admission (model allow-list, rate), routing and
 * price, the idempotency replay, the limits and the budget reservation, the input files, and the job's insert.
 */
final class JobCreation {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(JobCreation.class);

    private final JobService jobs;
    private final JobStore store;
    private final ResultStore results;
    private final ObjectMapper json;
    private final Clock clock;
    private final Routing routing;
    private final InFlightKeys inFlight;
    private volatile JobLimits limits = JobLimits.NONE;
    private volatile CreateAdmission admission = CreateAdmission.NONE;

    /** {@code jobs}: the reads a create makes of the caller's earlier jobs (an extension's source, a frame's video). */
    JobCreation(JobService jobs, JobStore store, ResultStore results, ObjectMapper json, Clock clock, Routing routing) {
        this.jobs = jobs;
        this.store = store;
        this.results = results;
        this.json = json;
        this.clock = clock;
        this.routing = routing;
        this.inFlight = new InFlightKeys(store.jdbi());
    }

    void admitWith(CreateAdmission a) {
        this.admission = a;
    }

    void forgetCreatesInFlight() {
        inFlight.forgetAll();
    }

    void limitWith(JobLimits jobLimits) {
        this.limits = jobLimits;
    }

    /**
     * The create of a validated submission. One with an Idempotency-Key first claims the key ({@link InFlightKeys}),
     * before any limit counts it, and gives the claim back when it ends; while another create holds the key, it is
     * answered that create's job if it has just been written, else {@link IdempotencyKeyInUseException}.
     */
    Job submit(Submission s, RenderPlan plan, Map<String, String> notes) {
        boolean writesFiles = !s.request().images().isEmpty() || s.extendedFrom() != null;
        if (s.idempotencyKey() == null) return create(s, plan, notes, writesFiles);
        // without files, the claim, the create's transaction and the release share one connection
        return writesFiles ? claimed(s, plan, notes, true) : store.onOneConnection(() -> claimed(s, plan, notes, false));
    }

    private Job claimed(Submission s, RenderPlan plan, Map<String, String> notes, boolean writesFiles) {
        Optional<String> token = inFlight.claim(s.ownerKeyId(), s.idempotencyKey());
        if (token.isEmpty()) return replayOf(s, hash(s)).orElseThrow(IdempotencyKeyInUseException::new);
        try {
            return create(s, plan, notes, writesFiles);
        } finally {
            try {
                inFlight.release(s.ownerKeyId(), s.idempotencyKey(), token.get());
            } catch (RuntimeException e) {
                // the create's answer stands (its job may exist): the claim expires by itself
                LOG.warn("cannot release the Idempotency-Key claim of a create of key {}", s.ownerKeyId(), e);
            }
        }
    }

    /**
     * A create without files runs whole in one transaction on one connection: its key's limits, the idempotency lookup,
     * the limit checks, the rate-limit count, the budget reservation and the insert; a refusal rolls back whatever it
     * had counted. A create with files writes them between its checks and its insert and holds no connection meanwhile
     * (an upload can be slow).
     */
    private Job create(Submission s, RenderPlan plan, Map<String, String> notes, boolean writesFiles) {
        return writesFiles ? create(s, plan, notes) : store.inTransaction(() -> create(s, plan, notes));
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
            source = CompletedVideos.require(jobs.get(s.ownerKeyId(), s.extendedFrom())
                    .orElseThrow(() -> new NoSuchJobException(s.extendedFrom())), "extended");
            jobs.checkNotExpired(source);
            notes.put(JobNotes.EXTENSION_DEPTH, String.valueOf(lim.extensionDepth(source)));
            sourceVideo = sourceVideo(source.id(), s.extendedFrom());
        }
        // images that are frames of the caller's earlier results: their videos are copied, the worker takes the frame
        java.util.List<ResultFrame.Source> frameSources = ResultFrame.sources(s.request(), (job, index) ->
                jobs.openContent(s.ownerKeyId(), job, ContentVariant.VIDEO, index)
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
            // a create with the same Idempotency-Key may have won the budget (only past a stale claim, see InFlightKeys)
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
                    results.put(id, JobService.EXTENSION_SOURCE, in); // streamed: a video is never read whole into the heap
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
            ticket.refund(); // lost the Idempotency-Key race (past a stale claim): answered as a replay, not counted
            results.deleteAll(id);
            JobStore.Row winner = store.findByIdempotencyKey(s.ownerKeyId(), s.idempotencyKey()).orElseThrow();
            return sameOrMismatch(winner, hash, s.idempotencyKey());
        } catch (IOException e) {
            jobs.deleteQuietly(id);
            throw new UncheckedIOException("cannot store the input of job " + id, e);
        } catch (RuntimeException e) {
            jobs.deleteQuietly(id);
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

    /**
     * The job an earlier create with the submission's idempotency key wrote, as its replay (or the mismatch error). A
     * create refused by a limit asks too: a create with the key whose claim had gone stale may have used the budget
     * (or the rate) up and committed meanwhile; then it is that job's replay, not a refusal.
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

    /** {@code video_} and 32 lower-case hex digits (the hex part also suits Gemini file names, {@code [a-z0-9]+}). */
    static String newJobId() {
        byte[] b = new byte[16];
        RANDOM.nextBytes(b);
        return "video_" + HexFormat.of().formatHex(b);
    }
}
