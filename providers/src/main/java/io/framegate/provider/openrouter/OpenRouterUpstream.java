package io.framegate.provider.openrouter;

import io.framegate.domain.GenerationRequest;
import io.framegate.domain.ImageRole;
import io.framegate.domain.ModelSpec;
import io.framegate.domain.OutputFiles;
import io.framegate.domain.RenderPlan;
import io.framegate.provider.FittedImage;
import io.framegate.provider.ImageConstraints;
import io.framegate.provider.Poll;
import io.framegate.provider.ResultRef;
import io.framegate.provider.SafeText;
import io.framegate.provider.Secret;
import io.framegate.provider.UpstreamException;
import io.framegate.provider.UpstreamJob;
import io.framegate.provider.VideoUpstream;
import io.framegate.provider.WireInput;
import io.framegate.provider.WireRecords;
import io.framegate.provider.Http;

import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * OpenRouter's asynchronous video API ({@code https://openrouter.ai/api/v1}, {@code Authorization: Bearer}):
 * {@code POST /videos} (202 with a job id), {@code GET /videos/{id}} to poll, {@code GET /videos/{id}/content?index=n}
 * with the key to download. Frame images go as {@code frame_images[{frame_type}]}, references as
 * {@code input_references[]}. OpenRouter documents image URLs only for this API (public HTTPS URLs) and no cancel.
 */
public final class OpenRouterUpstream implements VideoUpstream {
    public static final String DEFAULT_BASE_URL = "https://openrouter.ai/api/v1";
    private static final ImageConstraints IMAGES = new ImageConstraints(Set.of("image/png", "image/jpeg", "image/webp"),
            20L * 1024 * 1024, false, 2048);
    /** OpenRouter's {@code error} is free text; these words mark a provider's moderation refusal. */
    private static final Pattern FILTERED = Pattern.compile(
            "moderation|content[_ ]?policy|content[_ ]?filter|safety|policy[_ ]?violation|blocked|sensitive",
            Pattern.CASE_INSENSITIVE);

    private final String base;
    private final Secret apiKey;
    private final Http http;
    private final boolean inlineImages;

    /**
     * @param inlineImages send images as data URIs (the operator vouches that OpenRouter takes them for this API;
     *                     its docs name URLs only); when false a job with images is refused before any call
     */
    public OpenRouterUpstream(String baseUrl, Secret apiKey, Duration requestTimeout, boolean inlineImages) {
        this.base = WireRecords.stripSlash(baseUrl != null ? baseUrl : DEFAULT_BASE_URL);
        this.apiKey = apiKey;
        this.http = new Http(requestTimeout).trusting(base);
        this.inlineImages = inlineImages;
    }

    @Override
    public String provider() {
        return "openrouter";
    }

    @Override
    public ImageConstraints imageConstraints() {
        return IMAGES;
    }

    @Override
    public String refuse(UpstreamJob job) {
        ModelSpec m = job.plan().model();
        List<String> others = job.images().stream()
                .filter(i -> (i.role() != ImageRole.FIRST_FRAME && i.role() != ImageRole.LAST_FRAME
                        && i.role() != ImageRole.REFERENCE) || !WireRecords.sends(m, i.role().wireName()))
                .map(i -> i.role().wireName()).distinct().toList();
        if (!others.isEmpty()) {
            return "OpenRouter's video API takes frame_images (first_frame, last_frame) and input_references; "
                    + String.join(", ", others) + " cannot be sent";
        }
        if (!job.images().isEmpty() && !inline(m) && !job.servesUrls()) {
            return "OpenRouter's video API takes images as public URLs only, and this Framegate serves no public URLs"
                    + " of its stored inputs (no public base URL is set); send the job without images, use another"
                    + " channel, or set inline_images: true on the channel if OpenRouter accepts data URIs for the model";
        }
        if (job.plan().request().prompt() == null || job.plan().request().prompt().isBlank()) {
            return "OpenRouter's video API requires a prompt";
        }
        return WireRecords.unsent(job, inlineImages || job.servesUrls());
    }

    /** Images go inline when the operator vouches for it or the model's field map takes data URIs, else as URLs. */
    private boolean inline(ModelSpec m) {
        return inlineImages || m.wire().acceptsDataUri();
    }

    OpenRouterWire.CreateRequest body(UpstreamJob job) throws UpstreamException {
        RenderPlan plan = job.plan();
        GenerationRequest req = plan.request();
        List<OpenRouterWire.FrameImage> frames = new ArrayList<>();
        for (FittedImage f : job.imagesWith(ImageRole.FIRST_FRAME)) frames.add(frame(job, f, "first_frame"));
        for (FittedImage f : job.imagesWith(ImageRole.LAST_FRAME)) frames.add(frame(job, f, "last_frame"));
        List<OpenRouterWire.InputReference> refs = new ArrayList<>();
        for (FittedImage f : job.imagesWith(ImageRole.REFERENCE)) {
            refs.add(new OpenRouterWire.InputReference("image_url", new OpenRouterWire.ImageUrl(image(job, f))));
        }
        ModelSpec m = plan.model();
        Boolean audio = "optional".equals(m.audio()) && WireRecords.sends(m, "audio") ? plan.audio() : null;
        // per model: aspect_ratio + resolution, or size (WxH), as its field map names them
        return new OpenRouterWire.CreateRequest(slug(m), req.prompt(),
                WireRecords.sends(m, "seconds") ? plan.seconds() : null,
                WireRecords.sends(m, "resolution") ? plan.resolution() : null,
                WireRecords.sends(m, "aspect_ratio") ? plan.aspectRatio() : null,
                m.wire().field("size") != null ? plan.size().toString() : null,
                WireRecords.sends(m, "seed") ? req.seed() : null, audio,
                frames.isEmpty() ? null : frames, refs.isEmpty() ? null : refs);
    }

    /**
     * The model as OpenRouter names it: the catalog's {@code wire.constants.model} (catalog ids are
     * {@code openrouter/<slug>}, since OpenRouter's slugs are also Replicate's owner/name ids), else the id itself.
     */
    static String slug(ModelSpec m) {
        Object model = m.wire().constants().get("model");
        return model instanceof String s ? s : m.id();
    }

    private OpenRouterWire.FrameImage frame(UpstreamJob job, FittedImage f, String type) throws UpstreamException {
        return new OpenRouterWire.FrameImage("image_url", new OpenRouterWire.ImageUrl(image(job, f)), type);
    }

    private String image(UpstreamJob job, FittedImage f) throws UpstreamException {
        return inline(job.plan().model()) ? WireInput.dataUri(f) : job.urlOf(f);
    }

    @Override
    public String submit(UpstreamJob job, String idempotencyKey, Duration timeout) throws UpstreamException {
        String what = "OpenRouter create video";
        OpenRouterWire.Job r = WireRecords.post(http, authed(base + "/videos"), body(job), OpenRouterWire.Job.class, what, timeout);
        return WireRecords.createdId(r.id(), what, "job id");
    }

    @Override
    public Poll poll(String handle, Duration timeout) throws UpstreamException {
        String what = "OpenRouter video " + handle;
        OpenRouterWire.Job j = WireRecords.read(http.json(authed(jobUrl(handle)).GET().build(), what, timeout),
                OpenRouterWire.Job.class, what);
        String status = j.status() == null ? "" : j.status();
        return switch (status) {
            case "pending" -> new Poll.Running(0, null);
            case "in_progress" -> new Poll.Running(50, null);
            case "completed" -> {
                int n = j.unsignedUrls() == null || j.unsignedUrls().isEmpty() ? 1 : j.unsignedUrls().size();
                List<ResultRef> videos = new ArrayList<>();
                for (int i = 0; i < n; i++) videos.add(new ResultRef(null, null, "video/mp4"));
                yield new Poll.Done(videos);
            }
            case "failed" -> {
                String message = j.error() == null ? "no message" : j.error();
                yield FILTERED.matcher(message).find() ? new Poll.Filtered(message) : new Poll.Failed(null, message);
            }
            case "cancelled" -> new Poll.Failed("cancelled", "the job was cancelled at the upstream");
            case "expired" -> new Poll.Failed("expired", "OpenRouter's copy of " + handle + " expired");
            default -> throw WireRecords.answered(UpstreamException.Kind.TRANSIENT, what + ": unknown status "
                    + SafeText.code(status));
        };
    }

    /** The documented content endpoint, with the key ({@code unsigned_urls} point at it, or at a storage URL). */
    @Override
    public boolean fetch(String handle, ResultRef result, int index, OutputFiles out, Duration timeout)
            throws UpstreamException {
        http.download(authed(jobUrl(handle) + "/content?index=" + index).GET().build(), out.video(),
                "OpenRouter download of " + handle, timeout);
        return false;
    }

    /** OpenRouter documents no cancel for video jobs. */
    @Override
    public boolean cancel(String handle, Duration timeout) {
        return false;
    }

    private String jobUrl(String handle) {
        return base + "/videos/" + URLEncoder.encode(handle, StandardCharsets.UTF_8);
    }

    private HttpRequest.Builder authed(String url) {
        return http.request(url).header("Authorization", "Bearer " + apiKey.reveal());
    }

    @Override
    public String toString() {
        return "OpenRouterUpstream[" + base + ", key " + apiKey + "]";
    }
}
