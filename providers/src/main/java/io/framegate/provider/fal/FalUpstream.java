package io.framegate.provider.fal;

import com.fasterxml.jackson.databind.JsonNode;
import io.framegate.domain.OutputFiles;
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

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * fal's queue API ({@code https://queue.fal.run}, {@code Authorization: Key ...}): {@code POST /{endpoint id}} with the
 * model's input (written from its catalog field map), {@code GET /{app}/requests/{id}/status} to poll and
 * {@code GET /{app}/requests/{id}} for the result, {@code PUT .../cancel} to cancel, where {@code app} is the endpoint
 * id without its sub-path ({@code fal-ai/veo3.1} for {@code fal-ai/veo3.1/first-last-frame-to-video}).
 * <p>
 * fal has no failed state: a failed job reaches {@code COMPLETED} and its error comes back from the result fetch
 * (a model error {@code detail[]}, a content filter as type {@code content_policy_violation}, or a request error with
 * {@code error_type}). The status stream ({@code .../status/stream}, SSE) is not used: a job here is looked at once per
 * poll interval, which one status call answers, and holding a connection per job would tie a thread to it.
 * Images go inline as data URIs (fal: "models also accept base64-encoded data URIs"); results are public CDN URLs,
 * downloaded without the key.
 */
public final class FalUpstream implements VideoUpstream {
    public static final String DEFAULT_BASE_URL = "https://queue.fal.run";
    private static final ImageConstraints IMAGES = new ImageConstraints(Set.of("image/png", "image/jpeg", "image/webp"),
            10L * 1024 * 1024, false, 2048);
    /** fal's type for a safety refusal; other models word it in the message only. */
    private static final Pattern FILTERED = Pattern.compile(
            "content[_ ]?policy|content[_ ]?filter|safety|nsfw|moderation|sensitive", Pattern.CASE_INSENSITIVE);

    private final String base;
    private final Secret apiKey;
    private final Http http;

    public FalUpstream(String baseUrl, Secret apiKey, Duration requestTimeout) {
        String b = baseUrl != null ? baseUrl : DEFAULT_BASE_URL;
        this.base = b.endsWith("/") ? b.substring(0, b.length() - 1) : b;
        this.apiKey = apiKey;
        this.http = new Http(requestTimeout).trusting(base);
    }

    @Override
    public String provider() {
        return "fal";
    }

    @Override
    public ImageConstraints imageConstraints() {
        return IMAGES;
    }

    @Override
    public String refuse(UpstreamJob job) {
        return WireInput.refuse(job, job.servesUrls());
    }

    @Override
    public String submit(UpstreamJob job, String idempotencyKey, Duration timeout) throws UpstreamException {
        String body = WireInput.build(job, img -> WireInput.image(job, img)).toString();
        JsonNode answer = http.json(authed(base + "/" + job.upstreamModel()).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), "fal submit", timeout);
        FalWire.Queued q = read(answer, FalWire.Queued.class, "fal submit");
        if (q == null || q.request_id() == null || !q.request_id().matches("[A-Za-z0-9_-]{1,128}")) {
            // no handle: the job may exist, so this is as unclear as no answer
            throw new UpstreamException(UpstreamException.Kind.TRANSIENT, 200, null, "fal submit answered without a request_id");
        }
        return app(job.upstreamModel()) + "/requests/" + q.request_id();
    }

    /** The endpoint id without its sub-path: fal's status, result and cancel paths name only owner/app. */
    static String app(String endpointId) {
        String[] parts = endpointId.split("/");
        return parts.length <= 2 ? endpointId : parts[0] + "/" + parts[1];
    }

    @Override
    public Poll poll(String handle, Duration timeout) throws UpstreamException {
        FalWire.Status st = read(http.json(authed(base + "/" + handle + "/status").GET().build(),
                "fal status of " + handle, timeout), FalWire.Status.class, "fal status of " + handle);
        String status = st == null || st.status() == null ? "" : st.status();
        return switch (status) {
            case "IN_QUEUE", "IN_PROGRESS" -> new Poll.Running(0, null);
            // COMPLETED is also how fal ends a failed job: the result fetch tells which
            default -> result(handle, timeout);
        };
    }

    private Poll result(String handle, Duration timeout) throws UpstreamException {
        String what = "fal result of " + handle;
        Http.Answer a = http.exchange(authed(base + "/" + handle).GET().build(), what, timeout);
        JsonNode body = tree(a.body());
        if (a.ok()) {
            FalWire.Result r = read(body, FalWire.Result.class, what);
            if (r == null || r.video() == null || r.video().url() == null) {
                return new Poll.Failed("no_video", "fal reported " + handle + " completed without a video");
            }
            String type = r.video().content_type() != null ? r.video().content_type() : "video/mp4";
            return new Poll.Done(List.of(new ResultRef(r.video().url(), null, type)));
        }
        FalWire.Failure f = body == null || a.status() == 429 || a.status() == 404 ? null : FalWire.Failure.of(body);
        if (f == null) {
            // not a job outcome (rate limit, gone, a bare gateway error): classified for retry or expiry
            throw new UpstreamException(UpstreamException.kindOf(a.status()), a.status(), a.retryAfter(),
                    SafeText.httpFailure(what, a.status(), SafeText.errorCode(a.body())));
        }
        if ("content_policy_violation".equals(f.type()) || FILTERED.matcher(f.message()).find()) {
            return new Poll.Filtered(f.message());
        }
        return new Poll.Failed(SafeText.code(f.type()), f.message());
    }

    @Override
    public boolean fetch(String handle, ResultRef result, int index, OutputFiles out, Duration timeout)
            throws UpstreamException {
        String uri = result.uri();
        if (uri == null || !uri.matches("https?://.+")) {
            throw new UpstreamException(UpstreamException.Kind.REJECTED, 0, null, "fal result of " + handle + " has no video URL");
        }
        // the CDN is public: the key is not sent there
        http.download(http.request(uri).GET().build(), out.video(), "fal video download of " + handle + " from "
                + URI.create(uri).getHost(), timeout);
        return false;
    }

    @Override
    public boolean cancel(String handle, Duration timeout) throws UpstreamException {
        String what = "fal cancel of " + handle;
        Http.Answer a = http.exchange(authed(base + "/" + handle + "/cancel").PUT(HttpRequest.BodyPublishers.noBody()).build(),
                what, timeout);
        JsonNode body = tree(a.body());
        String status = body == null ? null : SafeText.code(body.path("status").asText(null));
        if (a.ok() || "ALREADY_COMPLETED".equals(status)) return true;
        throw new UpstreamException(UpstreamException.kindOf(a.status()), a.status(), a.retryAfter(),
                SafeText.httpFailure(what, a.status(), status != null ? status : SafeText.errorCode(a.body())));
    }

    private HttpRequest.Builder authed(String url) {
        return http.request(url).header("Authorization", "Key " + apiKey.reveal());
    }

    private static JsonNode tree(byte[] body) {
        if (body == null || body.length == 0) return null;
        try {
            return Http.JSON.readTree(body);
        } catch (IOException e) {
            return null;
        }
    }

    private static <T> T read(JsonNode node, Class<T> type, String what) throws UpstreamException {
        if (node == null) return null;
        try {
            return Http.JSON.treeToValue(node, type);
        } catch (IOException e) {
            throw new UpstreamException(UpstreamException.Kind.TRANSIENT, 200, null, what + ": unreadable answer", e);
        }
    }

    @Override
    public String toString() {
        return "FalUpstream[" + base + ", key " + apiKey + "]";
    }
}
