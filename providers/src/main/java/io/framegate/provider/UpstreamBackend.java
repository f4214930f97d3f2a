package io.framegate.provider;

import io.framegate.domain.GenerationBackend;
import io.framegate.domain.GenerationContext;
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
 * provider, channel, upstream id, timings and cost. As a {@link GenerationBackend} on its own it is a route of one
 * channel; {@link FailoverBackend} strings several together.
 */
public final class UpstreamBackend implements GenerationBackend {
    private static final Logger LOG = LoggerFactory.getLogger(UpstreamBackend.class);

    private final Channel channel;
    private final ModelSpec upstreamModel;
    private final ReferenceAs referenceAs;
    private final RequestValidator validator;
    private final ProviderSettings settings;
    private final PreviewMaker previews;
    private final Ticker ticker;
    private final Retrier retrier;

    public UpstreamBackend(Channel channel, ModelSpec upstreamModel, ReferenceAs referenceAs, RequestValidator validator,
                           ProviderSettings settings, PreviewMaker previews, Ticker ticker, Retrier retrier) {
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

    @Override
    public String id() {
        return channel.toString();
    }

    @Override
    public boolean isLocal() {
        return false;
    }

    @Override
    public void generate(RenderPlan plan, GenerationContext ctx) throws Exception {
        new FailoverBackend(id(), List.of(this), ticker).generate(plan, ctx);
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
        ImageFitter.Mode.parse(plan.request().options().get(ImageFitter.OPTION));
        List<FittedImage> placeholders = t.upstreamPlan().request().images().stream()
                .map(i -> new FittedImage(i.role(), i.bytes(), i.mimeType(), 0, 0)).toList();
        String refusal = channel.upstream().refuse(new UpstreamJob(t.upstreamPlan(), placeholders));
        if (refusal != null) {
            throw new ValidationException(new Violation("model", upstreamModel.id(), "upstream " + upstreamModel.id()
                    + " (" + where + ", " + channel.upstream().provider() + "): " + refusal));
        }
        return new Prepared(this, plan, t);
    }

    /** Fits the images, submits (with retries) and saves the checkpoint; returns the upstream handle. */
    String submit(Prepared p, GenerationContext ctx, CallGuard guard) throws UpstreamException, GenerationException {
        RenderPlan up = p.upstreamPlan();
        ImageFitter.Mode mode = ImageFitter.Mode.parse(p.requested().request().options().get(ImageFitter.OPTION));
        List<FittedImage> images = new ArrayList<>();
        List<String> fitNotes = new ArrayList<>();
        for (InputImage img : up.request().images()) {
            ImageFitter.Fitted f = ImageFitter.fit(img, up.size(), mode, channel.upstream().imageConstraints());
            images.add(f.image());
            fitNotes.add(f.note());
        }
        if (!fitNotes.isEmpty()) ctx.note("fit", mode + ": " + String.join("; ", fitNotes));
        if (!p.translation().changes().isEmpty()) ctx.note("translation", String.join("; ", p.translation().changes()));
        UpstreamJob job = new UpstreamJob(up, images);
        String handle = retrier.call("submit to " + id(), guard, () -> channel.upstream().submit(job),
                msg -> ctx.note("retry", msg));
        Instant submittedAt = ticker.now();
        // Saved before anything else can fail, so a crash from here on resumes this upstream job instead of paying twice.
        ctx.saveCheckpoint(new Checkpoint(channel.upstream().provider(), channel.name(), upstreamModel.id(), handle,
                submittedAt).toJson());
        ctx.note("upstream_id", handle);
        ctx.note("submitted_at", submittedAt.toString());
        return handle;
    }

    /** Polls until done, downloads every video, makes previews and records cost. */
    void complete(String handle, RenderPlan upstreamPlan, GenerationContext ctx, CallGuard guard, Instant submittedAt)
            throws Exception {
        ctx.note("provider", channel.upstream().provider());
        ctx.note("channel", channel.name());
        ctx.note("upstream_model", upstreamModel.id());
        ctx.note("upstream_id", handle);
        Poll.Done done = pollUntilDone(handle, ctx, guard);
        Instant finishedAt = ticker.now();
        ctx.note("completed_at", finishedAt.toString());
        ctx.note("upstream_seconds", String.format(Locale.ROOT, "%.1f",
                Duration.between(submittedAt, finishedAt).toMillis() / 1000.0));
        int wanted = upstreamPlan.numberOfVideos();
        if (done.videos().size() < wanted) {
            ctx.note("videos_delivered", done.videos().size() + " of " + wanted);
        }
        for (int i = 0; i < Math.min(wanted, done.videos().size()); i++) {
            int index = i;
            OutputFiles out = ctx.output(i);
            Files.createDirectories(out.video().toAbsolutePath().getParent());
            ctx.progress().onProgress("download", i, wanted);
            boolean upstreamPreviews;
            try {
                upstreamPreviews = retrier.call("download video " + i + " of " + handle, guard,
                        () -> channel.upstream().fetch(handle, done.videos().get(index), index, out),
                        msg -> ctx.note("retry", msg));
            } catch (UpstreamException e) {
                if (e.kind() == UpstreamException.Kind.NOT_FOUND) {
                    throw new GenerationException("upstream_expired", "the result of " + handle + " on " + id()
                            + " is gone before it could be downloaded: " + e.getMessage(), e);
                }
                throw new GenerationException("upstream_failed", "downloading the result of " + handle + " on " + id()
                        + " failed: " + e.getMessage(), e);
            }
            if (!upstreamPreviews) makePreviews(out, ctx);
        }
        ctx.progress().onProgress("download", wanted, wanted);
        Instant downloadedAt = ticker.now();
        ctx.note("download_ms", String.valueOf(Duration.between(finishedAt, downloadedAt).toMillis()));
        int delivered = Math.min(wanted, done.videos().size());
        upstreamPlan.model().pricePerSecondAt(upstreamPlan.resolution()).ifPresent(price -> ctx.note("cost_usd",
                String.format(Locale.ROOT, "%.4f", price * upstreamPlan.durationSeconds() * delivered)));
    }

    private Poll.Done pollUntilDone(String handle, GenerationContext ctx, CallGuard guard) throws Exception {
        Duration interval = settings.pollInitial();
        Duration wait = interval;
        int polls = 0;
        try {
            while (true) {
                guard.sleep(wait, "polling " + handle);
                Poll p = retrier.call("poll " + handle, guard, () -> channel.upstream().poll(handle),
                        msg -> ctx.note("retry", msg));
                polls++;
                switch (p) {
                    case Poll.Done d -> {
                        ctx.note("polls", String.valueOf(polls));
                        if (d.videos().isEmpty()) {
                            throw new GenerationException("upstream_failed", id() + " reported " + handle
                                    + " done without any video");
                        }
                        return d;
                    }
                    case Poll.Filtered f -> {
                        ctx.note("content_filtered", f.reason());
                        throw new GenerationException("content_filtered", f.reason());
                    }
                    case Poll.Failed f when "expired".equals(f.code()) -> throw new GenerationException(
                            "upstream_expired", id() + " job " + handle + " expired before download: " + f.message());
                    case Poll.Failed f -> throw new GenerationException("upstream_failed", id() + " job " + handle
                            + " failed" + (f.code() != null ? " (" + f.code() + ")" : "") + ": " + f.message());
                    case Poll.Running r -> {
                        ctx.progress().onProgress("upstream", Math.max(0, r.progressPercent()), 100);
                        wait = r.pollAfter() != null && r.pollAfter().compareTo(interval) > 0 ? r.pollAfter() : interval;
                        interval = min(settings.pollMax(), Duration.ofMillis((long) (interval.toMillis() * settings.pollFactor())));
                    }
                }
            }
        } catch (UpstreamException e) {
            if (e.kind() == UpstreamException.Kind.NOT_FOUND) {
                throw new GenerationException("upstream_expired", id() + " no longer knows job " + handle + ": "
                        + e.getMessage(), e);
            }
            throw new GenerationException("upstream_failed", "polling " + handle + " on " + id() + " failed: "
                    + e.getMessage(), e);
        } catch (GenerationException e) {
            // at shutdown the checkpoint lets the next start resume this upstream job: keep it running
            boolean resumable = e.code().equals("cancelled") && ctx.isShuttingDown();
            if (!resumable && (e.code().equals("cancelled") || e.code().equals("timeout"))) cancelUpstream(handle, ctx, e.code());
            throw e;
        }
    }

    /** The upstream keeps working (and billing) on an abandoned job unless told; best effort. */
    private void cancelUpstream(String handle, GenerationContext ctx, String why) {
        try {
            boolean asked = channel.upstream().cancel(handle);
            ctx.note("upstream_cancel", asked ? "asked " + id() + " to cancel " + handle + " (" + why + ")"
                    : id() + " offers no way to cancel a running job; " + handle + " was abandoned (" + why + ")");
        } catch (UpstreamException e) {
            ctx.note("upstream_cancel", "cancelling " + handle + " failed: " + e.getMessage());
        }
    }

    private void makePreviews(OutputFiles out, GenerationContext ctx) {
        if (previews == null) return;
        try {
            previews.make(out.video(), out.thumbnail(), out.spritesheet());
        } catch (Exception e) {
            // The video is the product; a preview that cannot be made must not throw it away.
            LOG.warn("previews of {} failed: {}", out.video(), e.toString());
            ctx.note("previews_error", e.getMessage() != null ? e.getMessage() : e.toString());
        }
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }
}
