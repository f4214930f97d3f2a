package io.framegate.server.openai;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.framegate.domain.GenerationRequest;
import io.framegate.domain.ImageRole;
import io.framegate.domain.ModelSpec;
import io.framegate.domain.ValidationException;
import io.framegate.domain.Violation;
import io.framegate.server.AccessLog;
import io.framegate.server.ApiSurface;
import io.framegate.server.ErrorRenderer;
import io.framegate.server.HttpContent;
import io.framegate.server.IdempotencyKeys;
import io.framegate.server.ServerContext;
import io.framegate.server.auth.ApiKey;
import io.framegate.server.intake.ImageFetcher;
import io.framegate.server.jobs.CompletedVideos;
import io.framegate.server.jobs.ContentVariant;
import io.framegate.server.jobs.Job;
import io.framegate.server.jobs.JobContent;
import io.framegate.server.jobs.JobPage;
import io.framegate.server.jobs.ListOrder;
import io.framegate.server.jobs.NoSuchJobException;
import io.framegate.server.jobs.Submission;
import io.javalin.Javalin;
import io.javalin.http.Context;

import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import static io.framegate.server.openai.OpenAiBody.checkQuery;

/**
 * The OpenAI Videos API ({@code /v1/videos}) over the job service, plus Framegate's keyframe extension
 * ({@code frame_images}, {@code input_references}; see {@code docs/openai-extension.md}). Accepts JSON and
 * multipart with the SDKs' bracketed keys; every field it does not know is a 400 naming it. Handlers are thin: the
 * {@link CreateMapper} turns bodies into requests, the server's one exception mapper classifies failures and
 * {@link OpenAiError#render} writes them in OpenAI's shape.
 */
public final class OpenAiSurface implements ApiSurface {
    public static final String NAME = "openai";
    public static final String DEFAULT_MODEL = "sora-2";
    private static final int DEFAULT_LIST_LIMIT = 20;
    private static final ErrorRenderer RENDERER = OpenAiError::render;

    /** Whether image URLs on private hosts are fetched; null: as the server's environment says ({@link ServerContext}). */
    private final Boolean allowPrivateImageUrls;
    private java.time.Duration eventPoll = java.time.Duration.ofMillis(250);
    private java.time.Duration eventKeepAlive = java.time.Duration.ofSeconds(15);
    private ServerContext ctx;
    private CreateMapper mapper;
    private VideoJson videoJson;
    private SignedContent links;

    /**
     * As found by {@link java.util.ServiceLoader}: image URLs on private hosts are refused unless the server's
     * environment (its builder's, like every other setting read from the environment) says
     * {@code FRAMEGATE_ALLOW_PRIVATE_IMAGE_URLS=true}.
     */
    public OpenAiSurface() {
        this.allowPrivateImageUrls = null;
    }

    /** Image URLs on private hosts fetched or not, whatever the server's environment says. */
    public OpenAiSurface(boolean allowPrivateImageUrls) {
        this.allowPrivateImageUrls = allowPrivateImageUrls;
    }

    /** How often an event stream reads its job, and its longest silence before a keep-alive comment. */
    public OpenAiSurface eventTimings(java.time.Duration poll, java.time.Duration keepAlive) {
        this.eventPoll = poll;
        this.eventKeepAlive = keepAlive;
        return this;
    }

    @Override
    public String name() {
        return NAME;
    }

    @FunctionalInterface
    private interface Action {
        void handle(Context c, ApiKey key) throws Exception;
    }

    @Override
    public void register(Javalin app, ServerContext serverContext) {
        this.ctx = serverContext;
        var limits = serverContext.imageLimits();
        boolean allowPrivate = allowPrivateImageUrls != null ? allowPrivateImageUrls : serverContext.allowPrivateImageUrls();
        ImageInputs images = new ImageInputs(limits, serverContext.options().maxUploadBytes(),
                new ImageFetcher(limits.fetchConcurrency(), allowPrivate));
        this.mapper = new CreateMapper(images, model -> ctx.catalog().find(ctx.jobs().resolveModel(model)).orElse(null),
                request -> ctx.validator().validate(request.toBuilder().model(ctx.jobs().resolveModel(request.model())).build()));
        this.videoJson = new VideoJson(serverContext.json());
        this.links = new SignedContent(serverContext, videoJson, RENDERER);
        // fixed paths before the {video_id} patterns: the first matching route wins
        app.get("/v1/videos/models", c -> run(c, this::models));
        app.post("/v1/videos/extensions", c -> run(c, this::extend));
        app.post("/v1/videos/edits", c -> run(c, (cc, k) -> unsupported("video edits (POST /v1/videos/edits)")));
        app.post("/v1/videos/characters", c -> run(c, (cc, k) -> unsupported("characters (POST /v1/videos/characters)")));
        app.get("/v1/videos/characters/{character_id}", c -> run(c, (cc, k) -> unsupported("characters")));
        app.post("/v1/videos", c -> run(c, this::create));
        app.get("/v1/videos", c -> run(c, this::list));
        app.get("/v1/videos/{video_id}", c -> run(c, this::retrieve));
        app.delete("/v1/videos/{video_id}", c -> run(c, this::delete));
        app.get("/v1/videos/{video_id}/content", c -> run(c, this::content));
        app.get("/v1/videos/{video_id}/content/signed", links::content); // no key: the signature is the credential
        app.post("/v1/videos/{video_id}/cancel", c -> run(c, this::cancel));
        var events = new io.framegate.server.events.VideoEventStream(ctx.jobs(), this::video, eventPoll, eventKeepAlive);
        app.get("/v1/videos/{video_id}/events", c -> run(c, (cc, k) -> events.stream(cc, k.id(), cc.pathParam("video_id"))));
        app.post("/v1/videos/{video_id}/remix", c -> run(c, this::remix));
    }

    /** Claims the request for this surface's error shape, authenticates, runs; failures go to the server's mapper. */
    private void run(Context c, Action action) throws Exception {
        c.attribute(ErrorRenderer.ATTRIBUTE, RENDERER);
        c.header("openai-poll-after-ms", String.valueOf(ctx.options().pollAfterMillis()));
        ApiKey key = authenticate(c);
        c.attribute(AccessLog.KEY_ATTRIBUTE, key.id());
        action.handle(c, key);
    }

    private ApiKey authenticate(Context c) {
        String auth = c.header("Authorization");
        if (auth == null || auth.isBlank()) {
            throw OpenAiError.unauthorized("You didn't provide an API key. You need to provide your API key in an "
                    + "Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).");
        }
        return ctx.authenticator().bearer(c).orElseThrow(() -> OpenAiError.unauthorized(
                "Incorrect API key provided. Create a key with `framegate keys create --name NAME`."));
    }

    private static void unsupported(String what) {
        throw OpenAiError.invalid(null, "unsupported_endpoint", "Framegate does not offer " + what
                + ". It offers create, retrieve, list, delete, content, remix and extensions.");
    }

    private ObjectNode body(Context c) throws IOException {
        return OpenAiBody.read(c, ctx.json(), ctx.options().maxUploadBytes());
    }

    // ---- create, remix, extensions

    private void create(Context c, ApiKey key) throws Exception {
        String idempotencyKey = IdempotencyKeys.read(c);
        GenerationRequest request = mapper.create(body(c));
        Job job = ctx.jobs().submit(Submission.of(key.id(), NAME, request, idempotencyKey));
        c.json(video(c, job));
    }

    private void remix(Context c, ApiKey key) throws Exception {
        String idempotencyKey = IdempotencyKeys.read(c);
        String id = c.pathParam("video_id");
        Job source = ctx.jobs().get(key.id(), id).orElseThrow(() -> new NoSuchJobException(id));
        String prompt = CreateMapper.remixPrompt(body(c));
        CompletedVideos.require(source, "remixed");
        GenerationRequest req = ctx.jobs().request(key.id(), id).orElseThrow(() -> new NoSuchJobException(id))
                .toBuilder().prompt(prompt).build();
        Job job = ctx.jobs().submit(Submission.of(key.id(), NAME, req, idempotencyKey).remixOf(id));
        c.json(video(c, job));
    }

    /** The job service refuses a source that is not completed; the worker reads its last frame, not this handler. */
    private void extend(Context c, ApiKey key) throws Exception {
        String idempotencyKey = IdempotencyKeys.read(c);
        CreateMapper.Extension ext = CreateMapper.extension(body(c));
        Job source = ctx.jobs().get(key.id(), ext.sourceId()).orElseThrow(() -> new NoSuchJobException(ext.sourceId()));
        GenerationRequest original = ctx.jobs().requestSettings(key.id(), ext.sourceId())
                .orElseThrow(() -> new NoSuchJobException(ext.sourceId()));
        GenerationRequest req = mapper.extensionRequest(original, ext, source.size());
        Job job = ctx.jobs().submit(Submission.of(key.id(), NAME, req, idempotencyKey).extensionOf(ext.sourceId()));
        c.json(video(c, job));
    }

    /** The OpenAI-surface field that carries images of this role for this model (for errors and the model list). */
    static String fieldForRole(ImageRole role, ModelSpec spec) {
        return switch (role) {
            case REFERENCE -> CreateMapper.roleForInputReferences(spec) == ImageRole.REFERENCE
                    && spec.maxImages(ImageRole.REFERENCE) > 1 ? "input_references" : "input_reference";
            case FIRST_FRAME -> CreateMapper.roleForInputReference(spec) == ImageRole.FIRST_FRAME
                    ? "input_reference or frame_images[].frame_type=first_frame" : "frame_images[].frame_type=first_frame";
            case LAST_FRAME -> "frame_images[].frame_type=last_frame";
            case ASSET -> "input_references";
            case STYLE -> "input_references[].reference_type=style";
        };
    }

    // ---- reads

    private void retrieve(Context c, ApiKey key) {
        checkQuery(c, Set.of());
        String id = c.pathParam("video_id");
        Job job = ctx.jobs().get(key.id(), id).orElseThrow(() -> new NoSuchJobException(id));
        c.json(video(c, job));
    }

    private void list(Context c, ApiKey key) {
        checkQuery(c, Set.of("after", "limit", "order", "status", "model"));
        int limit = DEFAULT_LIST_LIMIT;
        String limitText = c.queryParam("limit");
        if (limitText != null) {
            try {
                limit = Integer.parseInt(limitText.trim());
            } catch (NumberFormatException e) {
                limit = -1;
            }
            if (limit < 0 || limit > 100) {
                throw OpenAiError.invalid("limit", "invalid_value", "Invalid value: '" + limitText
                        + "'. limit must be a whole number from 0 to 100.");
            }
        }
        ListOrder order = ListOrder.DESC;
        String orderText = c.queryParam("order");
        if (orderText != null) {
            order = ListOrder.parse(orderText).orElseThrow(() -> OpenAiError.invalid("order", "invalid_value",
                    "Invalid value: '" + orderText + "'. Supported values are: 'asc' and 'desc'."));
        }
        String after = c.queryParam("after");
        JobPage page = ctx.jobs().list(key.id(), null, after == null || after.isBlank() ? null : after,
                Math.max(1, limit), order, ListFilters.status(c.queryParam("status")), ListFilters.model(c.queryParam("model"), ctx));
        List<Job> data = limit == 0 ? List.of() : page.data();
        boolean hasMore = limit == 0 ? !page.data().isEmpty() : page.hasMore();
        ObjectNode out = ctx.json().createObjectNode();
        out.put("object", "list");
        ArrayNode arr = out.putArray("data");
        data.forEach(j -> arr.add(video(c, j)));
        out.put("first_id", data.isEmpty() ? null : data.get(0).id());
        out.put("last_id", data.isEmpty() ? null : data.get(data.size() - 1).id());
        out.put("has_more", hasMore);
        c.json(out);
    }

    private void delete(Context c, ApiKey key) {
        checkQuery(c, Set.of());
        String id = c.pathParam("video_id");
        if (!ctx.jobs().delete(key.id(), id)) throw new NoSuchJobException(id);
        ObjectNode out = ctx.json().createObjectNode();
        out.put("id", id);
        out.put("object", "video.deleted");
        out.put("deleted", true);
        c.json(out);
    }

    private void content(Context c, ApiKey key) throws IOException {
        checkQuery(c, Set.of("variant"));
        String id = c.pathParam("video_id");
        String variantText = c.queryParam("variant");
        ContentVariant variant = variantText == null ? ContentVariant.VIDEO : ContentVariant.parse(variantText)
                .orElseThrow(() -> OpenAiError.invalid("variant", "invalid_value", "Invalid value: '" + variantText
                        + "'. Supported values are: 'video', 'thumbnail', and 'spritesheet'."));
        Optional<JobContent> content = ctx.jobs().openContent(key.id(), id, variant, 0);
        if (content.isEmpty()) {
            if (ctx.jobs().get(key.id(), id).isEmpty()) throw new NoSuchJobException(id);
            throw new OpenAiError(404, "invalid_request_error", "variant", "variant_not_available",
                    "Video " + id + " has no " + variant.wireName() + ".");
        }
        HttpContent.send(c, content.get());
    }

    /** Framegate's addition: stops a queued or running job (it ends {@code failed} with {@code error.code: cancelled}). */
    private void cancel(Context c, ApiKey key) {
        checkQuery(c, Set.of());
        String id = c.pathParam("video_id");
        Job job = ctx.jobs().cancel(key.id(), id).orElseThrow(() -> new NoSuchJobException(id));
        c.json(video(c, job));
    }

    /** The video object with signed, absolute links to its files once it is completed. */
    private ObjectNode video(Context c, Job job) {
        return links.video(c, job);
    }

    private void models(Context c, ApiKey key) {
        checkQuery(c, Set.of());
        c.json(videoJson.models(ctx.catalog(), ctx.jobs().routing()));
    }

    /** The OpenAI field a domain violation is about. */
    static OpenAiError fromValidation(ValidationException e) {
        Violation v = e.first();
        String message = e.violations().stream().map(Violation::message).collect(Collectors.joining("; "));
        return OpenAiError.invalid(openAiParam(v), v.value() == null ? "missing_required_parameter" : "invalid_value", message);
    }

    static String openAiParam(Violation v) {
        String value = v.value() == null ? "" : v.value();
        return switch (v.param()) {
            case "images" -> value.contains("first_frame") || value.contains("last_frame") ? "frame_images"
                    : value.contains("asset") || value.contains("style") ? "input_references" : "input_reference";
            case "aspect_ratio", "resolution" -> "size";
            default -> v.param();
        };
    }
}
