package io.framegate.server.openai;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.POJONode;
import io.framegate.domain.GenerationRequest;
import io.framegate.domain.ImageRole;
import io.framegate.domain.InputImage;
import io.framegate.domain.ModelSpec;
import io.framegate.domain.ValidationException;
import io.framegate.domain.Violation;
import io.framegate.server.AccessLog;
import io.framegate.server.ApiSurface;
import io.framegate.server.HttpContent;
import io.framegate.server.ServerContext;
import io.framegate.server.auth.ApiKey;
import io.framegate.server.jobs.ContentExpiredException;
import io.framegate.server.jobs.ContentVariant;
import io.framegate.server.jobs.IdempotencyMismatchException;
import io.framegate.server.jobs.InsufficientStorageException;
import io.framegate.server.jobs.Job;
import io.framegate.server.jobs.JobContent;
import io.framegate.server.jobs.JobPage;
import io.framegate.server.jobs.JobStateException;
import io.framegate.server.jobs.ListOrder;
import io.framegate.server.jobs.NoSuchJobException;
import io.framegate.server.jobs.Submission;
import io.framegate.server.media.VideoTools;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Collectors;

/**
 * The OpenAI Videos API ({@code /v1/videos}) over the job service, plus Framegate's keyframe extension
 * ({@code frame_images}, {@code input_references}; see {@code docs/openai-extension.md}). Accepts JSON and
 * multipart with the SDKs' bracketed keys; every field it does not know is a 400 naming it.
 */
public final class OpenAiSurface implements ApiSurface {
    public static final String NAME = "openai";
    public static final String DEFAULT_MODEL = "sora-2";
    private static final Logger LOG = LoggerFactory.getLogger(OpenAiSurface.class);
    private static final Set<String> CREATE_FIELDS = Set.of("prompt", "model", "seconds", "size", "input_reference",
            "frame_images", "input_references", "seed", "negative_prompt");
    private static final Set<String> REMIX_FIELDS = Set.of("prompt");
    private static final Set<String> EXTEND_FIELDS = Set.of("video", "prompt", "seconds");
    private static final int DEFAULT_LIST_LIMIT = 20;
    private static final java.util.regex.Pattern FILE_FIELD = java.util.regex.Pattern.compile(
            "input_reference|video|(frame_images|input_references)\\[\\d*](\\[(file|image_url)])?");

    private final boolean allowPrivateImageUrls;
    private ServerContext ctx;
    private ImageInputs images;
    private VideoJson videoJson;

    /** As found by {@link java.util.ServiceLoader}: image URLs on private hosts are refused unless
     *  {@code FRAMEGATE_ALLOW_PRIVATE_IMAGE_URLS=true}. */
    public OpenAiSurface() {
        this(Boolean.parseBoolean(System.getenv("FRAMEGATE_ALLOW_PRIVATE_IMAGE_URLS")));
    }

    public OpenAiSurface(boolean allowPrivateImageUrls) {
        this.allowPrivateImageUrls = allowPrivateImageUrls;
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
        this.images = new ImageInputs(serverContext.options().maxUploadBytes(), allowPrivateImageUrls);
        this.videoJson = new VideoJson(serverContext.json());
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
        app.post("/v1/videos/{video_id}/remix", c -> run(c, this::remix));
    }

    private void run(Context c, Action action) {
        c.header("openai-poll-after-ms", String.valueOf(ctx.options().pollAfterMillis()));
        c.header("x-request-id", "req_" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong()));
        try {
            ApiKey key = authenticate(c);
            c.attribute(AccessLog.KEY_ATTRIBUTE, key.id());
            action.handle(c, key);
        } catch (OpenAiError e) {
            error(c, e);
        } catch (ValidationException e) {
            error(c, fromValidation(e));
        } catch (IdempotencyMismatchException e) {
            error(c, new OpenAiError(409, "invalid_request_error", null, "idempotency_key_reused", e.getMessage()));
        } catch (NoSuchJobException e) {
            error(c, OpenAiError.notFound(e.jobId()));
        } catch (JobStateException e) {
            error(c, OpenAiError.invalid(null, "invalid_state", e.getMessage()));
        } catch (ContentExpiredException e) {
            error(c, new OpenAiError(410, "invalid_request_error", null, "video_expired", e.getMessage()));
        } catch (InsufficientStorageException e) {
            error(c, new OpenAiError(507, "server_error", null, "insufficient_storage", e.getMessage()));
        } catch (Exception e) {
            LOG.error("{} {} failed", c.method(), c.path(), e);
            error(c, new OpenAiError(500, "server_error", null, null,
                    "The server had an error while processing your request."));
        }
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

    private static void error(Context c, OpenAiError e) {
        c.status(e.status);
        ObjectNode body = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
        ObjectNode err = body.putObject("error");
        err.put("message", e.getMessage());
        err.put("type", e.type);
        err.put("param", e.param);
        err.put("code", e.code);
        c.contentType("application/json").result(body.toString());
    }

    private static void unsupported(String what) {
        throw OpenAiError.invalid(null, "unsupported_endpoint", "Framegate does not offer " + what
                + ". It offers create, retrieve, list, delete, content, remix and extensions.");
    }

    // ---- create ----

    private void create(Context c, ApiKey key) throws Exception {
        ObjectNode body = readBody(c);
        checkKnown(body, CREATE_FIELDS, "");
        String model = optText(body, "model");
        if (model == null) model = DEFAULT_MODEL;
        // a config alias stands for a catalog model, whose roles decide what input_reference means
        ModelSpec spec = ctx.catalog().find(ctx.jobs().resolveModel(model)).orElse(null);
        GenerationRequest.Builder b = GenerationRequest.builder().model(model).prompt(optText(body, "prompt"))
                .seconds(optInt(body, "seconds")).size(optText(body, "size"))
                .negativePrompt(optText(body, "negative_prompt"));
        Integer seed = optInt(body, "seed");
        if (seed != null) b.seed(seed.longValue());
        JsonNode ref = present(body, "input_reference");
        if (ref != null) b.image(image(ref, "input_reference", Set.of(), roleForInputReference(spec)));
        JsonNode frames = present(body, "frame_images");
        if (frames != null) {
            List<JsonNode> items = items(frames, "frame_images");
            for (int i = 0; i < items.size(); i++) {
                String p = "frame_images[" + i + "]";
                JsonNode item = items.get(i);
                if (!(item instanceof ObjectNode obj)) {
                    throw OpenAiError.invalid(p, "invalid_type", p + " must be an object {image_url, frame_type}.");
                }
                String type = optText(obj, "frame_type");
                if (type == null) throw OpenAiError.invalid(p + ".frame_type", "missing_required_parameter",
                        p + ".frame_type is required: first_frame or last_frame.");
                ImageRole role = switch (type.trim().toLowerCase(Locale.ROOT)) {
                    case "first_frame" -> ImageRole.FIRST_FRAME;
                    case "last_frame" -> ImageRole.LAST_FRAME;
                    default -> throw OpenAiError.invalid(p + ".frame_type", "invalid_value", "Invalid value: '" + type
                            + "'. Supported values are: 'first_frame' and 'last_frame'.");
                };
                b.image(image(obj, p, Set.of("frame_type", "file"), role));
            }
        }
        JsonNode refs = present(body, "input_references");
        if (refs != null) {
            List<JsonNode> items = items(refs, "input_references");
            for (int i = 0; i < items.size(); i++) {
                String p = "input_references[" + i + "]";
                JsonNode item = items.get(i);
                ImageRole role = roleForInputReferences(spec);
                if (item instanceof ObjectNode obj && present(obj, "reference_type") != null) {
                    String rt = optText(obj, "reference_type").trim().toLowerCase(Locale.ROOT);
                    role = switch (rt) {
                        case "asset" -> ImageRole.ASSET;
                        case "style" -> ImageRole.STYLE;
                        default -> throw OpenAiError.invalid(p + ".reference_type", "invalid_value", "Invalid value: '"
                                + rt + "'. Supported values are: 'asset' and 'style'.");
                    };
                }
                b.image(image(item, p, Set.of("reference_type", "file"), role));
            }
        }
        Job job = ctx.jobs().submit(Submission.of(key.id(), NAME, b.build(), idempotencyKey(c)));
        c.json(videoJson.video(job));
    }

    private InputImage image(JsonNode node, String param, Set<String> extraKeys, ImageRole role) {
        ImageInputs.Image img = images.read(node, param, extraKeys);
        return new InputImage(role, img.bytes(), img.mimeType(), param + ":" + img.source());
    }

    /** Sora's {@code input_reference} guides the look; models without that role take it as the first frame. */
    static ImageRole roleForInputReference(ModelSpec spec) {
        if (spec == null || spec.maxImages(ImageRole.REFERENCE) > 0) return ImageRole.REFERENCE;
        return spec.maxImages(ImageRole.FIRST_FRAME) > 0 ? ImageRole.FIRST_FRAME : ImageRole.REFERENCE;
    }

    static ImageRole roleForInputReferences(ModelSpec spec) {
        if (spec != null && spec.maxImages(ImageRole.ASSET) > 0) return ImageRole.ASSET;
        return ImageRole.REFERENCE;
    }

    /** The OpenAI-surface field that carries images of this role for this model (for errors and the model list). */
    static String fieldForRole(ImageRole role, ModelSpec spec) {
        return switch (role) {
            case REFERENCE -> roleForInputReferences(spec) == ImageRole.REFERENCE && spec.maxImages(ImageRole.REFERENCE) > 1
                    ? "input_references" : "input_reference";
            case FIRST_FRAME -> roleForInputReference(spec) == ImageRole.FIRST_FRAME
                    ? "input_reference or frame_images[].frame_type=first_frame" : "frame_images[].frame_type=first_frame";
            case LAST_FRAME -> "frame_images[].frame_type=last_frame";
            case ASSET -> "input_references";
            case STYLE -> "input_references[].reference_type=style";
        };
    }

    // ---- remix and extensions ----

    private void remix(Context c, ApiKey key) throws Exception {
        String id = c.pathParam("video_id");
        Job source = ctx.jobs().get(key.id(), id).orElseThrow(() -> new NoSuchJobException(id));
        ObjectNode body = readBody(c);
        checkKnown(body, REMIX_FIELDS, "");
        String prompt = optText(body, "prompt");
        if (prompt == null) throw OpenAiError.invalid("prompt", "missing_required_parameter", "Missing required parameter: 'prompt'.");
        if (source.status() != io.framegate.domain.JobStatus.COMPLETED) {
            throw new JobStateException("video " + id + " is " + source.status().name().toLowerCase(Locale.ROOT)
                    + "; only a completed video can be remixed");
        }
        GenerationRequest req = ctx.jobs().request(key.id(), id).orElseThrow(() -> new NoSuchJobException(id))
                .toBuilder().prompt(prompt).build();
        Job job = ctx.jobs().submit(Submission.of(key.id(), NAME, req, idempotencyKey(c)).remixOf(id));
        c.json(videoJson.video(job));
    }

    private void extend(Context c, ApiKey key) throws Exception {
        ObjectNode body = readBody(c);
        checkKnown(body, EXTEND_FIELDS, "");
        JsonNode video = present(body, "video");
        if (video == null) throw OpenAiError.invalid("video", "missing_required_parameter",
                "Missing required parameter: 'video' (an object {id} naming the video to continue).");
        if (video instanceof POJONode) {
            throw OpenAiError.invalid("video", "unsupported_value", "Extending an uploaded video file is not supported; "
                    + "pass video[id] with the id of a completed video of yours.");
        }
        if (!(video instanceof ObjectNode vo)) throw OpenAiError.invalid("video", "invalid_type", "video must be an object {id}.");
        checkKnown(vo, Set.of("id"), "video.");
        String sourceId = optText(vo, "id");
        if (sourceId == null) throw OpenAiError.invalid("video.id", "missing_required_parameter", "Missing required parameter: 'video.id'.");
        String prompt = optText(body, "prompt");
        if (prompt == null) throw OpenAiError.invalid("prompt", "missing_required_parameter", "Missing required parameter: 'prompt'.");
        Integer seconds = optInt(body, "seconds");
        if (seconds == null) throw OpenAiError.invalid("seconds", "missing_required_parameter",
                "Missing required parameter: 'seconds' (the length to add).");
        Job source = ctx.jobs().get(key.id(), sourceId).orElseThrow(() -> new NoSuchJobException(sourceId));
        if (source.status() != io.framegate.domain.JobStatus.COMPLETED) {
            throw new JobStateException("video " + sourceId + " is " + source.status().name().toLowerCase(Locale.ROOT)
                    + "; only a completed video can be extended");
        }
        byte[] lastFrame = lastFrame(key, source);
        GenerationRequest original = ctx.jobs().requestSettings(key.id(), sourceId).orElseThrow(() -> new NoSuchJobException(sourceId));
        ModelSpec spec = ctx.catalog().find(original.model()).orElse(null);
        ImageRole role = spec != null && spec.maxImages(ImageRole.FIRST_FRAME) > 0 ? ImageRole.FIRST_FRAME : ImageRole.REFERENCE;
        GenerationRequest req = original.toBuilder().prompt(prompt).seconds(seconds).numFrames(null).size(source.size())
                .aspectRatio(null).resolution(null).numberOfVideos(null)
                .images(List.of(new InputImage(role, lastFrame, "image/png", "last frame of " + sourceId))).build();
        Job job = ctx.jobs().submit(Submission.of(key.id(), NAME, req, idempotencyKey(c)).extensionOf(sourceId));
        c.json(videoJson.video(job));
    }

    private byte[] lastFrame(ApiKey key, Job source) throws IOException {
        JobContent content = ctx.jobs().openContent(key.id(), source.id(), ContentVariant.VIDEO, 0)
                .orElseThrow(() -> new JobStateException("video " + source.id() + " has no stored video"));
        Path tmp = Files.createTempFile("framegate-extend-", ".mp4");
        try {
            try (InputStream in = content.object().openRange(0, content.object().size())) {
                Files.copy(in, tmp, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
            return VideoTools.lastFramePng(tmp);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    // ---- reads ----

    private void retrieve(Context c, ApiKey key) {
        checkQuery(c, Set.of());
        String id = c.pathParam("video_id");
        Job job = ctx.jobs().get(key.id(), id).orElseThrow(() -> new NoSuchJobException(id));
        c.json(videoJson.video(job));
    }

    private void list(Context c, ApiKey key) {
        checkQuery(c, Set.of("after", "limit", "order"));
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
                Math.max(1, limit), order);
        List<Job> data = limit == 0 ? List.of() : page.data();
        boolean hasMore = limit == 0 ? !page.data().isEmpty() : page.hasMore();
        ObjectNode out = ctx.json().createObjectNode();
        out.put("object", "list");
        ArrayNode arr = out.putArray("data");
        data.forEach(j -> arr.add(videoJson.video(j)));
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

    private void models(Context c, ApiKey key) {
        checkQuery(c, Set.of());
        c.json(videoJson.models(ctx.catalog(), ctx.jobs().routing()));
    }

    // ---- request reading ----

    private ObjectNode readBody(Context c) throws IOException {
        long max = ctx.options().maxUploadBytes();
        long declared = c.req().getContentLengthLong();
        // multipart framing adds some bytes around the largest allowed file
        if (declared > max + 64 * 1024) throw OpenAiError.tooLarge(max);
        String type = c.contentType() == null ? "" : c.contentType().toLowerCase(Locale.ROOT);
        if (type.startsWith("multipart/form-data")) return readMultipart(c, max);
        if (type.startsWith("application/x-www-form-urlencoded")) {
            return FormTree.build(c.formParamMap(), List.of());
        }
        if (type.isEmpty() || type.startsWith("application/json") || type.endsWith("+json")) {
            byte[] bytes;
            try {
                bytes = c.bodyAsBytes();
            } catch (HttpResponseException e) {
                if (e.getStatus() == 413) throw OpenAiError.tooLarge(max);
                throw e;
            }
            if (bytes.length > max) throw OpenAiError.tooLarge(max);
            if (bytes.length == 0) {
                if (type.isEmpty()) return ctx.json().createObjectNode();
                throw OpenAiError.invalid(null, "invalid_json", "The request body is empty; send a JSON object.");
            }
            JsonNode node;
            try {
                node = ctx.json().readTree(bytes);
            } catch (JsonProcessingException e) {
                throw OpenAiError.invalid(null, "invalid_json", "We could not parse the JSON body of your request: "
                        + e.getOriginalMessage() + ". Send valid JSON (or multipart/form-data).");
            }
            if (!(node instanceof ObjectNode obj)) {
                throw OpenAiError.invalid(null, "invalid_json", "The JSON body must be an object.");
            }
            return obj;
        }
        throw new OpenAiError(415, "invalid_request_error", null, "unsupported_media_type", "Content-Type '"
                + c.contentType() + "' is not supported; send application/json or multipart/form-data.");
    }

    private ObjectNode readMultipart(Context c, long max) throws IOException {
        Map<String, List<String>> fields = new java.util.LinkedHashMap<>();
        List<FormTree.Upload> uploads = new ArrayList<>();
        try {
            c.uploadedFileMap(); // makes the container parse the parts with the configured limits
            for (jakarta.servlet.http.Part part : c.req().getParts()) {
                if (part.getSize() > max) throw OpenAiError.tooLarge(max);
                byte[] bytes;
                try (InputStream in = part.getInputStream()) {
                    bytes = in.readAllBytes();
                }
                String partType = part.getContentType();
                boolean file = part.getSubmittedFileName() != null || isFilePart(part.getName(), partType);
                if (file) {
                    uploads.add(new FormTree.Upload(part.getName(), part.getSubmittedFileName(), partType, bytes));
                } else {
                    fields.computeIfAbsent(part.getName(), k -> new ArrayList<>())
                            .add(new String(bytes, java.nio.charset.StandardCharsets.UTF_8));
                }
            }
        } catch (OpenAiError e) {
            throw e;
        } catch (RuntimeException | IOException | jakarta.servlet.ServletException e) {
            String msg = messages(e);
            if (msg.contains("exceeds max") || msg.contains("too large") || msg.contains("Too Large")) {
                throw OpenAiError.tooLarge(max);
            }
            throw OpenAiError.invalid(null, "invalid_multipart", "We could not parse the multipart body of your request"
                    + (msg.isBlank() ? "" : ": " + msg.trim()) + ".");
        }
        return FormTree.build(fields, uploads);
    }

    /**
     * A part without a file name is still a file when it says it is an image or video, or when it is generic
     * binary in a field that takes files (some SDKs send bytes without a name, and every value as octet-stream).
     */
    static boolean isFilePart(String name, String contentType) {
        if (contentType == null) return false;
        String t = contentType.toLowerCase(Locale.ROOT);
        if (t.startsWith("image/") || t.startsWith("video/")) return true;
        return t.startsWith("application/octet-stream") && FILE_FIELD.matcher(name).matches();
    }

    private static String messages(Throwable t) {
        StringBuilder sb = new StringBuilder();
        for (Throwable x = t; x != null; x = x.getCause()) {
            if (x.getMessage() != null && sb.indexOf(x.getMessage()) < 0) sb.append(x.getMessage()).append(' ');
        }
        return sb.toString();
    }

    private static void checkKnown(ObjectNode body, Set<String> known, String prefix) {
        for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!known.contains(k)) throw OpenAiError.unknownParameter(prefix + k);
        }
    }

    private static void checkQuery(Context c, Set<String> known) {
        for (String k : c.queryParamMap().keySet()) {
            if (!known.contains(k)) throw OpenAiError.unknownParameter(k);
        }
    }

    private static JsonNode present(JsonNode body, String field) {
        JsonNode n = body.get(field);
        return n == null || n.isNull() ? null : n;
    }

    private static String optText(JsonNode body, String field) {
        JsonNode n = present(body, field);
        if (n == null) return null;
        if (!n.isTextual()) throw OpenAiError.invalid(field, "invalid_type", "Invalid type for '" + field
                + "': expected a string, but got " + n.getNodeType().name().toLowerCase(Locale.ROOT) + ".");
        return n.asText();
    }

    /** A whole number given as a string ({@code "4"}, as the SDKs send {@code seconds}) or as a JSON number. */
    private static Integer optInt(JsonNode body, String field) {
        JsonNode n = present(body, field);
        if (n == null) return null;
        if (n.isIntegralNumber() && n.canConvertToInt()) return n.asInt();
        if (n.isTextual()) {
            try {
                return Integer.parseInt(n.asText().trim());
            } catch (NumberFormatException e) {
                // reported below
            }
        }
        throw OpenAiError.invalid(field, "invalid_value", "Invalid value: '" + (n.isTextual() ? n.asText() : n.toString())
                + "'. " + field + " must be a whole number, e.g. '4'.");
    }

    private static List<JsonNode> items(JsonNode node, String field) {
        List<JsonNode> out = new ArrayList<>();
        if (node instanceof ArrayNode arr) arr.forEach(out::add);
        else throw OpenAiError.invalid(field, "invalid_type", field + " must be an array.");
        return out;
    }

    private static String idempotencyKey(Context c) {
        String k = c.header("Idempotency-Key");
        if (k == null || k.isBlank()) return null;
        if (k.length() > 255) throw OpenAiError.invalid(null, "invalid_value", "Idempotency-Key is longer than 255 characters.");
        return k.trim();
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
