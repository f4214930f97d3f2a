package io.framegate.provider.luma;

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
import io.framegate.provider.WireRecords;

import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Luma, on either of its APIs, chosen by the upstream model:
 * <ul>
 *   <li>Agents API ({@code ray-3.2}): {@code POST /generations} with {@code type: video} and {@code video.start_frame}
 *       / {@code video.end_frame} as inline base64; {@code GET /generations/{id}}; no cancel is documented;</li>
 *   <li>Dream Machine API ({@code ray-2}, {@code ray-flash-2}, {@code ray-1-6}): {@code POST /generations} with
 *       {@code keyframes.frame0} / {@code frame1} = {@code {type: image, url}}; URLs are its only image input, so a
 *       job with images gets Framegate's signed input URLs ({@link UpstreamJob#urlOf}) and is refused without them;
 *       {@code GET|DELETE /generations/{id}}.</li>
 * </ul>
 * The handle names the API ({@code agents/<id>}, {@code dream-machine/<id>}) so a resumed job polls the right one.
 * Result URLs are presigned (an hour on the Agents API) and downloaded at once, without the key.
 */
public final class LumaUpstream implements VideoUpstream {
    public static final String DEFAULT_AGENTS_URL = "https://agents.lumalabs.ai/v1";
    public static final String DEFAULT_DREAM_MACHINE_URL = "https://api.lumalabs.ai/dream-machine/v1";
    static final String AGENTS = "agents/";
    static final String DREAM_MACHINE = "dream-machine/";
    /** No limit is documented; 10 MB matches the other first/last-frame APIs. */
    private static final ImageConstraints IMAGES = new ImageConstraints(Set.of("image/png", "image/jpeg", "image/webp"),
            10L * 1000 * 1000, false, 2048);
    static final int MAX_PROMPT = 6000;
    /** Dream Machine names no failure codes; these words in its {@code failure_reason} mark a moderation refusal. */
    private static final Pattern FILTERED = Pattern.compile(
            "moderat|safety|content[ _]?policy|inappropriate|prohibited|blocked", Pattern.CASE_INSENSITIVE);

    private final String agentsBase;
    private final String dreamMachineBase;
    private final Secret apiKey;
    private final Http http;

    /** @param baseUrl overrides both APIs' hosts (a proxy, a test); null for Luma's own */
    public LumaUpstream(String baseUrl, Secret apiKey, Duration requestTimeout) {
        this.agentsBase = WireRecords.stripSlash(baseUrl != null ? baseUrl : DEFAULT_AGENTS_URL);
        this.dreamMachineBase = WireRecords.stripSlash(baseUrl != null ? baseUrl : DEFAULT_DREAM_MACHINE_URL);
        this.apiKey = apiKey;
        this.http = new Http(requestTimeout).trusting(agentsBase, dreamMachineBase);
    }

    @Override
    public String provider() {
        return "luma";
    }

    @Override
    public ImageConstraints imageConstraints() {
        return IMAGES;
    }

    /**
     * Which API serves the model, from its catalog field map: a first frame under {@code video.} is the Agents API's
     * {@code video.start_frame}; without a field map, Ray 3 models are on the Agents API.
     */
    static boolean onAgentsApi(ModelSpec model) {
        String first = model.wire().field(ImageRole.FIRST_FRAME);
        return first != null ? first.startsWith("video.") : model.id().toLowerCase(Locale.ROOT).startsWith("ray-3");
    }

    /** Whether the model takes inline images (its field map's {@code images}); Dream Machine takes URLs only. */
    static boolean takesInline(ModelSpec model) {
        List<String> forms = model.wire().images();
        return forms.contains("base64") || forms.contains("data_uri");
    }

    @Override
    public String refuse(UpstreamJob job) {
        List<String> others = job.images().stream().map(FittedImage::role)
                .filter(r -> r != ImageRole.FIRST_FRAME && r != ImageRole.LAST_FRAME)
                .map(ImageRole::wireName).distinct().toList();
        if (!others.isEmpty()) {
            return "Luma takes a start and an end frame only; " + String.join(", ", others) + " cannot be sent";
        }
        String prompt = job.plan().request().prompt();
        if (prompt == null || prompt.isBlank()) return "Luma needs a prompt";
        if (prompt.length() > MAX_PROMPT) return "prompt has " + prompt.length() + " characters; Luma takes at most " + MAX_PROMPT;
        if (!takesInline(job.plan().model()) && !job.images().isEmpty() && !job.servesUrls()) {
            return "Luma's Dream Machine API (" + job.upstreamModel() + ") reads keyframes only from URLs, and this "
                    + "Framegate serves no signed input URLs (no public base URL is configured); use ray-3.2 on the "
                    + "Agents API, which takes inline images";
        }
        return null;
    }

    @Override
    public String submit(UpstreamJob job, String idempotencyKey, Duration timeout) throws UpstreamException {
        boolean agents = onAgentsApi(job.plan().model());
        Object body = agents ? agentsBody(job) : legacyBody(job);
        String what = "Luma create generation";
        HttpRequest req = authed((agents ? agentsBase : dreamMachineBase) + "/generations")
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(WireRecords.json(body))).build();
        LumaWire.Generation g = WireRecords.read(http.json(req, what, timeout), LumaWire.Generation.class, what);
        if (g.id() == null || g.id().isBlank()) {
            throw new UpstreamException(UpstreamException.Kind.TRANSIENT, 200, null, what + " answered without an id");
        }
        return (agents ? AGENTS : DREAM_MACHINE) + g.id();
    }

    static LumaWire.AgentsCreate agentsBody(UpstreamJob job) {
        RenderPlan plan = job.plan();
        LumaWire.VideoOptions video = new LumaWire.VideoOptions(plan.resolution(), plan.seconds() + "s",
                inline(job, ImageRole.FIRST_FRAME), inline(job, ImageRole.LAST_FRAME));
        return new LumaWire.AgentsCreate(job.upstreamModel(), "video", plan.request().prompt(), aspect(plan), video);
    }

    /** Luma writes the cinema ratio 21:9 (which 1680x720 reduces to 7:3). */
    static String aspect(RenderPlan plan) {
        return switch (plan.aspectRatio()) {
            case "7:3" -> "21:9";
            case "3:7" -> "9:21";
            default -> plan.aspectRatio();
        };
    }

    private static LumaWire.ImageRef inline(UpstreamJob job, ImageRole role) {
        List<FittedImage> imgs = job.imagesWith(role);
        if (imgs.isEmpty()) return null;
        FittedImage img = imgs.get(0);
        return new LumaWire.ImageRef(null, Base64.getEncoder().encodeToString(img.bytes()), img.mimeType());
    }

    static LumaWire.LegacyCreate legacyBody(UpstreamJob job) throws UpstreamException {
        RenderPlan plan = job.plan();
        LumaWire.Keyframe frame0 = keyframe(job, ImageRole.FIRST_FRAME);
        LumaWire.Keyframe frame1 = keyframe(job, ImageRole.LAST_FRAME);
        LumaWire.Keyframes keyframes = frame0 == null && frame1 == null ? null : new LumaWire.Keyframes(frame0, frame1);
        return new LumaWire.LegacyCreate(job.upstreamModel(), plan.request().prompt(), aspect(plan),
                plan.resolution(), plan.seconds() + "s", keyframes);
    }

    private static LumaWire.Keyframe keyframe(UpstreamJob job, ImageRole role) throws UpstreamException {
        List<FittedImage> imgs = job.imagesWith(role);
        return imgs.isEmpty() ? null : new LumaWire.Keyframe("image", job.urlOf(imgs.get(0)));
    }

    @Override
    public Poll poll(String handle, Duration timeout) throws UpstreamException {
        String what = "Luma generation " + handle;
        LumaWire.Generation g = WireRecords.read(http.json(authed(url(handle)).GET().build(), what, timeout),
                LumaWire.Generation.class, what);
        String state = g.state() == null ? "" : g.state().toLowerCase(Locale.ROOT);
        return switch (state) {
            case "queued", "pending" -> new Poll.Running(0, null);
            case "dreaming", "processing" -> new Poll.Running(50, null);
            case "completed" -> done(g, what);
            case "failed" -> failed(g);
            default -> throw new UpstreamException(UpstreamException.Kind.TRANSIENT, 200, null,
                    what + ": unknown state " + SafeText.code(g.state()));
        };
    }

    private static Poll done(LumaWire.Generation g, String what) throws UpstreamException {
        String url = g.assets() != null ? g.assets().video() : null;
        if (url == null && g.output() != null) {
            url = g.output().stream().filter(o -> o.url() != null && (o.type() == null || o.type().startsWith("video")))
                    .map(LumaWire.Output::url).findFirst().orElse(null);
        }
        if (url == null || url.isBlank()) {
            throw new UpstreamException(UpstreamException.Kind.TRANSIENT, 200, null, what + ": completed without a video URL");
        }
        return new Poll.Done(List.of(new ResultRef(url, null, "video/mp4")));
    }

    private static Poll failed(LumaWire.Generation g) {
        String code = g.failureCode() != null ? SafeText.code(g.failureCode()) : null;
        String reason = g.failureReason() != null && !g.failureReason().isBlank() ? SafeText.redact(g.failureReason()) : "no reason given";
        if ("content_moderated".equals(g.failureCode()) || (g.failureCode() == null && FILTERED.matcher(reason).find())) {
            return new Poll.Filtered(reason + (code != null ? " (" + code + ")" : ""));
        }
        return new Poll.Failed(code, reason);
    }

    @Override
    public boolean fetch(String handle, ResultRef result, int index, OutputFiles out, Duration timeout)
            throws UpstreamException {
        if (result.uri() == null) {
            throw new UpstreamException(UpstreamException.Kind.NOT_FOUND, 0, null, "Luma result of " + handle + " has no URL");
        }
        http.download(http.request(result.uri()).GET().build(), out.video(), "Luma download of " + handle, timeout);
        return false;
    }

    /** Dream Machine's {@code DELETE /generations/{id}}; the Agents API documents no cancel. */
    @Override
    public boolean cancel(String handle, Duration timeout) throws UpstreamException {
        if (!handle.startsWith(DREAM_MACHINE)) return false;
        http.json(authed(url(handle)).DELETE().build(), "Luma delete generation " + handle, timeout);
        return true;
    }

    private String url(String handle) throws UpstreamException {
        if (handle.startsWith(AGENTS)) return agentsBase + "/generations/" + handle.substring(AGENTS.length());
        if (handle.startsWith(DREAM_MACHINE)) return dreamMachineBase + "/generations/" + handle.substring(DREAM_MACHINE.length());
        throw new UpstreamException(UpstreamException.Kind.NOT_FOUND, 0, null, "not a Luma handle: " + SafeText.code(handle));
    }

    private HttpRequest.Builder authed(String url) {
        return http.request(url).header("Authorization", "Bearer " + apiKey.reveal());
    }

    @Override
    public String toString() {
        return "LumaUpstream[" + agentsBase + ", " + dreamMachineBase + ", key " + apiKey + "]";
    }
}
