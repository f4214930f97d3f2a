package io.framegate.provider.replicate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.framegate.domain.OutputFiles;
import io.framegate.provider.Http;
import io.framegate.provider.ImageConstraints;
import io.framegate.provider.Poll;
import io.framegate.provider.ResultRef;
import io.framegate.provider.Secret;
import io.framegate.provider.UpstreamException;
import io.framegate.provider.UpstreamJob;
import io.framegate.provider.VideoUpstream;
import io.framegate.provider.WireRecords;
import io.framegate.provider.WireInput;

import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Replicate predictions ({@code https://api.replicate.com/v1}, {@code Authorization: Bearer ...}):
 * {@code POST /models/{owner}/{name}/predictions} (or {@code POST /predictions} with {@code version} for an
 * {@code owner/name:version} id) with {@code {"input": ...}} written from the model's catalog field map,
 * {@code Prefer: wait=N} and {@code Cancel-After} set to the job's deadline (Replicate then stops, and for a job not
 * yet started does not bill, a prediction Framegate has given up on even if the cancel call is lost);
 * {@code GET /predictions/{id}} to poll, {@code POST /predictions/{id}/cancel} to cancel. Outputs are deleted after
 * an hour, so they are downloaded as soon as the prediction succeeds. Images go inline as data URLs (Replicate: for
 * files up to 256 KB; the fitter re-encodes frames to fit).
 */
public final class ReplicateUpstream implements VideoUpstream {
    public static final String DEFAULT_BASE_URL = "https://api.replicate.com/v1";
    private static final ImageConstraints IMAGES = new ImageConstraints(Set.of("image/png", "image/jpeg", "image/webp"),
            256L * 1024, false, 2048);
    private static final Pattern FILTERED = Pattern.compile(
            "flagged as sensitive|nsfw|content[_ ]?policy|content[_ ]?filter|safety|moderation|E005", Pattern.CASE_INSENSITIVE);
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9_-]{1,128}");

    private final String base;
    private final Secret apiKey;
    private final int preferWait;
    private final String cancelAfter;
    private final Http http;

    public ReplicateUpstream(String baseUrl, Secret apiKey, int preferWait, Duration deadline, Duration requestTimeout) {
        String b = baseUrl != null ? baseUrl : DEFAULT_BASE_URL;
        this.base = b.endsWith("/") ? b.substring(0, b.length() - 1) : b;
        this.apiKey = apiKey;
        this.preferWait = preferWait;
        this.cancelAfter = ReplicateProvider.cancelAfter(deadline);
        this.http = new Http(requestTimeout).trusting(base);
    }

    @Override
    public String provider() {
        return "replicate";
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
        String model = job.upstreamModel();
        ObjectNode body = Http.JSON.createObjectNode();
        String url;
        int colon = model.indexOf(':');
        if (colon > 0) {
            url = base + "/predictions";
            body.put("version", model.substring(colon + 1));
        } else {
            url = base + "/models/" + model + "/predictions";
        }
        body.set("input", WireInput.build(job, img -> WireInput.image(job, img)));
        HttpRequest.Builder req = authed(url).header("Content-Type", "application/json").header("Cancel-After", cancelAfter);
        if (preferWait > 0) req.header("Prefer", "wait=" + preferWait);
        ReplicateWire.Prediction p = WireRecords.read(http.json(req.POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(),
                "Replicate create prediction", timeout), ReplicateWire.Prediction.class, "Replicate create prediction");
        if (p.id() == null || !ID.matcher(p.id()).matches()) {
            throw new UpstreamException(UpstreamException.Kind.TRANSIENT, 200, null,
                    "Replicate create prediction answered without a prediction id");
        }
        return p.id();
    }

    @Override
    public Poll poll(String handle, Duration timeout) throws UpstreamException {
        String what = "Replicate prediction " + handle;
        ReplicateWire.Prediction p = WireRecords.read(http.json(authed(base + "/predictions/" + handle).GET().build(), what,
                timeout), ReplicateWire.Prediction.class, what);
        String status = p.status() == null ? "" : p.status();
        return switch (status) {
            case "starting", "processing" -> new Poll.Running(0, null);
            case "succeeded" -> done(handle, p);
            case "failed" -> {
                String err = p.error() == null || p.error().isNull() ? "no error given" : p.error().isTextual()
                        ? p.error().asText() : p.error().toString();
                yield FILTERED.matcher(err).find() ? new Poll.Filtered(err) : new Poll.Failed(null, err);
            }
            case "canceled" -> new Poll.Failed("canceled", "the prediction was canceled at Replicate (by a cancel or"
                    + " its Cancel-After deadline while running)");
            case "aborted" -> new Poll.Failed("aborted", "the prediction's Cancel-After deadline passed before it"
                    + " started (not billed)");
            default -> new Poll.Running(0, null);
        };
    }

    private static Poll done(String handle, ReplicateWire.Prediction p) {
        if (Boolean.TRUE.equals(p.data_removed())) {
            return new Poll.Failed("expired", "Replicate removed the output of " + handle + " before it was downloaded");
        }
        List<ResultRef> videos = new ArrayList<>();
        JsonNode out = p.output();
        if (out != null && out.isTextual()) videos.add(new ResultRef(out.asText(), null, "video/mp4"));
        if (out != null && out.isArray()) {
            out.forEach(o -> {
                if (o.isTextual()) videos.add(new ResultRef(o.asText(), null, "video/mp4"));
            });
        }
        return new Poll.Done(videos);
    }

    @Override
    public boolean fetch(String handle, ResultRef result, int index, OutputFiles out, Duration timeout)
            throws UpstreamException {
        String uri = result.uri();
        if (uri == null || !uri.matches("https?://.+")) {
            throw new UpstreamException(UpstreamException.Kind.REJECTED, 0, null, "Replicate output of " + handle + " is not a URL");
        }
        // replicate.delivery is public; the token goes only to the API's own host
        boolean apiHost = URI.create(uri).getHost() != null
                && URI.create(uri).getHost().equalsIgnoreCase(URI.create(base).getHost());
        HttpRequest req = (apiHost ? authed(uri) : http.request(uri)).GET().build();
        http.download(req, out.video(), "Replicate output download of " + handle + " from " + URI.create(uri).getHost(), timeout);
        return false;
    }

    @Override
    public boolean cancel(String handle, Duration timeout) throws UpstreamException {
        http.json(authed(base + "/predictions/" + handle + "/cancel").POST(HttpRequest.BodyPublishers.noBody()).build(),
                "Replicate cancel " + handle, timeout);
        return true;
    }

    private HttpRequest.Builder authed(String url) {
        return http.request(url).header("Authorization", "Bearer " + apiKey.reveal());
    }

    @Override
    public String toString() {
        return "ReplicateUpstream[" + base + ", key " + apiKey + "]";
    }
}
