package io.framegate.provider.vertex;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.auth.oauth2.GoogleCredentials;
import io.framegate.domain.OutputFiles;
import io.framegate.provider.Http;
import io.framegate.provider.ImageConstraints;
import io.framegate.provider.Poll;
import io.framegate.provider.ResultRef;
import io.framegate.provider.UpstreamException;
import io.framegate.provider.UpstreamJob;
import io.framegate.provider.VeoCodec;
import io.framegate.provider.VideoUpstream;

import java.io.IOException;
import java.io.InputStream;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;

/**
 * Veo on Vertex AI: {@code POST /{ver}/projects/{p}/locations/{l}/publishers/google/models/{m}:predictLongRunning}
 * with an OAuth2 bearer token (service-account JSON or application-default credentials, via google-auth-library),
 * polled with {@code POST ...:fetchPredictOperation {operationName}}. Results come inline ({@code bytesBase64Encoded})
 * or, when {@code storageUri} is set, as {@code gs://} objects, fetched through the GCS JSON API
 * ({@code /storage/v1/b/{bucket}/o/{object}?alt=media}) with the same token.
 * <p>
 * Plain HTTP rather than google-genai: the SDK shares no code with the Gemini path (which it refuses), hides
 * response headers ({@code Retry-After}) and has no {@code gs://} download.
 */
public final class VertexUpstream implements VideoUpstream {
    public static final String DEFAULT_API_VERSION = "v1";
    public static final String DEFAULT_STORAGE_URL = "https://storage.googleapis.com";
    private static final String SCOPE = "https://www.googleapis.com/auth/cloud-platform";
    /** Vertex reference: image/jpeg, image/png; inline requests are kept well under the request size limit. */
    private static final ImageConstraints IMAGES = new ImageConstraints(Set.of("image/png", "image/jpeg"),
            20L * 1024 * 1024, false, 2048);

    private final String base;
    private final String version;
    private final String project;
    private final String location;
    private final String storageBase;
    private final String outputGcsUri;
    private final Path credentialsFile;
    private final Http http;
    private GoogleCredentials credentials;

    /**
     * @param baseUrl         null for {@code https://{location}-aiplatform.googleapis.com}
     * @param credentialsFile service-account JSON, or null for application-default credentials
     * @param outputGcsUri    {@code gs://bucket/dir/} for results in a bucket, or null for inline results
     */
    public VertexUpstream(String baseUrl, String apiVersion, String project, String location, Path credentialsFile,
                          String storageUrl, String outputGcsUri, Duration requestTimeout) {
        this.location = location;
        this.base = strip(baseUrl != null ? baseUrl : defaultBase(location));
        this.version = apiVersion != null ? apiVersion : DEFAULT_API_VERSION;
        this.project = project;
        this.storageBase = strip(storageUrl != null ? storageUrl : DEFAULT_STORAGE_URL);
        this.outputGcsUri = outputGcsUri;
        this.credentialsFile = credentialsFile;
        this.http = new Http(requestTimeout).trusting(base, storageBase);
    }

    public static String defaultBase(String location) {
        return "global".equals(location) ? "https://aiplatform.googleapis.com"
                : "https://" + location + "-aiplatform.googleapis.com";
    }

    @Override
    public String provider() {
        return "vertex";
    }

    @Override
    public ImageConstraints imageConstraints() {
        return IMAGES;
    }

    @Override
    public String refuse(UpstreamJob job) {
        return VeoCodec.refuse(job);
    }

    @Override
    public String submit(UpstreamJob job, String idempotencyKey, Duration timeout) throws UpstreamException {
        String url = base + "/" + version + "/projects/" + project + "/locations/" + location
                + "/publishers/google/models/" + job.upstreamModel() + ":predictLongRunning";
        ObjectNode body = VeoCodec.requestBody(job, true, outputGcsUri);
        String name = http.json(authed(url).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(), "Vertex predictLongRunning", timeout)
                .path("name").asText(null);
        if (name == null) {
            throw new UpstreamException(UpstreamException.Kind.TRANSIENT, 200, null,
                    "Vertex predictLongRunning answered without an operation name");
        }
        return name;
    }

    @Override
    public Poll poll(String handle, Duration timeout) throws UpstreamException {
        int cut = handle.indexOf("/operations/");
        if (cut < 0) {
            throw new UpstreamException(UpstreamException.Kind.REJECTED, 0, null, "not a Vertex operation name: " + handle);
        }
        // The SDK's rule: the model path of the operation name + ":fetchPredictOperation".
        String url = base + "/" + version + "/" + handle.substring(0, cut) + ":fetchPredictOperation";
        ObjectNode body = Http.JSON.createObjectNode().put("operationName", handle);
        return VeoCodec.parseOperation(http.json(authed(url).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(), "Vertex fetchPredictOperation", timeout,
                Http.MAX_INLINE_VIDEOS_JSON_BYTES));
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
        String uri = result.uri();
        if (uri == null || !uri.startsWith("gs://")) {
            throw new UpstreamException(UpstreamException.Kind.REJECTED, 0, null,
                    "Vertex result has neither inline bytes nor a gs:// URI: " + uri);
        }
        String rest = uri.substring("gs://".length());
        int slash = rest.indexOf('/');
        if (slash <= 0) throw new UpstreamException(UpstreamException.Kind.REJECTED, 0, null, "bad gs:// URI " + uri);
        String url = storageBase + "/storage/v1/b/" + enc(rest.substring(0, slash)) + "/o/" + enc(rest.substring(slash + 1))
                + "?alt=media";
        http.download(authed(url).GET().build(), out.video(), "GCS download of " + uri, timeout);
        return false;
    }

    @Override
    public boolean cancel(String handle, Duration timeout) throws UpstreamException {
        http.json(authed(base + "/" + version + "/" + handle + ":cancel").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), "Vertex cancel " + handle, timeout);
        return true;
    }

    private HttpRequest.Builder authed(String url) throws UpstreamException {
        return http.request(url).header("Authorization", "Bearer " + accessToken());
    }

    private synchronized String accessToken() throws UpstreamException {
        try {
            if (credentials == null) {
                GoogleCredentials c;
                if (credentialsFile != null) {
                    try (InputStream in = Files.newInputStream(credentialsFile)) {
                        c = GoogleCredentials.fromStream(in);
                    }
                } else {
                    c = GoogleCredentials.getApplicationDefault();
                }
                credentials = c.createScopedRequired() ? c.createScoped(SCOPE) : c;
            }
            credentials.refreshIfExpired();
            return credentials.getAccessToken().getTokenValue();
        } catch (IOException e) {
            // The library's message may quote the token endpoint's answer and the file's path: neither is shown.
            throw new UpstreamException(UpstreamException.Kind.AUTH, 0, null, "the channel's Google credentials ("
                    + (credentialsFile != null ? "service-account file" : "application default") + ") gave no access token", e);
        }
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String strip(String s) {
        return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
    }

    @Override
    public String toString() {
        return "VertexUpstream[" + base + "/" + version + ", project " + project + ", " + location + ", credentials "
                + (credentialsFile != null ? credentialsFile : "application default") + "]";
    }
}
