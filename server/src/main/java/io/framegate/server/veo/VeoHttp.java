package io.framegate.server.veo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.framegate.domain.ImageRole;
import io.framegate.domain.ValidationException;
import io.framegate.server.ApiError;
import io.framegate.server.ErrorClassifier;
import io.framegate.server.ClientView;
import io.framegate.server.ErrorRenderer;
import io.framegate.server.HttpContent;
import io.framegate.server.IdempotencyKeys;
import io.framegate.server.ServerContext;
import io.framegate.server.auth.ApiKey;
import io.framegate.server.jobs.ContentVariant;
import io.framegate.server.jobs.ExtensionFrame;
import io.framegate.server.jobs.Job;
import io.framegate.server.jobs.JobContent;
import io.framegate.server.jobs.JobNotes;
import io.framegate.server.jobs.Submission;
import io.javalin.http.Context;
import io.javalin.http.Handler;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The request handling both Veo surfaces share: authentication, body parsing, submission, operation lookup and
 * video download, every error in Google's envelope. Each surface parses its own URLs and calls in here.
 */
final class VeoHttp {
    /** Jackson's "(start marker at [Source: ...; line: 1, column: 15])", which says nothing to an HTTP client. */
    static final String ATTR_STORAGE_URI = "veo.storage_uri";
    static final String ATTR_WEBHOOK_URIS = "veo.webhook_uris";
    static final String ATTR_PUBSUB_TOPIC = "veo.pubsub_topic";

    private final ServerContext ctx;

    VeoHttp(ServerContext ctx) {
        this.ctx = ctx;
    }

    /**
     * Claims the request for Google's error shape and runs the handler; whatever it throws goes to the server's one
     * exception mapper, which classifies it and calls {@link #render}.
     */
    Handler guarded(Handler h) {
        return c -> {
            c.attribute(ErrorRenderer.ATTRIBUTE, RENDERER);
            h.handle(c);
        };
    }

    private static final ErrorRenderer RENDERER = VeoHttp::render;

    /**
     * A before-handler for a path prefix the Google surfaces own: a request there that no route takes (an unknown
     * path, another method) is answered in Google's shape too.
     */
    static void claim(Context c) {
        c.attribute(ErrorRenderer.ATTRIBUTE, RENDERER);
    }

    /** A classified error in Google's envelope; the surface's own errors and domain violations keep their fields. */
    static void render(Context c, ApiError e, Throwable cause) {
        GoogleApiException out = switch (cause) {
            case GoogleApiException g -> g;
            case ValidationException v -> GoogleApiException.invalidArgument(v.violations().stream()
                    .map(x -> new GoogleApiException.FieldViolation(x.param(), x.message())).toList());
            case io.javalin.http.HttpResponseException h when h.getStatus() == 404 -> GeminiSurface.notFound(c.path());
            default -> new GoogleApiException(e.status(), googleStatus(e), e.message(), e.param() == null ? List.of()
                    : List.of(new GoogleApiException.FieldViolation(e.param(), e.message())));
        };
        send(c, out);
    }

    private static String googleStatus(ApiError e) {
        if ("invalid_state".equals(e.code())) return "FAILED_PRECONDITION";
        if (ErrorClassifier.IN_USE.equals(e.code())) return "ABORTED"; // Google's 409 for a concurrency conflict
        return statusName(e.status());
    }

    static void send(Context c, GoogleApiException e) {
        c.status(e.httpStatus()).contentType("application/json").result(e.toJson().toPrettyString());
    }

    void json(Context c, JsonNode body) {
        c.status(200).contentType("application/json").result(body.toPrettyString());
    }

    private static String statusName(int http) {
        return switch (http) {
            case 400 -> "INVALID_ARGUMENT";
            case 401 -> "UNAUTHENTICATED";
            case 403 -> "PERMISSION_DENIED";
            case 404 -> "NOT_FOUND";
            case 405 -> "UNIMPLEMENTED";
            case 409 -> "ALREADY_EXISTS";
            case 410 -> "NOT_FOUND";
            case 416 -> "OUT_OF_RANGE";
            case 413, 429, 507 -> "RESOURCE_EXHAUSTED";
            case 501 -> "UNIMPLEMENTED";
            case 503 -> "UNAVAILABLE";
            default -> http >= 500 ? "INTERNAL" : "FAILED_PRECONDITION";
        };
    }

    // ---- authentication

    ApiKey geminiKey(Context c) {
        return ctx.authenticator().googleApiKey(c).orElseThrow(() -> unauthenticated(c,
                "send your Framegate key as the x-goog-api-key header or the key query parameter"));
    }

    ApiKey vertexKey(Context c) {
        return ctx.authenticator().bearerOrGoogleApiKey(c).orElseThrow(() -> unauthenticated(c,
                "send your Framegate key as Authorization: Bearer <key> (or x-goog-api-key in express mode)"));
    }

    /** Downloads accept every way a Google client may send the key. */
    ApiKey anyKey(Context c) {
        return ctx.authenticator().googleApiKey(c).or(() -> ctx.authenticator().bearerOrGoogleApiKey(c))
                .orElseThrow(() -> unauthenticated(c, "send your Framegate key as the x-goog-api-key header, "
                        + "the key query parameter or Authorization: Bearer <key>"));
    }

    private static GoogleApiException unauthenticated(Context c, String how) {
        boolean given = c.header("x-goog-api-key") != null || c.queryParam("key") != null
                || c.header("Authorization") != null;
        return GoogleApiException.unauthenticated((given ? "API key not valid. " : "Missing API key. ")
                + "Please pass a valid API key: " + how + ".");
    }

    // ---- create

    /**
     * Translates, validates and submits a {@code predictLongRunning} request; returns the new operation's name.
     *
     * @param nameOf builds the operation name from the operation id
     */
    ObjectNode create(Context c, ApiKey key, VeoDialect dialect, String model, String version,
                      Function<String, VeoOperationName> nameOf) {
        String idempotencyKey = IdempotencyKeys.read(c);
        JsonNode body = parseBody(c);
        VeoRequest veo = new VeoRequestTranslator(new ResultUris(ctx.jobs(), key.id()), ctx.imageLimits(),
                m -> ctx.catalog().find(ctx.jobs().resolveModel(m)).orElse(null)).translate(model, body, dialect);
        Map<String, String> attributes = new LinkedHashMap<>();
        if (veo.storageUri() != null) attributes.put(ATTR_STORAGE_URI, veo.storageUri());
        if (!veo.webhookUris().isEmpty()) attributes.put(ATTR_WEBHOOK_URIS, String.join(" ", veo.webhookUris()));
        String pubsub = veo.request().options().get("pubsub_topic");
        if (pubsub != null) attributes.put(ATTR_PUBSUB_TOPIC, pubsub);
        String surface = dialect.name().toLowerCase(Locale.ROOT);
        Submission s = Submission.of(key.id(), surface, veo.request(), idempotencyKey)
                .withAttributes(attributes);
        if (veo.extension() != null) s = extension(key, veo, s);
        Job job;
        try {
            job = ctx.jobs().submit(s);
        } catch (ValidationException e) {
            throw VeoValidationErrors.toGoogle(e, veo, version);
        }
        return VeoOperations.created(nameOf.apply(VeoIds.operationId(job.id())));
    }

    /** An extension starts from the source video's last frame (read by the worker) and is stitched after it. */
    private Submission extension(ApiKey key, VeoRequest veo, Submission s) {
        VeoRequest.VideoInput src = veo.extension();
        if (src.sourceIndex() != 0) {
            throw GoogleApiException.invalidArgument("instances[0].video", "instances[0].video names video "
                    + src.sourceIndex() + " of its operation; Framegate extends the first video of an operation only");
        }
        if (veo.request().has(ImageRole.FIRST_FRAME)) {
            throw GoogleApiException.invalidArgument("instances[0].image", "instances[0].image cannot be combined "
                    + "with instances[0].video: an extension starts from the last frame of the video");
        }
        if (ctx.jobs().get(key.id(), src.sourceJobId()).isEmpty()) {
            throw GoogleApiException.notFound("instances[0].video names a video that does not exist (or was deleted)");
        }
        // the worker reads the source video and puts its last frame in place of this placeholder
        var request = veo.request().toBuilder().image(ExtensionFrame.placeholder(ImageRole.FIRST_FRAME)).build();
        return new Submission(s.ownerKeyId(), s.surface(), request, s.idempotencyKey(), null, null, s.attributes())
                .extensionOf(src.sourceJobId());
    }

    private JsonNode parseBody(Context c) {
        byte[] bytes = VeoBody.bytes(c, ctx.options().maxUploadBytes());
        if (bytes.length == 0) {
            throw GoogleApiException.invalidArgument("The request body is empty; send a JSON object with "
                    + "\"instances\" and \"parameters\".");
        }
        return VeoBody.parse(ctx.json(), bytes);
    }

    // ---- operations

    /** The operation for a name this key owns; 404 for any other. */
    ObjectNode operation(Context c, ApiKey key, VeoOperationName name, String version) {
        Job job = jobOf(key, name).orElseThrow(() -> GoogleApiException.notFound("Operation " + name
                + " not found."));
        VeoJobView view = view(job, ctx.jobs().contentExpired(job));
        ObjectNode op = VeoOperations.operation(name, view, publicBaseUrl(c), version, (jobId, index) ->
                ctx.jobs().openContent(key.id(), jobId, ContentVariant.VIDEO, index)
                        .orElseThrow(() -> new IOException("video " + index + " of " + jobId + " is missing"))
                        .object().readAllBytes());
        io.framegate.server.media.FidelityNote.attach((ObjectNode) op.path("metadata").path("framegate"), job);
        return op;
    }

    private Optional<Job> jobOf(ApiKey key, VeoOperationName name) {
        return VeoIds.jobIdOfOperation(name.operationId())
                .flatMap(id -> ctx.jobs().get(key.id(), id))
                .filter(job -> sameModel(job.model(), name.model()));
    }

    private boolean sameModel(String a, String b) {
        if (a == null || b == null) return false;
        if (a.equalsIgnoreCase(b)) return true;
        // config aliases name catalog models too
        var ma = ctx.catalog().find(ctx.jobs().resolveModel(a));
        var mb = ctx.catalog().find(ctx.jobs().resolveModel(b));
        return ma.isPresent() && mb.isPresent() && ma.get().id().equals(mb.get().id());
    }

    static VeoJobView view(Job job) {
        return view(job, false);
    }

    /** @param expired whether the job is past its {@code expires_at} (its files are gone) */
    static VeoJobView view(Job job, boolean expired) {
        // exact decimal from the micro-dollar note; an unparsable note reads as unknown cost
        java.math.BigDecimal cost = io.framegate.server.ClientView.usd(job.notes().get(JobNotes.COST_USD));
        String backend = job.backend() != null ? job.backend() : job.notes().get(JobNotes.BACKEND);
        return new VeoJobView(job.id(), job.model(), job.status(), job.progress(), job.numberOfVideos(),
                job.errorCode(), ClientView.errorMessage(job.errorMessage()), backend, job.isLocalRender(), cost,
                job.attributes().get(ATTR_STORAGE_URI), warnings(job), expired ? job.expiresAt() : null);
    }

    private static List<String> warnings(Job job) {
        List<String> out = new ArrayList<>();
        if (job.attributes().containsKey(ATTR_WEBHOOK_URIS)) {
            // Google signs these deliveries with its own keys (an RS256 JWT checked against its JWKS): no gateway can
            out.add("webhookConfig was recorded but not used (Google signs those deliveries with its own keys); the "
                    + "key's webhook endpoints (framegate webhooks add) get this job's events, or poll the operation");
        }
        if (job.attributes().containsKey(ATTR_PUBSUB_TOPIC)) {
            out.add("parameters.pubsubTopic was recorded but Framegate publishes no Pub/Sub messages; poll the operation");
        }
        if (job.attributes().containsKey(ATTR_STORAGE_URI)) {
            out.add("parameters.storageUri: Framegate writes nothing to Cloud Storage; download the videos from "
                    + "metadata.framegate.download_urls");
        }
        return out;
    }

    // ---- download

    /** Streams video {@code fileId} (with Range support) if this key owns it. */
    void download(Context c, ApiKey key, String fileId) throws IOException {
        VeoIds.FileRef ref = VeoIds.parseFileId(fileId)
                .orElseThrow(() -> GoogleApiException.notFound("File files/" + fileId + " not found."));
        JobContent content = ctx.jobs().openContent(key.id(), ref.jobId(), ContentVariant.VIDEO, ref.index())
                .orElseThrow(() -> GoogleApiException.notFound("File files/" + fileId + " not found."));
        HttpContent.send(c, content);
    }

    /** How the client reached this server, e.g. {@code http://127.0.0.1:8080} (proxy headers respected). */
    static String publicBaseUrl(Context c) {
        String proto = c.header("X-Forwarded-Proto");
        String host = c.header("X-Forwarded-Host");
        String scheme = proto != null && !proto.isBlank() ? proto.split(",")[0].trim() : c.scheme();
        String h = host != null && !host.isBlank() ? host.split(",")[0].trim() : c.host();
        return scheme + "://" + h;
    }
}
