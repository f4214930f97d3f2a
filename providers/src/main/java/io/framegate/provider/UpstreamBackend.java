package io.framegate.provider;

import io.framegate.domain.GenerationContext;
import io.framegate.domain.FitMode;
import io.framegate.domain.GenerationException;
import io.framegate.domain.InputImage;
import io.framegate.domain.ModelSpec;
import io.framegate.domain.OutputFiles;
import io.framegate.domain.RenderPlan;
import io.framegate.domain.RequestValidator;
import io.framegate.domain.ValidationException;
import io.framegate.domain.Violation;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One route target: a {@link Channel} asked for one upstream model. Translates the plan, fits the images, submits,
 * saves the checkpoint, polls with backoff, downloads as soon as the upstream is done, makes previews and records
 * provider, channel, upstream id, timings and cost. Not a backend on its own: {@link FailoverBackend} (the route)
 * strings one or more together, and is what the job core runs, either blocking ({@code generate}) or step by step
 * (submit, one poll at a time, collect) so that a job waiting on its upstream holds no thread.
 */
public final class UpstreamBackend {
    private static final Logger LOG = LoggerFactory.getLogger(UpstreamBackend.class);

    private final Channel channel;
    private final ModelSpec upstreamModel;
    private final ReferenceAs referenceAs;
    private final RequestValidator validator;
    private final ProviderSettings settings;
    private final PreviewMaker previews;
    private final Ticker ticker;
    private final Retrier retrier;
    /** Framegate-served URLs of the fitted inputs, or null when this Framegate has no public base URL. */
    private final InputUrls inputUrls;
    /** A cancel is one short call: it must not hold a job that already ends much past its deadline. */
    private static final Duration CANCEL_TIMEOUT = Duration.ofSeconds(10);

    public UpstreamBackend(Channel channel, ModelSpec upstreamModel, ReferenceAs referenceAs, RequestValidator validator,
                           ProviderSettings settings, PreviewMaker previews, Ticker ticker, Retrier retrier) {
        this(channel, upstreamModel, referenceAs, validator, settings, previews, ticker, retrier, null);
    }

    /** @param inputUrls serves the fitted inputs to upstreams that read images only from URLs; null: none */
    public UpstreamBackend(Channel channel, ModelSpec upstreamModel, ReferenceAs referenceAs, RequestValidator validator,
                           ProviderSettings settings, PreviewMaker previews, Ticker ticker, Retrier retrier,
                           InputUrls inputUrls) {
        this.inputUrls = inputUrls;
        this.channel = channel;
        this.upstreamModel = upstreamModel;
        this.referenceAs = referenceAs;
        this.validator = validator;
        this.settings = settings;
        this.previews = previews;
        this.ticker = ticker;
        this.retrier = retrier;
    }

    public Channel channel() {
        return channel;
    }

    public ModelSpec upstreamModel() {
        return upstreamModel;
    }

    ProviderSettings settings() {
        return settings;
    }

    Ticker ticker() {
        return ticker;
    }

    /** {@code provider:channel}, as jobs record it. */
    public String id() {
        return channel.toString();
    }

    /** A plan translated for this target and checked against its provider, before any upstream call. */
    public record Prepared(UpstreamBackend target, RenderPlan requested, Translation.Result translation) {
        public RenderPlan upstreamPlan() {
            return translation.upstreamPlan();
        }
    }

    /** Translates and checks; no I/O. @throws ValidationException naming the upstream model and what it lacks */
    public Prepared prepare(RenderPlan plan) {
        String where = "channel " + channel.name();
        Translation.Result t = Translation.toUpstream(plan, upstreamModel, referenceAs, validator, where);
        List<FittedImage> placeholders = t.upstreamPlan().request().images().stream()
                .map(i -> new FittedImage(i.role(), i.bytes(), i.mimeType(), 0, 0)).toList();
        UpstreamJob.ImageUrls noneYet = img -> {
            throw new IllegalStateException("input URLs are made at submit, not at preflight");
        };
        String refusal = channel.upstream().refuse(new UpstreamJob(t.upstreamPlan(), placeholders,
                inputUrls == null ? null : noneYet));
        if (refusal != null) {
            throw new ValidationException(new Violation("model", upstreamModel.id(), "upstream " + upstreamModel.id()
                    + " (" + where + ", " + channel.upstream().provider() + "): " + refusal));
        }
        return new Prepared(this, plan, t);
    }

    /**
     * Fits the images, records that a submit is under way, submits and saves the handle. A submit is sent again (here)
     * only after a provable refusal the channel may get over (no connection, 429, 503); such refusals and the
     * request's own rejection (other 4xx) are thrown for the route to decide. An ambiguous failure (no answer, 5xx
     * other than 503, an answer without a handle) is never sent again: the upstream's job list is searched where it
     * has one, else the job ends {@code upstream_submit_uncertain}.
     */
    Checkpoint submit(Prepared p, GenerationContext ctx, CallGuard guard, String idempotencyKey)
            throws UpstreamException, GenerationException {
        RenderPlan up = p.upstreamPlan();
        FitMode mode = p.requested().request().fitOrDefault();
        List<FittedImage> images = new ArrayList<>();
        List<String> fitNotes = new ArrayList<>();
        for (InputImage img : up.request().images()) {
            UpstreamImages.Fitted f = UpstreamImages.fit(img, up.size(), mode, channel.upstream().imageConstraints());
            images.add(f.image());
            fitNotes.add(f.note());
        }
        if (!fitNotes.isEmpty()) ctx.note("fit", mode + ": " + String.join("; ", fitNotes));
        if (!p.translation().changes().isEmpty()) ctx.note("translation", String.join("; ", p.translation().changes()));
        UpstreamJob job = new UpstreamJob(up, images, inputUrls == null ? null : urls(ctx.jobId(), images, guard));
        // Stored before the call, with where it goes (the notes travel in the checkpoint's write): a crash from here on
        // finds this and looks for the job instead of paying twice, and the admin listing names the paid call's target.
        noteChannel(ctx);
        Checkpoint sending = Checkpoint.submitting(channel.upstream().provider(), channel.name(), upstreamModel.id(),
                ticker.now(), idempotencyKey);
        ctx.saveCheckpoint(sending.toJson());
        String handle;
        try {
            handle = UpstreamHandles.check(retrier.submit("submit to " + id(), guard,
                    () -> channel.upstream().submit(job, idempotencyKey, guard.callTimeout(settings.requestTimeout())),
                    msg -> ctx.note("retry", msg)), "submit to " + id());
        } catch (UpstreamException e) {
            if (e.refusedBeforeAcceptance() || e.requestRejected()) throw e;
            handle = reconciler().afterUnclearSubmit(up, sending, ctx, guard, e.getMessage());
        } catch (GenerationException stopped) {
            // cancelled or out of time before a try was sent: every earlier try was provably refused, nothing exists
            ctx.saveCheckpoint(sending.refused().toJson());
            throw stopped;
        }
        return submitted(sending, handle, ctx);
    }

    /**
     * Links to this job's fitted images, stored only when the upstream asks for one; each valid until the job's
     * deadline. A store that fails means nothing was sent (the upstream never got the request), so the submit may be
     * tried again.
     */
    private UpstreamJob.ImageUrls urls(String jobId, List<FittedImage> images, CallGuard guard) {
        return img -> {
            int index = -1;
            for (int i = 0; i < images.size() && index < 0; i++) if (images.get(i) == img) index = i;
            if (index < 0) throw new IllegalArgumentException("not an image of this job: " + img);
            try {
                return inputUrls.publish(jobId, InputUrls.name(index), img, guard.deadline());
            } catch (java.io.IOException | RuntimeException e) {
                throw UpstreamException.notSent("storing input image " + index + " for " + id() + " to fetch failed", e);
            }
        };
    }

    /** A job resumed from a {@code submitting} checkpoint: its submit may have reached the upstream before the crash. */
    Checkpoint resumeSubmitting(RenderPlan upstreamPlan, Checkpoint sending, GenerationContext ctx, CallGuard guard)
            throws GenerationException {
        ctx.note("resumed", "a submit to " + id() + " was under way when the last attempt stopped");
        String handle = reconciler().afterUnclearSubmit(upstreamPlan, sending, ctx, guard,
                "the process stopped during the submit");
        return submitted(sending, handle, ctx);
    }

    private Checkpoint submitted(Checkpoint sending, String handle, GenerationContext ctx) {
        Instant submittedAt = ticker.now();
        Checkpoint done = sending.submitted(handle, submittedAt);
        // The notes go in the checkpoint's own write; saved before anything else can fail, so a crash from here on
        // resumes this upstream job (and the admin listing shows its id) instead of paying twice.
        ctx.note("upstream_id", handle);
        ctx.note("submitted_at", submittedAt.toString());
        ctx.saveCheckpoint(done.toJson());
        return done;
    }

    private SubmitReconciler reconciler() {
        return new SubmitReconciler(this, retrier);
    }

    /** Records where the job runs (shown to clients and the operator). */
    void noteTarget(String handle, GenerationContext ctx) {
        noteChannel(ctx);
        ctx.note("upstream_id", handle);
    }

    private void noteChannel(GenerationContext ctx) {
        ctx.note("provider", channel.upstream().provider());
        ctx.note("channel", channel.name());
        ctx.note("upstream_model", upstreamModel.id());
    }

    /**
     * Polls until done (blocking: the CLI and the provider tests), downloads every video, makes previews and records
     * cost. A job that ends here without its videos (a poll that fails for good, the deadline, a cancel) is cancelled
     * upstream, except when the process is only stopping (the checkpoint resumes it), the upstream already ended it,
     * or it finished there and only its download failed (kept: {@link #keep}).
     */
    void complete(String handle, RenderPlan upstreamPlan, GenerationContext ctx, CallGuard guard, Instant submittedAt)
            throws Exception {
        noteTarget(handle, ctx);
        Poll.Done done;
        try {
            done = polling().untilDone(handle, ctx, guard);
        } catch (Exception e) {
            abandon(handle, ctx, e);
            throw e;
        }
        deliver(handle, done, upstreamPlan, ctx, guard, submittedAt);
    }

    /**
     * One poll of a job that waits on its upstream, made when it is due (no thread waits in between): still running
     * ({@link PollStep.Wait}, with when to look again) or done ({@link PollStep.Ready}). A job that ends here (failed,
     * filtered, expired, past its deadline) throws, and is cancelled upstream where that makes sense.
     */
    PollStep pollOnce(String handle, GenerationContext ctx, Instant deadline, Duration interval, int polls)
            throws GenerationException {
        try {
            return polling().once(handle, ctx, deadline, interval, polls);
        } catch (GenerationException e) {
            abandon(handle, ctx, e);
            throw e;
        }
    }

    /**
     * In a worker slot, for a job the upstream reported done (or one resumed from its checkpoint): polls once more for
     * the result's current location, then downloads. Still running: {@link PollStep.Wait} (back to waiting).
     */
    PollStep collect(String handle, RenderPlan upstreamPlan, GenerationContext ctx, CallGuard guard, Instant submittedAt,
                     int polls) throws Exception {
        noteTarget(handle, ctx);
        Poll.Done done;
        try {
            Poll p = polling().call(handle, ctx, guard);
            if (p instanceof Poll.Running r) {
                ctx.progress().onProgress("upstream", Math.max(0, r.progressPercent()), 100);
                // an upstream that reported the job done and now says it runs (again and again) gets the poller's
                // last look too: past it, the job ends instead of going round for as long as the upstream flips.
                // The job's own deadline, not the guard's (a resumed job's guard leaves room for a download).
                Instant jobDeadline = submittedAt.plus(settings.deadline());
                if (!ticker.now().isBefore(jobDeadline.minus(polling().margin()))) {
                    throw polling().pastDeadline(handle, jobDeadline);
                }
                return new PollStep.Wait(polling().nextWait(r, settings.pollInitial(), guard), settings.pollInitial(), polls);
            }
            done = polling().ended(p, handle, ctx, polls);
        } catch (Exception e) {
            abandon(handle, ctx, e);
            throw e;
        }
        deliver(handle, done, upstreamPlan, ctx, guard, submittedAt);
        return new PollStep.Delivered();
    }

    private void deliver(String handle, Poll.Done done, RenderPlan upstreamPlan, GenerationContext ctx, CallGuard guard,
                         Instant submittedAt) throws Exception {
        Instant finishedAt = ticker.now();
        ctx.note("completed_at", finishedAt.toString());
        ctx.note("upstream_seconds", String.format(Locale.ROOT, "%.1f",
                Duration.between(submittedAt, finishedAt).toMillis() / 1000.0));
        int wanted = upstreamPlan.numberOfVideos();
        if (done.videos().size() < wanted) {
            ctx.note("videos_delivered", done.videos().size() + " of " + wanted);
        }
        try {
            download(handle, done, wanted, ctx, guard);
        } catch (Exception e) {
            keep(handle, ctx);
            throw e;
        }
        Instant downloadedAt = ticker.now();
        ctx.note("download_ms", String.valueOf(Duration.between(finishedAt, downloadedAt).toMillis()));
        int delivered = Math.min(wanted, done.videos().size());
        // exact micro-dollars (what the job's settlement captures), for the videos delivered
        upstreamPlan.model().priceOf(upstreamPlan.resolution(), upstreamPlan.frameCount(), upstreamPlan.fps(), delivered)
                .ifPresent(price -> ctx.note("cost_usd", price.usdShort()));
    }

    private void download(String handle, Poll.Done done, int wanted, GenerationContext ctx, CallGuard guard)
            throws Exception {
        for (int i = 0; i < Math.min(wanted, done.videos().size()); i++) {
            int index = i;
            OutputFiles out = ctx.output(i);
            Files.createDirectories(out.video().toAbsolutePath().getParent());
            ctx.progress().onProgress("download", i, wanted);
            boolean upstreamPreviews;
            try {
                upstreamPreviews = retrier.idempotent("download video " + i + " of " + handle, guard, () -> {
                    boolean previewsToo = channel.upstream().fetch(handle, done.videos().get(index), index, out,
                            guard.callTimeout(settings.requestTimeout()));
                    // an error page or a body cut short is not the video (a cut one is fetched again)
                    ResultVideo.check(out.video(), "the downloaded video " + index + " of " + handle);
                    return previewsToo;
                }, msg -> ctx.note("retry", msg));
            } catch (UpstreamException e) {
                if (e.kind() == UpstreamException.Kind.NOT_FOUND) {
                    throw new Polling.UpstreamEnded("upstream_expired", "the result of " + handle + " on " + id()
                            + " is gone before it could be downloaded: " + e.getMessage(), e);
                }
                throw new GenerationException("upstream_failed", "downloading the result of " + handle + " on " + id()
                        + " failed: " + e.getMessage(), e);
            }
            if (!upstreamPreviews) makePreviews(out, ctx);
        }
        ctx.progress().onProgress("download", wanted, wanted);
    }

    private Polling polling() {
        return new Polling(this, retrier);
    }

    /**
     * The job ends here without its videos: the upstream keeps working (and billing) on it unless told. At shutdown
     * it is left running, since the checkpoint resumes it on the next start.
     */
    private void abandon(String handle, GenerationContext ctx, Exception why) {
        if (why instanceof Polling.UpstreamEnded || ctx.isShuttingDown()) return;
        cancelUpstream(handle, ctx, why instanceof GenerationException g ? g.code() : "internal error");
    }

    /**
     * A finished upstream job whose download failed is left there, not cancelled: it is billed either way, and most
     * upstreams' cancel deletes a finished video, which would leave the operator nothing to fetch by hand.
     */
    private void keep(String handle, GenerationContext ctx) {
        ctx.note("upstream_kept", "upstream job " + handle + " on channel " + channel.name() + " finished but its "
                + "download failed; it was left there, not cancelled, for an operator to fetch");
    }

    /** Best effort, one short call even when the deadline has passed. */
    void cancelUpstream(String handle, GenerationContext ctx, String why) {
        Duration timeout = min(settings.requestTimeout(), CANCEL_TIMEOUT);
        try {
            boolean asked = channel.upstream().cancel(handle, timeout);
            ctx.note("upstream_cancel", asked ? "asked " + id() + " to cancel " + handle + " (" + why + ")"
                    : id() + " offers no way to cancel a running job; " + handle + " was abandoned (" + why + ")");
        } catch (UpstreamException e) {
            ctx.note("upstream_cancel", "cancelling " + handle + " (" + why + ") failed: " + e.getMessage());
        }
    }

    private void makePreviews(OutputFiles out, GenerationContext ctx) {
        if (previews == null) return;
        try {
            previews.make(out.video(), out.thumbnail(), out.spritesheet());
        } catch (Exception e) {
            // The video is the product; a preview that cannot be made must not throw it away.
            LOG.warn("previews of {} failed: {}", out.video(), e.toString());
            // the details (paths, the engine's words) stay in the log; the note is shown to clients
            ctx.note("previews_error", "the thumbnail and spritesheet could not be made from the video");
        }
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }
}
