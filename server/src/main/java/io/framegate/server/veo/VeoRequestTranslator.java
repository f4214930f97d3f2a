package io.framegate.server.veo;

import com.fasterxml.jackson.databind.JsonNode;
import io.framegate.domain.FitMode;
import io.framegate.domain.GenerationRequest;
import io.framegate.domain.ImageLimits;
import io.framegate.domain.ImageRole;
import io.framegate.domain.ModelSpec;
import io.framegate.server.WholeNumber;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

import static io.framegate.server.veo.VeoFields.firstNonNull;
import static io.framegate.server.veo.VeoFields.present;

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
    private static final Set<String> VIDEO = Set.of("uri", "gcsUri", "encodedVideo", "bytesBase64Encoded",
            "encoding", "mimeType", "inlineData");
    private static final Set<String> WEBHOOK = Set.of("uris", "user_metadata", "userMetadata");

    private final MediaResolver resolver;
    private final ImageLimits limits;
    private final Function<String, ModelSpec> specOf;

    public VeoRequestTranslator(MediaResolver resolver) {
        this(resolver, ImageLimits.DEFAULTS);
    }

    public VeoRequestTranslator(MediaResolver resolver, ImageLimits limits) {
        this(resolver, limits, model -> null);
    }

    /**
     * @param specOf the catalog model a model name from the URL stands for, or null; its rules are named when a
     *               number is out of any range ({@code durationSeconds}, {@code fps}, {@code sampleCount})
     */
    public VeoRequestTranslator(MediaResolver resolver, ImageLimits limits, Function<String, ModelSpec> specOf) {
        this.resolver = resolver;
        this.limits = limits;
        this.specOf = specOf;
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
        VeoFields c = new VeoFields();
        VeoImages images = new VeoImages(resolver, limits, c);
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
        if (instance != null && VeoImages.imageCount(instance) > limits.maxImages()) {
            // refused before any image is decoded or a stored file is read
            throw GoogleApiException.invalidArgument("instances[0].referenceImages", "instances[0] holds "
                    + VeoImages.imageCount(instance) + " images; at most " + limits.maxImages() + " are allowed in one request");
        }
        if (instance != null) {
            c.unknownFields(instance, INSTANCE, "instances[0].");
            b.prompt(c.string(instance, "prompt", "instances[0].prompt"));
            images.image(present(instance, "image"), "instances[0].image", ImageRole.FIRST_FRAME).ifPresent(b::image);
            images.image(present(instance, "lastFrame"), "instances[0].lastFrame", ImageRole.LAST_FRAME).ifPresent(b::image);
            images.referenceImages(present(instance, "referenceImages"), b);
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
            ModelSpec spec = specOf.apply(model);
            String modelRules = "as the model allows (GET /v1/videos/models lists it)";
            b.seconds(c.integer(params, "durationSeconds", "parameters.durationSeconds",
                    spec != null ? spec.allowedSecondsText() + " for " + spec.id() : modelRules));
            b.negativePrompt(c.string(params, "negativePrompt", "parameters.negativePrompt"));
            // any long reaches the model's rules, which name the seed range (and whether the model takes one at all)
            b.seed(c.longValue(params, "seed", "parameters.seed", Long.MIN_VALUE, Long.MAX_VALUE, WholeNumber.SEED_RANGE));
            b.fps(c.integer(params, "fps", "parameters.fps",
                    spec != null ? spec.allowedFpsText() + " for " + spec.id() : modelRules));
            String videos = spec != null ? "1.." + spec.maxVideos() + " for " + spec.id() : modelRules;
            Integer sampleCount = c.integer(params, "sampleCount", "parameters.sampleCount", videos);
            Integer numberOfVideos = c.integer(params, "numberOfVideos", "parameters.numberOfVideos", videos);
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

    private VeoRequest.VideoInput video(VeoFields c, JsonNode node, String field) {
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
            Optional<MediaResolver.ResolvedMedia> media = MediaResolver.naming(uriField, uri, () -> resolver.resolve(uri));
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

    private static void webhook(VeoFields c, JsonNode node, List<String> uris, Map<String, String> metadata) {
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
}
