package io.framegate.provider.wan;

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
import io.framegate.provider.SafeText;
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
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Wan on Alibaba Cloud DashScope ({@code https://dashscope-intl.aliyuncs.com/api/v1}, Beijing
 * {@code https://dashscope.aliyuncs.com/api/v1}; keys are per region), {@code Authorization: Bearer} and the required
 * {@code X-DashScope-Async: enable}. kf2v models ({@code wan2.2-kf2v-flash}, {@code wan2.1-kf2v-plus}) are created at
 * {@code /services/aigc/image2video/video-synthesis} with {@code input.first_frame_url} / {@code last_frame_url};
 * Wan 2.7 at {@code /services/aigc/video-generation/video-synthesis} with {@code input.media[]}. Images go as data
 * URIs. {@code GET /tasks/{id}} polls, {@code POST /tasks/{id}/cancel} cancels a task that is still queued.
 */
public final class WanUpstream implements VideoUpstream {
    public static final String DEFAULT_BASE_URL = "https://dashscope-intl.aliyuncs.com/api/v1";
    /** kf2v reference: JPEG, JPG, PNG, BMP, WEBP; sides 360 to 2000 px; at most 10 MB. */
    private static final ImageConstraints IMAGES = new ImageConstraints(Set.of("image/png", "image/jpeg", "image/webp"),
            10L * 1024 * 1024, false, 2000);
    /** DashScope's content-inspection failure codes (input or output). */
    private static final Pattern FILTERED = Pattern.compile("DataInspection|IPInfringement|Inspection", Pattern.CASE_INSENSITIVE);

    /** How a model's create call is shaped (per model, not per provider). */
    enum Api {
        /** {@code image2video/video-synthesis}, {@code first_frame_url} / {@code last_frame_url}, duration fixed. */
        KF2V("/services/aigc/image2video/video-synthesis"),
        /** {@code video-generation/video-synthesis}, {@code media[{type, url}]}, {@code parameters.duration}. */
        MEDIA("/services/aigc/video-generation/video-synthesis");

        final String path;

        Api(String path) {
            this.path = path;
        }

        /** By the model's field map: {@code first_frame: media} is Wan 2.7's shape; without a map, by the model's name. */
        static Api of(ModelSpec m) {
            String first = m.wire().field(ImageRole.FIRST_FRAME);
            if (first != null) return "media".equals(first) ? MEDIA : KF2V;
            return m.id().contains("kf2v") ? KF2V : MEDIA;
        }
    }

    private final String base;
    private final Secret apiKey;
    private final Http http;

    public WanUpstream(String baseUrl, Secret apiKey, Duration requestTimeout) {
        this.base = WireRecords.stripSlash(baseUrl != null ? baseUrl : DEFAULT_BASE_URL);
        this.apiKey = apiKey;
        this.http = new Http(requestTimeout).trusting(base);
    }

    @Override
    public String provider() {
        return "wan";
    }

    @Override
    public ImageConstraints imageConstraints() {
        return IMAGES;
    }

    @Override
    public String refuse(UpstreamJob job) {
        ModelSpec m = job.plan().model();
        if (!job.images().isEmpty() && !m.wire().acceptsDataUri()) {
            return "DashScope " + m.id() + " takes image URLs only, and this Framegate serves no public URLs of its inputs";
        }
        List<String> others = job.images().stream()
                .filter(i -> (i.role() != ImageRole.FIRST_FRAME && i.role() != ImageRole.LAST_FRAME)
                        || !WireRecords.sends(m, i.role().wireName()))
                .map(i -> i.role().wireName()).distinct().toList();
        if (!others.isEmpty()) {
            return "DashScope video synthesis takes a first and a last frame only; " + String.join(", ", others)
                    + " cannot be sent";
        }
        if (Api.of(m) == Api.KF2V && (job.imagesWith(ImageRole.FIRST_FRAME).isEmpty()
                || job.imagesWith(ImageRole.LAST_FRAME).isEmpty())) {
            return job.upstreamModel() + " needs both first_frame_url and last_frame_url";
        }
        return WireRecords.unsent(job, false);
    }

    static WanWire.CreateRequest body(UpstreamJob job) {
        RenderPlan plan = job.plan();
        GenerationRequest req = plan.request();
        ModelSpec m = plan.model();
        String first = url(job, ImageRole.FIRST_FRAME), last = url(job, ImageRole.LAST_FRAME);
        String prompt = WireRecords.sends(m, "prompt") ? req.prompt() : null;
        String negative = req.negativePrompt() != null && !req.negativePrompt().isBlank()
                && WireRecords.sends(m, "negative_prompt") ? req.negativePrompt() : null;
        // DashScope writes resolutions as 480P, 720P, 1080P
        String resolution = WireRecords.sends(m, "resolution") ? plan.resolution().toUpperCase(Locale.ROOT) : null;
        Long seed = WireRecords.sends(m, "seed") ? req.seed() : null;
        if (Api.of(m) == Api.KF2V) {
            return new WanWire.CreateRequest(job.upstreamModel(), new WanWire.Input(prompt, negative, first, last, null),
                    new WanWire.Parameters(resolution, null, seed));
        }
        List<WanWire.Media> media = new ArrayList<>();
        if (first != null) media.add(new WanWire.Media("first_frame", first));
        if (last != null) media.add(new WanWire.Media("last_frame", last));
        return new WanWire.CreateRequest(job.upstreamModel(),
                new WanWire.Input(prompt, negative, null, null, media.isEmpty() ? null : media),
                new WanWire.Parameters(resolution, WireRecords.sends(m, "seconds") ? plan.seconds() : null, seed));
    }

    private static String url(UpstreamJob job, ImageRole role) {
        List<FittedImage> imgs = job.imagesWith(role);
        return imgs.isEmpty() ? null : WireInput.dataUri(imgs.get(0));
    }

    @Override
    public String submit(UpstreamJob job, String idempotencyKey, Duration timeout) throws UpstreamException {
        String what = "DashScope video-synthesis";
        WanWire.TaskResponse r = WireRecords.post(http, authed(base + Api.of(job.plan().model()).path)
                .header("X-DashScope-Async", "enable"), body(job), WanWire.TaskResponse.class, what, timeout);
        return WireRecords.createdId(r.output() == null ? null : r.output().taskId(), what, "task_id");
    }

    @Override
    public Poll poll(String handle, Duration timeout) throws UpstreamException {
        String what = "DashScope task " + handle;
        WanWire.TaskResponse r = WireRecords.read(http.json(authed(base + "/tasks/" + enc(handle)).GET().build(),
                what, timeout), WanWire.TaskResponse.class, what);
        WanWire.Output o = r.output();
        String status = o == null || o.taskStatus() == null ? "" : o.taskStatus();
        return switch (status) {
            case "PENDING" -> new Poll.Running(0, null);
            case "RUNNING" -> new Poll.Running(50, null);
            case "SUCCEEDED" -> {
                if (o.videoUrl() == null || o.videoUrl().isBlank()) {
                    throw WireRecords.answered(UpstreamException.Kind.TRANSIENT, what + ": SUCCEEDED without a video_url");
                }
                yield new Poll.Done(List.of(new ResultRef(o.videoUrl(), null, "video/mp4")));
            }
            case "FAILED" -> {
                String message = o.message() == null ? "no message" : o.message();
                yield o.code() != null && FILTERED.matcher(o.code()).find()
                        ? new Poll.Filtered(message + " (" + o.code() + ")") : new Poll.Failed(o.code(), message);
            }
            case "CANCELED" -> new Poll.Failed("cancelled", "the task was cancelled at the upstream");
            // DashScope answers UNKNOWN for a task id it no longer has (they last 24 hours)
            case "UNKNOWN" -> new Poll.Failed("expired", "DashScope no longer knows task " + handle);
            default -> throw WireRecords.answered(UpstreamException.Kind.TRANSIENT, what + ": unknown status "
                    + SafeText.code(status));
        };
    }

    @Override
    public boolean fetch(String handle, ResultRef result, int index, OutputFiles out, Duration timeout)
            throws UpstreamException {
        String url = result.uri();
        HttpRequest.Builder get = WireRecords.sameHost(url, base) ? authed(url) : http.request(url);
        http.download(get.GET().build(), out.video(), "DashScope download of " + handle, timeout);
        return false;
    }

    /** {@code POST /tasks/{id}/cancel}: only a PENDING task can be cancelled; DashScope refuses a running one. */
    @Override
    public boolean cancel(String handle, Duration timeout) throws UpstreamException {
        http.json(authed(base + "/tasks/" + enc(handle) + "/cancel").POST(HttpRequest.BodyPublishers.noBody()).build(),
                "DashScope cancel task " + handle, timeout);
        return true;
    }

    private HttpRequest.Builder authed(String url) {
        return http.request(url).header("Authorization", "Bearer " + apiKey.reveal());
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return "WanUpstream[" + base + ", key " + apiKey + "]";
    }
}
