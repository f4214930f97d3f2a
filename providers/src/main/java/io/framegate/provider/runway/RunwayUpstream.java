package io.framegate.provider.runway;

import io.framegate.domain.ImageRole;
import io.framegate.domain.OutputFiles;
import io.framegate.domain.RenderPlan;
import io.framegate.domain.WireFields;
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
import io.framegate.provider.WireRecords;

import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Runway's API: {@code POST /v1/image_to_video} with {@code promptImage} as a list of {@code {uri, position}}
 * ({@code first}, {@code last}; no position for a reference image) sent as data URIs, {@code GET /v1/tasks/{id}} to
 * poll, {@code DELETE /v1/tasks/{id}} to cancel. Every request carries {@code X-Runway-Version}. Outputs expire within
 * 24-48 hours, so they are downloaded at once.
 */
public final class RunwayUpstream implements VideoUpstream {
    public static final String DEFAULT_BASE_URL = "https://api.dev.runwayml.com";
    public static final String API_VERSION = "2024-11-06";
    /** A data URI may be up to 5 MB; base64 makes 4 bytes of 3, so the image itself stays under 3.6 MB. */
    static final long DATA_URI_LIMIT = 5L * 1000 * 1000;
    private static final ImageConstraints IMAGES = new ImageConstraints(Set.of("image/png", "image/jpeg", "image/webp"),
            (DATA_URI_LIMIT - 64) / 4 * 3, false, 2048);
    static final int MAX_PROMPT = 1000;

    private final String base;
    private final Secret apiKey;
    private final Http http;

    public RunwayUpstream(String baseUrl, Secret apiKey, Duration requestTimeout) {
        this.base = WireRecords.stripSlash(baseUrl != null ? baseUrl : DEFAULT_BASE_URL);
        this.apiKey = apiKey;
        this.http = new Http(requestTimeout).trusting(base);
    }

    @Override
    public String provider() {
        return "runway";
    }

    @Override
    public ImageConstraints imageConstraints() {
        return IMAGES;
    }

    @Override
    public String refuse(UpstreamJob job) {
        List<String> others = job.images().stream().map(FittedImage::role)
                .filter(r -> r != ImageRole.FIRST_FRAME && r != ImageRole.LAST_FRAME && r != ImageRole.REFERENCE)
                .map(ImageRole::wireName).distinct().toList();
        if (!others.isEmpty()) {
            return "Runway's promptImage carries first, last or reference images; " + String.join(", ", others)
                    + " cannot be sent";
        }
        if (job.images().isEmpty()) return "Runway image_to_video needs a promptImage";
        boolean reference = job.images().stream().anyMatch(i -> i.role() == ImageRole.REFERENCE);
        boolean frames = job.images().stream().anyMatch(i -> i.role() != ImageRole.REFERENCE);
        if (reference && frames) return "Runway does not mix reference images (no position) with first/last frames";
        String prompt = job.plan().request().prompt();
        if (prompt != null && prompt.length() > MAX_PROMPT) {
            return "prompt has " + prompt.length() + " characters; Runway's promptText takes at most " + MAX_PROMPT;
        }
        return null;
    }

    @Override
    public String submit(UpstreamJob job, String idempotencyKey, Duration timeout) throws UpstreamException {
        HttpRequest req = authed(base + "/v1/image_to_video").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(WireRecords.json(createBody(job)))).build();
        RunwayWire.Created created = WireRecords.read(http.json(req, "Runway image_to_video", timeout), RunwayWire.Created.class,
                "Runway image_to_video");
        if (created.id() == null || created.id().isBlank()) {
            throw new UpstreamException(UpstreamException.Kind.TRANSIENT, 200, null, "Runway image_to_video answered without a task id");
        }
        return created.id();
    }

    static RunwayWire.Create createBody(UpstreamJob job) {
        RenderPlan plan = job.plan();
        List<RunwayWire.PromptImage> images = new ArrayList<>();
        // first before last, whatever order the request gave them in
        for (ImageRole role : List.of(ImageRole.FIRST_FRAME, ImageRole.LAST_FRAME, ImageRole.REFERENCE)) {
            for (FittedImage img : job.imagesWith(role)) {
                String position = role == ImageRole.FIRST_FRAME ? "first" : role == ImageRole.LAST_FRAME ? "last" : null;
                images.add(new RunwayWire.PromptImage(dataUri(img), position));
            }
        }
        // which optional fields a model takes is catalog data (its field map): seed on Gen-4, audio and negativePrompt on Veo
        WireFields wire = plan.model().wire();
        Long seed = wire.field("seed") != null ? plan.request().seed() : null;
        Boolean audio = wire.field("audio") != null ? plan.audio() : null;
        String negative = wire.field("negative_prompt") != null ? plan.request().negativePrompt() : null;
        return new RunwayWire.Create(job.upstreamModel(), images, plan.request().prompt(),
                plan.size().width() + ":" + plan.size().height(), plan.seconds(), seed, audio, negative);
    }

    static String dataUri(FittedImage img) {
        return "data:" + img.mimeType() + ";base64," + Base64.getEncoder().encodeToString(img.bytes());
    }

    @Override
    public Poll poll(String handle, Duration timeout) throws UpstreamException {
        String what = "Runway task " + handle;
        RunwayWire.Task task = WireRecords.read(http.json(authed(base + "/v1/tasks/" + handle).GET().build(), what, timeout),
                RunwayWire.Task.class, what);
        String status = task.status() == null ? "" : task.status().toUpperCase(Locale.ROOT);
        return switch (status) {
            // THROTTLED: over the organisation's concurrency, queued by Runway; it starts by itself
            case "PENDING", "THROTTLED" -> new Poll.Running(0, null);
            case "RUNNING" -> new Poll.Running(task.progress() == null ? 0
                    : (int) Math.round(Math.max(0, Math.min(1, task.progress())) * 100), null);
            case "SUCCEEDED" -> done(task, what);
            case "FAILED" -> failed(task);
            case "CANCELLED", "CANCELED" -> new Poll.Failed("cancelled", "the task was cancelled at Runway");
            default -> throw new UpstreamException(UpstreamException.Kind.TRANSIENT, 200, null,
                    what + ": unknown status " + SafeText.code(task.status()));
        };
    }

    private static Poll done(RunwayWire.Task task, String what) throws UpstreamException {
        List<ResultRef> videos = new ArrayList<>();
        if (task.output() != null) {
            for (String url : task.output()) if (url != null && !url.isBlank()) videos.add(new ResultRef(url, null, "video/mp4"));
        }
        if (videos.isEmpty()) {
            throw new UpstreamException(UpstreamException.Kind.TRANSIENT, 200, null, what + ": SUCCEEDED without output");
        }
        return new Poll.Done(videos);
    }

    /**
     * Moderation failures carry a {@code failureCode} starting {@code SAFETY} ({@code SAFETY.INPUT.IMAGE},
     * {@code SAFETY.OUTPUT.VIDEO}) or naming it ({@code INPUT_PREPROCESSING.SAFETY.TEXT}).
     */
    private static Poll failed(RunwayWire.Task task) {
        String code = task.failureCode() != null ? SafeText.code(task.failureCode()) : null;
        String message = task.failure() != null && !task.failure().isBlank() ? SafeText.redact(task.failure()) : "no message";
        if (task.failureCode() != null && isSafety(task.failureCode())) {
            return new Poll.Filtered(message + (code != null ? " (" + code + ")" : ""));
        }
        return new Poll.Failed(code, message);
    }

    static boolean isSafety(String failureCode) {
        String c = failureCode.toUpperCase(Locale.ROOT);
        return c.startsWith("SAFETY") || c.contains(".SAFETY");
    }

    /** Output URLs are signed CDN links: fetched without the API key. */
    @Override
    public boolean fetch(String handle, ResultRef result, int index, OutputFiles out, Duration timeout)
            throws UpstreamException {
        if (result.uri() == null) {
            throw new UpstreamException(UpstreamException.Kind.NOT_FOUND, 0, null, "Runway output of " + handle + " has no URL");
        }
        http.download(http.request(result.uri()).GET().build(), out.video(), "Runway download of " + handle, timeout);
        return false;
    }

    /** {@code DELETE /v1/tasks/{id}} cancels a pending, throttled or running task (and deletes a finished one). */
    @Override
    public boolean cancel(String handle, Duration timeout) throws UpstreamException {
        http.json(authed(base + "/v1/tasks/" + handle).DELETE().build(), "Runway cancel task " + handle, timeout);
        return true;
    }

    private HttpRequest.Builder authed(String url) {
        return http.request(url).header("Authorization", "Bearer " + apiKey.reveal()).header("X-Runway-Version", API_VERSION);
    }

    @Override
    public String toString() {
        return "RunwayUpstream[" + base + ", key " + apiKey + "]";
    }
}
