package io.framegate.server.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.POJONode;
import io.framegate.domain.FitMode;
import io.framegate.domain.GenerationRequest;
import io.framegate.domain.ImageRole;
import io.framegate.domain.InputImage;
import io.framegate.domain.ModelSpec;
import io.framegate.domain.ValidationException;
import io.framegate.server.WholeNumber;
import io.framegate.server.jobs.ExtensionFrame;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;

import static io.framegate.server.openai.OpenAiBody.checkKnown;
import static io.framegate.server.openai.OpenAiBody.items;
import static io.framegate.server.openai.OpenAiBody.optInt;
import static io.framegate.server.openai.OpenAiBody.optText;
import static io.framegate.server.openai.OpenAiBody.optWhole;
import static io.framegate.server.openai.OpenAiBody.present;
import static io.framegate.server.openai.OpenAiBody.required;

/**
 * Maps the bodies of create, remix and extensions to domain requests, collecting every problem into one 400. Images
 * are located and counted first and fetched only when nothing else is wrong, so a bad request costs no download.
 */
final class CreateMapper {
    static final Set<String> CREATE_FIELDS = Set.of("prompt", "model", "seconds", "size", "input_reference",
            "frame_images", "input_references", "seed", "negative_prompt", "easing", "fit");
    static final Set<String> REMIX_FIELDS = Set.of("prompt");
    static final Set<String> EXTEND_FIELDS = Set.of("video", "prompt", "seconds");

    private final ImageInputs images;
    private final Function<String, ModelSpec> specOf;
    private final Consumer<GenerationRequest> rules;

    /**
     * @param specOf the catalog model a client's model name stands for (config aliases resolved), or null
     * @param rules  checks a request against the catalog's rules (throws {@code ValidationException}); run with the
     *               images' roles but before their bytes are fetched
     */
    CreateMapper(ImageInputs images, Function<String, ModelSpec> specOf, Consumer<GenerationRequest> rules) {
        this.images = images;
        this.specOf = specOf;
        this.rules = rules;
    }

    GenerationRequest create(ObjectNode body) {
        Problems p = new Problems();
        checkKnown(body, CREATE_FIELDS, "", p);
        String named = p.get(() -> optText(body, "model"));
        String model = named != null ? named : OpenAiSurface.DEFAULT_MODEL;
        // a config alias stands for a catalog model, whose roles decide what input_reference means
        ModelSpec spec = specOf.apply(model);
        GenerationRequest.Builder b = GenerationRequest.builder().model(model)
                .prompt(p.get(() -> optText(body, "prompt"))).seconds(p.get(() -> optInt(body, "seconds", allowedSeconds(spec))))
                .size(p.get(() -> optText(body, "size"))).negativePrompt(p.get(() -> optText(body, "negative_prompt")));
        // any long reaches the model's rules, which name the seed range (and whether the model takes one at all)
        b.seed(p.get(() -> optWhole(body, "seed", Long.MIN_VALUE, Long.MAX_VALUE, "allowed: " + WholeNumber.SEED_RANGE)));
        b.option("easing", p.get(() -> optText(body, "easing")));
        b.fit(p.get(() -> fit(optText(body, FitMode.FIELD))));

        JsonNode ref = present(body, "input_reference");
        JsonNode frames = present(body, "frame_images");
        JsonNode refs = present(body, "input_references");
        List<JsonNode> frameItems = frames == null ? List.of() : orEmpty(p.get(() -> items(frames, "frame_images")));
        List<JsonNode> refItems = refs == null ? List.of() : orEmpty(p.get(() -> items(refs, "input_references")));
        int count = (ref != null ? 1 : 0) + frameItems.size() + refItems.size();
        if (count > images.limits().maxImages()) {
            // refused before anything is located or fetched
            String field = frameItems.size() >= refItems.size() ? "frame_images" : "input_references";
            p.add(OpenAiError.invalid(field, "too_many_images", "The request holds " + count + " images (" + field + ": "
                    + Math.max(frameItems.size(), refItems.size()) + "); at most " + images.limits().maxImages()
                    + " images are allowed in one request."));
            p.throwIfAny();
        }
        List<ImageInputs.Located> located = new ArrayList<>();
        if (ref != null) {
            p.check(() -> located.add(images.locate(ref, "input_reference", Set.of(), roleForInputReference(spec))));
        }
        for (int i = 0; i < frameItems.size(); i++) {
            String param = "frame_images[" + i + "]";
            JsonNode item = frameItems.get(i);
            p.check(() -> located.add(frameImage(item, param)));
        }
        for (int i = 0; i < refItems.size(); i++) {
            String param = "input_references[" + i + "]";
            JsonNode item = refItems.get(i);
            p.check(() -> located.add(referenceImage(item, param, spec)));
        }
        p.throwIfAny();
        // the model's rules (roles, seconds, size) decide before any download whether the request can run
        rules.accept(b.images(located.stream().map(l -> new InputImage(l.role(), new byte[0], null, l.param())).toList())
                .build());
        List<InputImage> loaded = images.load(located, p);
        p.throwIfAny();
        return b.images(loaded).build();
    }

    private ImageInputs.Located frameImage(JsonNode item, String p) {
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
        return images.locate(obj, p, Set.of("frame_type", "file"), role);
    }

    private ImageInputs.Located referenceImage(JsonNode item, String p, ModelSpec spec) {
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
        return images.locate(item, p, Set.of("reference_type", "file"), role);
    }

    /** The typed {@code fit}; an unknown name is refused naming the field, the value and the allowed names. */
    static FitMode fit(String text) {
        try {
            return FitMode.parse(text);
        } catch (ValidationException e) {
            throw OpenAiError.invalid(FitMode.FIELD, "invalid_value", e.first().message() + ".");
        }
    }

    private static List<JsonNode> orEmpty(List<JsonNode> list) {
        return list == null ? List.of() : list;
    }

    /** The new prompt of a remix (everything else is the source's request). */
    static String remixPrompt(ObjectNode body) {
        Problems p = new Problems();
        checkKnown(body, REMIX_FIELDS, "", p);
        String prompt = p.get(() -> required(body, "prompt", ""));
        p.throwIfAny();
        return prompt;
    }

    /** What an extension asks for: which video to continue, with what prompt, for how long. */
    /** The rule for {@code seconds} in a refusal: the model's allowed lengths when the model is known. */
    static String allowedSeconds(ModelSpec spec) {
        return spec != null ? "allowed for " + spec.id() + ": " + spec.allowedSecondsText()
                : "allowed: a whole number of seconds the model takes, e.g. '4' (GET /v1/videos/models lists them)";
    }

    record Extension(String sourceId, String prompt, int seconds) {
    }

    static Extension extension(ObjectNode body) {
        Problems p = new Problems();
        checkKnown(body, EXTEND_FIELDS, "", p);
        JsonNode video = present(body, "video");
        String sourceId = null;
        if (video == null) {
            p.add(OpenAiError.invalid("video", "missing_required_parameter",
                    "Missing required parameter: 'video' (an object {id} naming the video to continue)."));
        } else if (video instanceof POJONode) {
            p.add(OpenAiError.invalid("video", "unsupported_value", "Extending an uploaded video file is not supported; "
                    + "pass video[id] with the id of a completed video of yours."));
        } else if (!(video instanceof ObjectNode vo)) {
            p.add(OpenAiError.invalid("video", "invalid_type", "video must be an object {id}."));
        } else {
            checkKnown(vo, Set.of("id"), "video.", p);
            sourceId = p.get(() -> optText(vo, "id"));
            if (sourceId == null && present(vo, "id") == null) {
                p.add(OpenAiError.invalid("video.id", "missing_required_parameter", "Missing required parameter: 'video.id'."));
            }
        }
        String prompt = p.get(() -> required(body, "prompt", ""));
        Integer seconds = p.get(() -> optInt(body, "seconds", allowedSeconds(null)));
        if (seconds == null && present(body, "seconds") == null) {
            p.add(OpenAiError.invalid("seconds", "missing_required_parameter",
                    "Missing required parameter: 'seconds' (the length to add)."));
        }
        p.throwIfAny();
        return new Extension(sourceId, prompt, seconds);
    }

    /**
     * The request of an extension: the source's request with the new prompt and length, starting from the source's
     * last frame, which the worker reads from the stored video (here only a placeholder with the model's role).
     */
    GenerationRequest extensionRequest(GenerationRequest original, Extension ext, String size) {
        ModelSpec spec = specOf.apply(original.model());
        ImageRole role = spec != null && spec.maxImages(ImageRole.FIRST_FRAME) > 0 ? ImageRole.FIRST_FRAME : ImageRole.REFERENCE;
        return original.toBuilder().prompt(ext.prompt()).seconds(ext.seconds()).numFrames(null).size(size)
                .aspectRatio(null).resolution(null).numberOfVideos(null)
                .images(List.of(ExtensionFrame.placeholder(role))).build();
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
}
