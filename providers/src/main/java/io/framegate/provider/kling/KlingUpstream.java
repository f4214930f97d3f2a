package io.framegate.provider.kling;

import io.framegate.domain.ImageRole;
import io.framegate.domain.OutputFiles;
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
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Kling's own API: {@code POST /v1/videos/image2video} with the first frame as {@code image} and the last as
 * {@code image_tail} (raw base64, no {@code data:} prefix), {@code GET /v1/videos/image2video/{task_id}} to poll, the
 * result downloaded from {@code task_result.videos[].url} (kept 30 days upstream). Every request carries a fresh JWT
 * made from the access and secret keys ({@link KlingJwt}). Kling has no cancel. The resolution picks the mode:
 * 1080p is {@code pro}, 720p {@code std}; the output takes the frame's aspect ratio (there is no aspect parameter),
 * so the frames are fitted to the video's.
 */
public final class KlingUpstream implements VideoUpstream {
    public static final String DEFAULT_BASE_URL = "https://api-singapore.klingai.com";
    /** API reference: JPG/PNG up to 10 MB, at least 300 px a side, aspect 1:2.5 to 2.5:1. */
    private static final ImageConstraints IMAGES = new ImageConstraints(Set.of("image/png", "image/jpeg"),
            10L * 1000 * 1000, false, 2048);
    static final int MIN_SIDE = 300;
    static final int MAX_PROMPT = 2500;
    /** Words of Kling's failure messages for a job its content checks stopped ("risk control", "sensitive"...). */
    private static final Pattern FILTERED = Pattern.compile(
            "risk|safety|sensitive|moderation|content[ _]?(security|policy|filter)|policy[ _]?violation|inappropriate",
            Pattern.CASE_INSENSITIVE);

    private final String base;
    private final Secret accessKey;
    private final Secret secretKey;
    private final Http http;
    private final Clock clock;

    public KlingUpstream(String baseUrl, Secret accessKey, Secret secretKey, Duration requestTimeout, Clock clock) {
        this.base = stripSlash(baseUrl != null ? baseUrl : DEFAULT_BASE_URL);
        this.accessKey = accessKey;
        this.secretKey = secretKey;
        this.http = new Http(requestTimeout).trusting(base);
        this.clock = clock;
    }

    @Override
    public String provider() {
        return "kling";
    }

    @Override
    public ImageConstraints imageConstraints() {
        return IMAGES;
    }

    @Override
    public String refuse(UpstreamJob job) {
        List<String> others = job.images().stream()
                .filter(i -> i.role() != ImageRole.FIRST_FRAME && i.role() != ImageRole.LAST_FRAME)
                .map(i -> i.role().wireName()).distinct().toList();
        if (!others.isEmpty()) {
            return "Kling image2video takes a first frame (image) and a last frame (image_tail) only; "
                    + String.join(", ", others) + " cannot be sent";
        }
        if (job.images().isEmpty()) return "Kling image2video needs a first_frame or last_frame image";
        String prompt = job.plan().request().prompt();
        if (prompt != null && prompt.length() > MAX_PROMPT) {
            return "prompt has " + prompt.length() + " characters; Kling takes at most " + MAX_PROMPT;
        }
        String negative = job.plan().request().negativePrompt();
        if (negative != null && negative.length() > MAX_PROMPT) {
            return "negative_prompt has " + negative.length() + " characters; Kling takes at most " + MAX_PROMPT;
        }
        return null;
    }

    /** The job's idempotency key goes as {@code external_task_id}: Kling keeps it unique per account. */
    @Override
    public String submit(UpstreamJob job, String idempotencyKey, Duration timeout) throws UpstreamException {
        KlingWire.Create body = createBody(job, idempotencyKey);
        HttpRequest req = authed(base + "/v1/videos/image2video").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(write(body))).build();
        KlingWire.Answer answer = WireRecords.read(http.json(req, "Kling create image2video", timeout),
                KlingWire.Answer.class, "Kling create image2video");
        if (answer.data() == null || answer.data().taskId() == null || answer.data().taskId().isBlank()) {
            // accepted or not, nobody can tell: never sent again
            throw new UpstreamException(UpstreamException.Kind.TRANSIENT, 200, null,
                    "Kling create image2video answered without a task_id (code " + safeCode(answer.code()) + ")");
        }
        return answer.data().taskId();
    }

    KlingWire.Create createBody(UpstreamJob job, String idempotencyKey) throws UpstreamException {
        String image = null, tail = null;
        for (FittedImage img : job.images()) {
            if (Math.min(img.width(), img.height()) < MIN_SIDE) {
                throw new UpstreamException(UpstreamException.Kind.REJECTED, 0, null, img.role().wireName() + " is "
                        + img.width() + "x" + img.height() + "; Kling needs at least " + MIN_SIDE + " px on each side");
            }
            String b64 = Base64.getEncoder().encodeToString(img.bytes());
            if (img.role() == ImageRole.FIRST_FRAME) image = b64;
            else if (img.role() == ImageRole.LAST_FRAME) tail = b64;
        }
        var plan = job.plan();
        // only the models whose field map names it (kling-v2-6) take sound
        String sound = plan.model().wire().field("audio") == null ? null : plan.audio() ? "on" : "off";
        return new KlingWire.Create(job.upstreamModel(), image, tail, plan.request().prompt(),
                plan.request().negativePrompt(), mode(plan.resolution()), String.valueOf(plan.seconds()), sound,
                idempotencyKey);
    }

    /** Kling's std mode renders 720p, pro 1080p. */
    static String mode(String resolution) {
        return "1080p".equals(resolution) ? "pro" : "std";
    }

    @Override
    public Poll poll(String handle, Duration timeout) throws UpstreamException {
        String what = "Kling query task " + handle;
        KlingWire.Answer answer = WireRecords.read(http.json(authed(base + "/v1/videos/image2video/" + handle).GET().build(),
                what, timeout), KlingWire.Answer.class, what);
        KlingWire.Task task = answer.data();
        if (task == null || task.taskStatus() == null) {
            throw new UpstreamException(UpstreamException.Kind.TRANSIENT, 200, null,
                    what + ": answer without task_status (code " + safeCode(answer.code()) + ")");
        }
        return switch (task.taskStatus().toLowerCase(Locale.ROOT)) {
            case "submitted" -> new Poll.Running(0, null);
            case "processing" -> new Poll.Running(50, null);
            case "succeed", "succeeded" -> done(task, what);
            case "failed" -> failed(task);
            default -> throw new UpstreamException(UpstreamException.Kind.TRANSIENT, 200, null,
                    what + ": unknown task_status " + SafeText.code(task.taskStatus()));
        };
    }

    private static Poll done(KlingWire.Task task, String what) throws UpstreamException {
        List<ResultRef> videos = new ArrayList<>();
        if (task.taskResult() != null && task.taskResult().videos() != null) {
            for (KlingWire.Video v : task.taskResult().videos()) {
                if (v.url() != null && !v.url().isBlank()) videos.add(new ResultRef(v.url(), null, "video/mp4"));
            }
        }
        if (videos.isEmpty()) {
            throw new UpstreamException(UpstreamException.Kind.TRANSIENT, 200, null, what + ": succeeded without a video URL");
        }
        return new Poll.Done(videos);
    }

    private static Poll failed(KlingWire.Task task) {
        String msg = task.taskStatusMsg() != null && !task.taskStatusMsg().isBlank() ? task.taskStatusMsg() : "no message";
        if (FILTERED.matcher(msg).find()) return new Poll.Filtered(SafeText.redact(msg));
        return new Poll.Failed(null, SafeText.redact(msg));
    }

    /** The video URL is a CDN link: fetched without the JWT, which goes to the API host only. */
    @Override
    public boolean fetch(String handle, ResultRef result, int index, OutputFiles out, Duration timeout)
            throws UpstreamException {
        if (result.uri() == null) {
            throw new UpstreamException(UpstreamException.Kind.NOT_FOUND, 0, null, "Kling result of " + handle + " has no URL");
        }
        http.download(http.request(result.uri()).GET().build(), out.video(), "Kling download of " + handle, timeout);
        return false;
    }

    /** The submit's idempotency key is its {@code external_task_id}, which Kling looks a task up by. */
    @Override
    public boolean canListJobs() {
        return true;
    }

    /**
     * After an unclear submit: {@code GET /v1/videos/image2video/{external_task_id}} (Kling's query takes a task id or
     * the caller's external id). The task it answers is the one the submit made, unless its
     * {@code task_info.external_task_id} names another id (an answer without {@code task_info} was still looked up by
     * this key, and the key's {@code framegate-} form cannot be one of Kling's own task ids); an unknown id (404, or
     * Kling's 4xx for a missing resource) means none (yet).
     */
    @Override
    public List<String> findSubmitted(UpstreamJob job, String idempotencyKey, java.time.Instant sentAt,
                                      java.time.Instant latest, Duration timeout) throws UpstreamException {
        if (idempotencyKey == null || !idempotencyKey.matches("[A-Za-z0-9_-]{1,128}")) return List.of();
        String what = "Kling query task by external_task_id";
        KlingWire.Answer answer;
        try {
            HttpRequest req = authed(base + "/v1/videos/image2video/" + idempotencyKey).GET().build();
            answer = WireRecords.read(http.json(req, what, timeout), KlingWire.Answer.class, what);
        } catch (UpstreamException e) {
            boolean unknown = e.kind() == UpstreamException.Kind.NOT_FOUND || e.kind() == UpstreamException.Kind.REJECTED;
            if (unknown) return List.of();
            throw e;
        }
        KlingWire.Task task = answer.data();
        if (task == null || task.taskId() == null || task.taskId().isBlank()) return List.of();
        String external = task.taskInfo() == null ? null : task.taskInfo().externalTaskId();
        return external == null || external.equals(idempotencyKey) ? List.of(task.taskId()) : List.of();
    }

    /** Kling's API has no way to stop a task. */
    @Override
    public boolean cancel(String handle, Duration timeout) {
        return false;
    }

    private HttpRequest.Builder authed(String url) {
        return http.request(url).header("Authorization", "Bearer " + KlingJwt.token(accessKey, secretKey, clock.instant()));
    }

    static String write(Object body) {
        try {
            return Http.JSON.writeValueAsString(body);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("cannot write a request body", e);
        }
    }

    private static String safeCode(Integer code) {
        return code == null ? "none" : String.valueOf(code);
    }

    static String stripSlash(String s) {
        return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
    }

    @Override
    public String toString() {
        return "KlingUpstream[" + base + ", access key " + accessKey + ", secret key " + secretKey + "]";
    }
}
