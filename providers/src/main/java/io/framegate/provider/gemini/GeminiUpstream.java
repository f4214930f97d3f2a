package io.framegate.provider.gemini;

import io.framegate.domain.OutputFiles;
import io.framegate.provider.Http;
import io.framegate.provider.ImageConstraints;
import io.framegate.provider.Poll;
import io.framegate.provider.ResultRef;
import io.framegate.provider.Secret;
import io.framegate.provider.UpstreamException;
import io.framegate.provider.UpstreamJob;
import io.framegate.provider.VeoCodec;
import io.framegate.provider.VideoUpstream;
import io.framegate.provider.WireRecords;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Veo on the Gemini API ("mldev"): {@code POST /{ver}/models/{model}:predictLongRunning} with
 * {@code x-goog-api-key}, {@code GET /{ver}/{operation}} to poll, {@code GET /{ver}/files/{id}:download?alt=media}
 * with the key to download (redirects followed). Plain HTTP: the official Java SDK (google-genai 2.0.0) refuses
 * {@code generateVideos} on the Gemini API ("only supported in Gemini Enterprise Agent Platform mode").
 */
public final class GeminiUpstream implements VideoUpstream {
    public static final String DEFAULT_BASE_URL = "https://generativelanguage.googleapis.com";
    public static final String DEFAULT_API_VERSION = "v1beta";
    private static final Pattern FILE_ID = Pattern.compile("files/([a-z0-9]+)");
    /** Gemini docs: 20 MB per image; the API reads PNG and JPEG. */
    private static final ImageConstraints IMAGES = new ImageConstraints(Set.of("image/png", "image/jpeg"),
            20L * 1024 * 1024, false, 2048);

    private final String base;
    private final String version;
    private final Secret apiKey;
    private final Http http;

    public GeminiUpstream(String baseUrl, String apiVersion, Secret apiKey, Duration requestTimeout) {
        this.base = WireRecords.stripSlash(baseUrl != null ? baseUrl : DEFAULT_BASE_URL);
        this.version = apiVersion != null ? apiVersion : DEFAULT_API_VERSION;
        this.apiKey = apiKey;
        this.http = new Http(requestTimeout).trusting(base);
    }

    @Override
    public String provider() {
        return "gemini";
    }

    @Override
    public ImageConstraints imageConstraints() {
        return IMAGES;
    }

    @Override
    public String refuse(UpstreamJob job) {
        String common = VeoCodec.refuse(job);
        if (common != null) return common;
        if (job.plan().request().audio() != null && !job.plan().request().audio()) {
            return "audio=false is not possible on the Gemini API, which has no generateAudio (Veo 3.x always makes audio there)";
        }
        if (job.plan().numberOfVideos() > 1) {
            return "number_of_videos=" + job.plan().numberOfVideos() + " is not possible on the Gemini API; Veo 3.x makes 1 per request there";
        }
        return null;
    }

    @Override
    public String submit(UpstreamJob job, String idempotencyKey, Duration timeout) throws UpstreamException {
        String url = base + "/" + version + "/models/" + job.upstreamModel() + ":predictLongRunning";
        HttpRequest req = authed(url).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(VeoCodec.requestBody(job, false, null).toString())).build();
        String name = http.json(req, "Gemini predictLongRunning", timeout).path("name").asText(null);
        if (name == null) {
            throw new UpstreamException(UpstreamException.Kind.TRANSIENT, 200, null,
                    "Gemini predictLongRunning answered without an operation name");
        }
        return name;
    }

    @Override
    public Poll poll(String handle, Duration timeout) throws UpstreamException {
        return VeoCodec.parseOperation(http.json(authed(base + "/" + version + "/" + handle).GET().build(),
                "Gemini operation " + handle, timeout, Http.MAX_INLINE_VIDEOS_JSON_BYTES));
    }

    @Override
    public boolean fetch(String handle, ResultRef result, int index, OutputFiles out, Duration timeout) throws UpstreamException {
        if (result.inlineBytes() != null) {
            try {
                Files.write(out.video(), result.inlineBytes());
            } catch (IOException e) {
                throw new IllegalStateException("cannot write " + out.video(), e);
            }
            return false;
        }
        http.download(authed(downloadUrl(result.uri())).GET().build(), out.video(), "Gemini file download", timeout);
        return false;
    }

    /**
     * The SDK's rule: a {@code files/<id>} in the URI is downloaded from this channel's own base URL (so the key goes
     * only where the channel points); any other URI only when it is on the same host.
     */
    String downloadUrl(String uri) throws UpstreamException {
        if (uri == null) throw new UpstreamException(UpstreamException.Kind.REJECTED, 0, null, "Gemini result has no video URI");
        Matcher m = FILE_ID.matcher(uri);
        if (m.find()) return base + "/" + version + "/files/" + m.group(1) + ":download?alt=media";
        URI u = URI.create(uri);
        if (u.getHost() != null && u.getHost().equalsIgnoreCase(URI.create(base).getHost())) return uri;
        // only the host is named: a signed URL's query would carry its signature
        throw new UpstreamException(UpstreamException.Kind.REJECTED, 0, null,
                "Gemini result URI is on another host (" + u.getHost() + "); the API key is not sent there");
    }

    @Override
    public boolean cancel(String handle, Duration timeout) throws UpstreamException {
        http.json(authed(base + "/" + version + "/" + handle + ":cancel").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), "Gemini cancel " + handle, timeout);
        return true;
    }

    private HttpRequest.Builder authed(String url) {
        return http.request(url).header("x-goog-api-key", apiKey.reveal());
    }

    @Override
    public String toString() {
        return "GeminiUpstream[" + base + "/" + version + ", key " + apiKey + "]";
    }
}
