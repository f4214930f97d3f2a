package io.framegate.provider.seedance;

import io.framegate.domain.GenerationRequest;
import io.framegate.domain.ImageRole;
import io.framegate.domain.ModelSpec;
import io.framegate.domain.OutputFiles;
import io.framegate.domain.RenderPlan;
import io.framegate.provider.FittedImage;
import io.framegate.provider.Http;
import io.framegate.provider.ImageConstraints;
import io.framegate.provider.Poll;
import io.framegate.provider.ResultRef;
import io.framegate.provider.Secret;
import io.framegate.provider.UpstreamException;
import io.framegate.provider.UpstreamJob;
import io.framegate.provider.VideoUpstream;
import io.framegate.provider.WireInput;
import io.framegate.provider.WireRecords;

import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Seedance on BytePlus ModelArk ({@code https://ark.ap-southeast.bytepluses.com/api/v3}) or Volcengine Ark
 * ({@code https://ark.cn-beijing.volces.com/api/v3}), {@code Authorization: Bearer}: {@code POST
 * /contents/generations/tasks} with {@code content[]} (a text item, then image items carrying {@code role}
 * {@code first_frame}, {@code last_frame} or {@code reference_image}, as base64 data URIs), {@code GET .../tasks/{id}}
 * to poll, {@code DELETE .../tasks/{id}} to cancel a queued task. The video URL is a signed object-storage URL,
 * downloaded without the key.
 */
public final class SeedanceUpstream implements VideoUpstream {
    public static final String DEFAULT_BASE_URL = "https://ark.ap-southeast.bytepluses.com/api/v3";
    /** ModelArk: JPEG, PNG, WebP (also BMP, TIFF, GIF) under 30 MB, aspect 0.4 to 2.5. */
    private static final ImageConstraints IMAGES = new ImageConstraints(Set.of("image/png", "image/jpeg", "image/webp"),
            30L * 1024 * 1024 - 1, false, 2048);
    /** Ark's error codes for its content checks: {@code ...SensitiveContentDetected...}, {@code ...RiskDetection}. */
    private static final Pattern FILTERED = Pattern.compile("Sensitive|RiskDetection|ContentSecurity", Pattern.CASE_INSENSITIVE);

    private final String base;
    private final Secret apiKey;
    private final Http http;

    public SeedanceUpstream(String baseUrl, Secret apiKey, Duration requestTimeout) {
        this.base = WireRecords.stripSlash(baseUrl != null ? baseUrl : DEFAULT_BASE_URL);
        this.apiKey = apiKey;
        this.http = new Http(requestTimeout).trusting(base);
    }

    @Override
    public String provider() {
        return "seedance";
    }

    @Override
    public ImageConstraints imageConstraints() {
        return IMAGES;
    }

    @Override
    public String refuse(UpstreamJob job) {
        ModelSpec m = job.plan().model();
        List<String> others = job.images().stream()
                .filter(i -> role(m, i.role()) == null).map(i -> i.role().wireName()).distinct().toList();
        if (!others.isEmpty()) {
            return "Seedance content[] takes first_frame, last_frame and reference_image images; "
                    + String.join(", ", others) + " cannot be sent";
        }
        boolean frames = !job.imagesWith(ImageRole.FIRST_FRAME).isEmpty() || !job.imagesWith(ImageRole.LAST_FRAME).isEmpty();
        if (frames && !job.imagesWith(ImageRole.REFERENCE).isEmpty()) {
            return "Seedance cannot mix first/last frames with reference images in one task";
        }
        if (!job.imagesWith(ImageRole.LAST_FRAME).isEmpty() && job.imagesWith(ImageRole.FIRST_FRAME).isEmpty()) {
            return "Seedance takes a last_frame only together with a first_frame";
        }
        if (!job.images().isEmpty() && !m.wire().acceptsDataUri()) {
            return "Seedance " + m.id() + " takes image URLs only, and this Framegate serves no public URLs of its inputs";
        }
        return WireRecords.unsent(job, false);
    }

    /**
     * Framegate's role -> Ark's {@code role} value, as the model's field map names it (a model without a map: Ark's
     * three roles); null when the model has none for it.
     */
    static String role(ModelSpec m, ImageRole r) {
        String ark = switch (r) {
            case FIRST_FRAME -> "first_frame";
            case LAST_FRAME -> "last_frame";
            case REFERENCE -> "reference_image";
            default -> null;
        };
        return ark == null ? null : WireRecords.field(m, r.wireName(), ark);
    }

    static SeedanceWire.CreateRequest body(UpstreamJob job) {
        RenderPlan plan = job.plan();
        GenerationRequest req = plan.request();
        ModelSpec m = plan.model();
        List<SeedanceWire.Content> content = new ArrayList<>();
        if (req.prompt() != null && WireRecords.sends(m, "prompt")) content.add(SeedanceWire.Content.text(req.prompt()));
        for (ImageRole r : List.of(ImageRole.FIRST_FRAME, ImageRole.LAST_FRAME, ImageRole.REFERENCE)) {
            for (FittedImage img : job.imagesWith(r)) content.add(SeedanceWire.Content.image(WireInput.dataUri(img), role(m, r)));
        }
        // generate_audio exists only on the models that make audio (catalog audio "optional"); others refuse the field
        Boolean audio = "optional".equals(m.audio()) && WireRecords.sends(m, "audio") ? plan.audio() : null;
        return new SeedanceWire.CreateRequest(job.upstreamModel(), content,
                WireRecords.sends(m, "aspect_ratio") ? plan.aspectRatio() : null,
                WireRecords.sends(m, "resolution") ? plan.resolution() : null,
                WireRecords.sends(m, "seconds") ? plan.seconds() : null,
                WireRecords.sends(m, "seed") ? req.seed() : null, audio);
    }

    @Override
    public String submit(UpstreamJob job, String idempotencyKey, Duration timeout) throws UpstreamException {
        String what = "Ark create video task";
        SeedanceWire.CreateResponse r = WireRecords.post(http, authed(base + "/contents/generations/tasks"), body(job),
                SeedanceWire.CreateResponse.class, what, timeout);
        return WireRecords.createdId(r.id(), what, "task id");
    }

    @Override
    public Poll poll(String handle, Duration timeout) throws UpstreamException {
        String what = "Ark video task " + handle;
        SeedanceWire.Task t = WireRecords.read(http.json(authed(taskUrl(handle)).GET().build(), what, timeout),
                SeedanceWire.Task.class, what);
        String status = t.status() == null ? "" : t.status();
        return switch (status) {
            case "queued" -> new Poll.Running(0, null);
            case "running" -> new Poll.Running(50, null);
            case "succeeded" -> {
                String url = t.content() == null ? null : t.content().videoUrl();
                if (url == null || url.isBlank()) {
                    throw WireRecords.answered(UpstreamException.Kind.TRANSIENT, what + ": succeeded without a video_url");
                }
                yield new Poll.Done(List.of(new ResultRef(url, null, "video/mp4")));
            }
            case "failed" -> {
                String code = t.error() == null ? null : t.error().code();
                String message = t.error() == null || t.error().message() == null ? "no message" : t.error().message();
                yield code != null && FILTERED.matcher(code).find()
                        ? new Poll.Filtered(message + " (" + code + ")") : new Poll.Failed(code, message);
            }
            case "cancelled" -> new Poll.Failed("cancelled", "the task was cancelled at the upstream");
            case "expired" -> new Poll.Failed("expired", "the task expired at the upstream before it ran");
            default -> throw WireRecords.answered(UpstreamException.Kind.TRANSIENT, what + ": unknown status "
                    + io.framegate.provider.SafeText.code(status));
        };
    }

    @Override
    public boolean fetch(String handle, ResultRef result, int index, OutputFiles out, Duration timeout)
            throws UpstreamException {
        String url = result.uri();
        HttpRequest.Builder get = WireRecords.sameHost(url, base) ? authed(url) : http.request(url);
        http.download(get.GET().build(), out.video(), "Ark download of " + handle, timeout);
        return false;
    }

    /**
     * {@code DELETE .../tasks/{id}}: a queued task is cancelled; a running one is refused by Ark (reported to the
     * caller as a failed cancel); a finished one is deleted.
     */
    @Override
    public boolean cancel(String handle, Duration timeout) throws UpstreamException {
        http.json(authed(taskUrl(handle)).DELETE().build(), "Ark cancel video task " + handle, timeout);
        return true;
    }

    private String taskUrl(String handle) {
        return base + "/contents/generations/tasks/" + URLEncoder.encode(handle, StandardCharsets.UTF_8);
    }

    private HttpRequest.Builder authed(String url) {
        return http.request(url).header("Authorization", "Bearer " + apiKey.reveal());
    }


    @Override
    public String toString() {
        return "SeedanceUpstream[" + base + ", key " + apiKey + "]";
    }
}
