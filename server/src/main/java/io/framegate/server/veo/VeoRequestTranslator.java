package io.framegate.server.veo;

import com.fasterxml.jackson.databind.JsonNode;
import io.framegate.domain.FitMode;
import io.framegate.domain.GenerationRequest;
import io.framegate.engine.ImageHeader;
import io.framegate.domain.ImageLimits;
import io.framegate.domain.ImageRole;
import io.framegate.domain.InputImage;
import io.framegate.server.jobs.ResultFrame;
import io.framegate.server.veo.GoogleApiException.FieldViolation;

import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Turns a Veo {@code predictLongRunning} body (Gemini or Vertex shape, as the SDKs, the docs' REST samples and curl
 * scripts write it) into a {@link VeoRequest}. Lenient where the sources disagree (image as
 * {@code bytesBase64Encoded} or {@code inlineData}, {@code durationSeconds} as number or string, enum values in
 * either case, {@code sampleCount} or {@code numberOfVideos}); strict about everything else: an unknown field, a
 * value of the wrong type or an image that cannot be read is a 400 naming the field, all at once.
 */
public final class VeoRequestTranslator {
    /** Largest image accepted (the Gemini docs' limit for Veo inputs). */
    public static final int MAX_IMAGE_BYTES = 20 * 1024 * 1024;

    private static final Set<String> TOP_LEVEL = Set.of("instances", "parameters", "model", "labels", "webhookConfig");
    private static final Set<String> INSTANCE = Set.of("prompt", "image", "lastFrame", "referenceImages", "video", "mask");
    private static final Set<String> PARAMETERS = Set.of("aspectRatio", "resolution", "durationSeconds",
            "negativePrompt", "seed", "sampleCount", "numberOfVideos", "personGeneration", "generateAudio",
            "enhancePrompt", "storageUri", "resizeMode", "compressionQuality", "fps", "pubsubTopic");
    private static final Set<String> IMAGE = Set.of("bytesBase64Encoded", "mimeType", "gcsUri", "inlineData");
    private static final Set<String> INLINE_DATA = Set.of("mimeType", "data");
    private static final Set<String> VIDEO = Set.of("uri", "gcsUri", "encodedVideo", "bytesBase64Encoded",
            "encoding", "mimeType", "inlineData");
    private static final Set<String> REFERENCE_IMAGE = Set.of("image", "referenceType");
    private static final Set<String> WEBHOOK = Set.of("uris", "user_metadata", "userMetadata");
    private static final Set<String> IMAGE_TYPES = Set.of("image/png", "image/jpeg", "image/webp");
    private static final Pattern WHOLE_NUMBER = Pattern.compile("\\s*-?\\d{1,19}\\s*");

    private final MediaResolver resolver;
    private final ImageLimits limits;
    /** Encoded image bytes still allowed in the request being translated. */
    private long budget;

    public VeoRequestTranslator(MediaResolver resolver) {
        this(resolver, ImageLimits.DEFAULTS);
    }

    public VeoRequestTranslator(MediaResolver resolver, ImageLimits limits) {
        this.resolver = resolver;
        this.limits = limits;
    }

    /**
     * Translates a request body.
     *
     * @param model   the model from the URL path
     * @param body    the parsed JSON body
     * @param dialect which surface received it
     * @throws GoogleApiException 400 listing every problem with the body's shape
     */
    public VeoRequest translate(String model, JsonNode body, VeoDialect dialect) {
        Collector c = new Collector();
        budget = limits.maxRequestBytes();
        GenerationRequest.Builder b = GenerationRequest.builder().model(model);
        if (body == null || !body.isObject()) {
            throw GoogleApiException.invalidArgument("request body must be a JSON object with \"instances\" and "
                    + "\"parameters\"");
        }
        c.unknownFields(body, TOP_LEVEL, "");

        JsonNode bodyModel = present(body, "model");
        if (bodyModel != null) {
            String named = bodyModel.isTextual() ? bodyModel.asText() : null;
            String shortName = named == null ? null : named.substring(named.lastIndexOf("models/") < 0 ? 0
                    : named.lastIndexOf("models/") + "models/".length());
            if (shortName == null || !shortName.equalsIgnoreCase(model)) {
                c.add("model", "model " + bodyModel + " contradicts the model in the URL (" + model + ")");
            }
        }

        // instances[0]
        JsonNode instances = present(body, "instances");
        JsonNode instance = null;
        if (instances == null || !instances.isArray() || instances.isEmpty()) {
            c.add("instances", "instances must be an array holding exactly one instance");
        } else if (instances.size() > 1) {
            c.add("instances", "instances holds " + instances.size() + " instances; Veo takes exactly one "
                    + "(ask for more videos with parameters.sampleCount)");
        } else if (!instances.get(0).isObject()) {
            c.add("instances[0]", "instances[0] must be an object");
        } else {
            instance = instances.get(0);
        }
        VeoRequest.VideoInput extension = null;
        if (instance != null && imageCount(instance) > limits.maxImages()) {
            // refused before any image is decoded or a stored file is read
            throw GoogleApiException.invalidArgument("instances[0].referenceImages", "instances[0] holds "
                    + imageCount(instance) + " images; at most " + limits.maxImages() + " are allowed in one request");
        }
        if (instance != null) {
            c.unknownFields(instance, INSTANCE, "instances[0].");
            b.prompt(c.string(instance, "prompt", "instances[0].prompt"));
            image(c, present(instance, "image"), "instances[0].image", ImageRole.FIRST_FRAME).ifPresent(b::image);
            image(c, present(instance, "lastFrame"), "instances[0].lastFrame", ImageRole.LAST_FRAME).ifPresent(b::image);
            referenceImages(c, present(instance, "referenceImages"), b);
            extension = video(c, present(instance, "video"), "instances[0].video");
            if (present(instance, "mask") != null) {
                c.add("instances[0].mask", "instances[0].mask (mask-based video editing) is not supported by "
                        + "Framegate; send the request without a mask");
            }
        }

        // parameters
        JsonNode params = present(body, "parameters");
        String storageUri = null;
        String sampleCountField = "sampleCount";
        if (params != null && !params.isObject()) {
            c.add("parameters", "parameters must be an object");
        } else if (params != null) {
            c.unknownFields(params, PARAMETERS, "parameters.");
            b.aspectRatio(c.string(params, "aspectRatio", "parameters.aspectRatio"));
            String resolution = c.string(params, "resolution", "parameters.resolution");
            b.resolution(resolution == null ? null : resolution.trim().toLowerCase(Locale.ROOT));
            b.seconds(c.integer(params, "durationSeconds", "parameters.durationSeconds"));
            b.negativePrompt(c.string(params, "negativePrompt", "parameters.negativePrompt"));
            b.seed(c.longValue(params, "seed", "parameters.seed"));
            b.fps(c.integer(params, "fps", "parameters.fps"));
            Integer sampleCount = c.integer(params, "sampleCount", "parameters.sampleCount");
            Integer numberOfVideos = c.integer(params, "numberOfVideos", "parameters.numberOfVideos");
            if (sampleCount != null && numberOfVideos != null && !sampleCount.equals(numberOfVideos)) {
                c.add("parameters.numberOfVideos", "parameters.sampleCount=" + sampleCount
                        + " and parameters.numberOfVideos=" + numberOfVideos + " disagree; send one of them");
            }
            if (sampleCount == null && numberOfVideos != null) sampleCountField = "numberOfVideos";
            b.numberOfVideos(sampleCount != null ? sampleCount : numberOfVideos);
            b.personGeneration(personGeneration(c.string(params, "personGeneration", "parameters.personGeneration")));
            b.audio(c.bool(params, "generateAudio", "parameters.generateAudio"));
            Boolean enhance = c.bool(params, "enhancePrompt", "parameters.enhancePrompt");
            if (enhance != null) b.option("enhance_prompt", enhance.toString());
            // Veo's resizeMode names two of the fit modes (the values are checked here, so parse cannot refuse them)
            b.fit(FitMode.parse(c.enumValue(params, "resizeMode", "parameters.resizeMode", "pad", "crop")));
            b.option("compression_quality", c.enumValue(params, "compressionQuality", "parameters.compressionQuality",
                    "optimized", "lossless"));
            b.option("pubsub_topic", c.string(params, "pubsubTopic", "parameters.pubsubTopic"));
            storageUri = c.string(params, "storageUri", "parameters.storageUri");
            if (storageUri != null && !storageUri.startsWith("gs://")) {
                c.add("parameters.storageUri", "parameters.storageUri=" + storageUri
                        + " is not a Cloud Storage URI; write gs://BUCKET/PATH");
                storageUri = null;
            }
            b.option("storage_uri", storageUri);
        }

        // labels (Vertex) and webhookConfig (Gemini)
        JsonNode labels = present(body, "labels");
        if (labels != null) {
            if (!labels.isObject()) {
                c.add("labels", "labels must be an object of string values");
            } else {
                labels.fields().forEachRemaining(e -> {
                    if (e.getValue().isTextual()) b.option("label." + e.getKey(), e.getValue().asText());
                    else c.add("labels." + e.getKey(), "labels." + e.getKey() + " must be a string");
                });
            }
        }
        List<String> webhookUris = new ArrayList<>();
        Map<String, String> webhookMetadata = new LinkedHashMap<>();
        webhook(c, present(body, "webhookConfig"), webhookUris, webhookMetadata);

        c.throwIfAny();
        b.option("veo_surface", dialect.name().toLowerCase(Locale.ROOT));
        return new VeoRequest(b.build(), dialect, storageUri, extension, webhookUris, webhookMetadata,
                sampleCountField);
    }

    private void referenceImages(Collector c, JsonNode list, GenerationRequest.Builder b) {
        if (list == null) return;
        if (!list.isArray()) {
            c.add("instances[0].referenceImages", "instances[0].referenceImages must be an array of "
                    + "{image, referenceType}");
            return;
        }
        for (int i = 0; i < list.size(); i++) {
            String field = "instances[0].referenceImages[" + i + "]";
            JsonNode ref = list.get(i);
            if (!ref.isObject()) {
                c.add(field, field + " must be an object {image, referenceType}");
                continue;
            }
            c.unknownFields(ref, REFERENCE_IMAGE, field + ".");
            String type = c.enumValue(ref, "referenceType", field + ".referenceType", "asset", "style");
            ImageRole role = "style".equals(type) ? ImageRole.STYLE : ImageRole.ASSET;
            JsonNode img = present(ref, "image");
            if (img == null) {
                c.add(field + ".image", field + ".image is required");
            } else {
                image(c, img, field + ".image", role).ifPresent(b::image);
            }
        }
    }

    private Optional<InputImage> image(Collector c, JsonNode node, String field, ImageRole role) {
        if (node == null) return Optional.empty();
        if (!node.isObject()) {
            c.add(field, field + " must be an object {bytesBase64Encoded, mimeType}, {inlineData: {mimeType, data}} "
                    + "or {gcsUri, mimeType}");
            return Optional.empty();
        }
        c.unknownFields(node, IMAGE, field + ".");
        String mimeType = c.string(node, "mimeType", field + ".mimeType");
        byte[] bytes = null;
        String sourceField = null;
        int sources = 0;
        if (present(node, "bytesBase64Encoded") != null) {
            sources++;
            sourceField = field + ".bytesBase64Encoded";
            bytes = c.base64(node, "bytesBase64Encoded", sourceField);
        }
        JsonNode inline = present(node, "inlineData");
        if (inline != null) {
            sources++;
            sourceField = field + ".inlineData.data";
            if (!inline.isObject()) {
                c.add(field + ".inlineData", field + ".inlineData must be an object {mimeType, data}");
            } else {
                c.unknownFields(inline, INLINE_DATA, field + ".inlineData.");
                String inlineType = c.string(inline, "mimeType", field + ".inlineData.mimeType");
                if (inlineType != null) mimeType = inlineType;
                bytes = c.base64(inline, "data", sourceField);
                if (present(inline, "data") == null) c.add(sourceField, sourceField + " is required");
            }
        }
        String gcsUri = c.string(node, "gcsUri", field + ".gcsUri");
        MediaResolver.FrameOf frame = null;
        if (gcsUri != null) {
            sources++;
            sourceField = field + ".gcsUri";
            Optional<MediaResolver.NamedImage> named = resolver.resolveImage(gcsUri); // NOT_FOUND: not the caller's
            if (named.isEmpty()) {
                c.add(sourceField, sourceField + "=" + gcsUri + " cannot be fetched: Framegate reads no Cloud Storage; "
                        + "it reads images of your own results named <storageUri>/<operation id>/sample_<i>_thumbnail.webp, "
                        + ".../sample_<i>_frame_<n or last>.png or .../input_<k>.png; else send the image as "
                        + "bytesBase64Encoded");
            } else if (named.get() instanceof MediaResolver.FrameOf f) {
                frame = f;
            } else if (named.get() instanceof MediaResolver.StoredImage stored) {
                if (stored.size() > Math.min(MAX_IMAGE_BYTES, budget)) {
                    c.add(sourceField, sourceField + "=" + gcsUri + " names a file of " + stored.size()
                            + " bytes; an image may be at most " + Math.min(MAX_IMAGE_BYTES, budget) + " bytes here");
                    return Optional.empty();
                }
                bytes = stored.content().get();
            }
        }
        if (sources == 0) {
            c.add(field, field + " has no image: give bytesBase64Encoded, inlineData or gcsUri");
            return Optional.empty();
        }
        if (sources > 1) {
            c.add(field, field + " gives the image more than once; give exactly one of bytesBase64Encoded, "
                    + "inlineData or gcsUri");
            return Optional.empty();
        }
        if (mimeType != null && !IMAGE_TYPES.contains(mimeType.trim().toLowerCase(Locale.ROOT))) {
            c.add(field + ".mimeType", field + ".mimeType=" + mimeType + " is not supported; allowed: "
                    + String.join(", ", new TreeSet<>(IMAGE_TYPES)));
            return Optional.empty();
        }
        // the worker decodes the frame from its own copy of the video; its size is the video's, known to be sane
        if (frame != null) return Optional.of(ResultFrame.placeholder(role, frame.jobId(), frame.index(), frame.frame()));
        if (bytes == null) return Optional.empty();
        if (bytes.length > MAX_IMAGE_BYTES) {
            c.add(sourceField, sourceField + " holds " + bytes.length + " bytes; at most " + MAX_IMAGE_BYTES
                    + " (20 MB) are allowed");
            return Optional.empty();
        }
        if (bytes.length > budget) {
            c.add(sourceField, sourceField + " holds " + bytes.length + " bytes; the images of one request may hold at "
                    + "most " + limits.maxRequestBytes() + " bytes together");
            return Optional.empty();
        }
        budget -= bytes.length;
        try {
            // format, dimensions against the caps (before any decode) and integrity of the whole file
            ImageHeader header = ImageHeader.check(bytes, limits);
            return Optional.of(new InputImage(role, bytes, header.mimeType(), field));
        } catch (ImageHeader.InvalidImageException e) {
            c.add(sourceField, sourceField + " " + e.getMessage());
            return Optional.empty();
        }
    }

    /** The images an instance names: image, lastFrame and each of referenceImages. */
    private static int imageCount(JsonNode instance) {
        JsonNode refs = present(instance, "referenceImages");
        return (present(instance, "image") != null ? 1 : 0) + (present(instance, "lastFrame") != null ? 1 : 0)
                + (refs != null && refs.isArray() ? refs.size() : 0);
    }

    private VeoRequest.VideoInput video(Collector c, JsonNode node, String field) {
        if (node == null) return null;
        if (!node.isObject()) {
            c.add(field, field + " must be an object {uri}, {gcsUri, mimeType} or {bytesBase64Encoded, mimeType}");
            return null;
        }
        c.unknownFields(node, VIDEO, field + ".");
        c.string(node, "mimeType", field + ".mimeType");
        c.string(node, "encoding", field + ".encoding");
        String uri = firstNonNull(c.string(node, "uri", field + ".uri"), c.string(node, "gcsUri", field + ".gcsUri"));
        String uriField = present(node, "uri") != null ? field + ".uri" : field + ".gcsUri";
        if (uri != null) {
            // The SDKs send the URI and drop the bytes when both are known; a URI wins here too.
            Optional<MediaResolver.ResolvedMedia> media = resolver.resolve(uri);
            if (media.isEmpty()) {
                c.add(uriField, uriField + "=" + uri + " cannot be fetched: Framegate only extends videos it produced "
                        + "itself (the uri or gcsUri of one of its operations' results)");
                return null;
            }
            MediaResolver.ResolvedMedia m = media.get();
            return new VeoRequest.VideoInput(m.jobId(), m.index());
        }
        boolean bytesGiven = present(node, "encodedVideo") != null || present(node, "bytesBase64Encoded") != null
                || present(node, "inlineData") != null;
        c.add(field, bytesGiven
                ? field + " gives the video as bytes; Framegate extends only videos it produced itself, named by the "
                        + "uri of a Gemini result or the gcsUri of a Vertex result (ask for one with parameters.storageUri)"
                : field + " has no video: give uri or gcsUri");
        return null;
    }

    private static void webhook(Collector c, JsonNode node, List<String> uris, Map<String, String> metadata) {
        if (node == null) return;
        if (!node.isObject()) {
            c.add("webhookConfig", "webhookConfig must be an object {uris, user_metadata}");
            return;
        }
        c.unknownFields(node, WEBHOOK, "webhookConfig.");
        JsonNode list = present(node, "uris");
        if (list != null) {
            if (!list.isArray()) {
                c.add("webhookConfig.uris", "webhookConfig.uris must be an array of URLs");
            } else {
                for (int i = 0; i < list.size(); i++) {
                    String uri = list.get(i).isTextual() ? list.get(i).asText() : null;
                    if (uri == null || !(uri.startsWith("https://") || uri.startsWith("http://"))) {
                        c.add("webhookConfig.uris[" + i + "]", "webhookConfig.uris[" + i + "]=" + list.get(i)
                                + " is not an http(s) URL");
                    } else {
                        uris.add(uri);
                    }
                }
            }
        }
        JsonNode meta = firstNonNull(present(node, "user_metadata"), present(node, "userMetadata"));
        if (meta != null) {
            if (!meta.isObject()) {
                c.add("webhookConfig.user_metadata", "webhookConfig.user_metadata must be an object");
            } else {
                meta.fields().forEachRemaining(e -> metadata.put(e.getKey(),
                        e.getValue().isTextual() ? e.getValue().asText() : e.getValue().toString()));
            }
        }
    }

    /** {@code ALLOW_ADULT}, {@code allowAdult} and {@code allow-adult} all become {@code allow_adult}. */
    static String personGeneration(String value) {
        if (value == null) return null;
        return value.trim().replace('-', '_').replaceAll("([a-z])([A-Z])", "$1_$2").toLowerCase(Locale.ROOT);
    }

    /** The field's node, or null when it is absent or JSON null (both mean "not given"). */
    private static JsonNode present(JsonNode parent, String name) {
        JsonNode n = parent.get(name);
        return n == null || n.isNull() ? null : n;
    }

    @SafeVarargs
    private static <T> T firstNonNull(T... values) {
        for (T v : values) if (v != null) return v;
        return null;
    }

    /** Gathers every problem so that one 400 lists them all. */
    private static final class Collector {
        private final List<FieldViolation> violations = new ArrayList<>();

        void add(String field, String description) {
            violations.add(new FieldViolation(field, description));
        }

        void throwIfAny() {
            if (!violations.isEmpty()) throw GoogleApiException.invalidArgument(violations);
        }

        void unknownFields(JsonNode node, Set<String> known, String prefix) {
            List<String> unknown = new ArrayList<>();
            for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
                String name = it.next();
                if (!known.contains(name)) unknown.add(name);
            }
            for (String name : unknown) {
                add(prefix + name, "unknown field " + prefix + name + "; known fields here: "
                        + String.join(", ", new TreeSet<>(known)));
            }
        }

        String string(JsonNode parent, String name, String field) {
            JsonNode n = present(parent, name);
            if (n == null) return null;
            if (!n.isTextual()) {
                add(field, field + " must be a string; got " + n);
                return null;
            }
            return n.asText();
        }

        Long longValue(JsonNode parent, String name, String field) {
            JsonNode n = present(parent, name);
            if (n == null) return null;
            if (n.isIntegralNumber() && n.canConvertToLong()) return n.asLong();
            if (n.isNumber() && n.asDouble() == Math.rint(n.asDouble()) && Math.abs(n.asDouble()) < 1e18) {
                return (long) n.asDouble();
            }
            if (n.isTextual() && WHOLE_NUMBER.matcher(n.asText()).matches()) {
                try {
                    return Long.parseLong(n.asText().trim());
                } catch (NumberFormatException e) {
                    // falls through to the error below
                }
            }
            add(field, field + " must be a whole number (as a number or a string of digits); got " + n);
            return null;
        }

        Integer integer(JsonNode parent, String name, String field) {
            Long v = longValue(parent, name, field);
            if (v == null) return null;
            if (v > Integer.MAX_VALUE || v < Integer.MIN_VALUE) {
                add(field, field + "=" + v + " is out of range");
                return null;
            }
            return v.intValue();
        }

        Boolean bool(JsonNode parent, String name, String field) {
            JsonNode n = present(parent, name);
            if (n == null) return null;
            if (n.isBoolean()) return n.asBoolean();
            if (n.isTextual() && (n.asText().equalsIgnoreCase("true") || n.asText().equalsIgnoreCase("false"))) {
                return Boolean.parseBoolean(n.asText());
            }
            add(field, field + " must be true or false; got " + n);
            return null;
        }

        /** An enum value in either case; returned lowercase. */
        String enumValue(JsonNode parent, String name, String field, String... allowed) {
            String v = string(parent, name, field);
            if (v == null) return null;
            String norm = v.trim().toLowerCase(Locale.ROOT);
            for (String a : allowed) if (a.equals(norm)) return a;
            add(field, field + "=" + v + " is not allowed; allowed: " + String.join(", ", allowed)
                    + " (either case)");
            return null;
        }

        byte[] base64(JsonNode parent, String name, String field) {
            String text = string(parent, name, field);
            if (text == null) return null;
            String compact = text.replaceAll("\\s+", "");
            try {
                return Base64.getDecoder().decode(compact);
            } catch (IllegalArgumentException standard) {
                try {
                    return Base64.getUrlDecoder().decode(compact);
                } catch (IllegalArgumentException urlSafe) {
                    add(field, field + " is not valid base64: " + standard.getMessage());
                    return null;
                }
            }
        }
    }
}
