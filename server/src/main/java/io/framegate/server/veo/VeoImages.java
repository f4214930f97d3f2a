package io.framegate.server.veo;

import com.fasterxml.jackson.databind.JsonNode;
import io.framegate.domain.GenerationRequest;
import io.framegate.domain.ImageLimits;
import io.framegate.domain.ImageRole;
import io.framegate.domain.InputImage;
import io.framegate.engine.ImageHeader;
import io.framegate.server.jobs.ResultFrame;

import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

import static io.framegate.server.veo.VeoFields.present;

/**
 * The images of one Veo request (image, lastFrame, referenceImages): inline bytes, {@code inlineData} or a
 * {@code gcsUri} naming one of our own results, each checked (type, size, header) against the limits before any
 * decode. One instance a request: it counts the bytes the request's images may still hold.
 */
final class VeoImages {
    private static final Set<String> IMAGE = Set.of("bytesBase64Encoded", "mimeType", "gcsUri", "inlineData");
    private static final Set<String> INLINE_DATA = Set.of("mimeType", "data");
    private static final Set<String> REFERENCE_IMAGE = Set.of("image", "referenceType");
    private static final Set<String> IMAGE_TYPES = Set.of("image/png", "image/jpeg", "image/webp");

    private final MediaResolver resolver;
    private final ImageLimits limits;
    private final VeoFields c;
    /** Encoded image bytes still allowed in the request being translated. */
    private long budget;

    VeoImages(MediaResolver resolver, ImageLimits limits, VeoFields fields) {
        this.resolver = resolver;
        this.limits = limits;
        this.c = fields;
        this.budget = limits.maxRequestBytes();
    }

    /** Adds the images of {@code instances[0].referenceImages} to the request. */
    void referenceImages(JsonNode list, GenerationRequest.Builder b) {
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
                image(img, field + ".image", role).ifPresent(b::image);
            }
        }
    }

    /** The image {@code node} gives (inline bytes, inlineData or a gcsUri of our own results); empty after a problem. */
    Optional<InputImage> image(JsonNode node, String field, ImageRole role) {
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
            // NOT_FOUND: not the caller's; 410: its job expired (or its inputs were deleted)
            Optional<MediaResolver.NamedImage> named = MediaResolver.naming(sourceField, gcsUri,
                    () -> resolver.resolveImage(gcsUri));
            if (named.isEmpty()) {
                c.add(sourceField, sourceField + "=" + gcsUri + " cannot be fetched: Framegate reads no Cloud Storage; "
                        + "it reads images of your own results named <storageUri>/<operation id>/sample_<i>_thumbnail.webp, "
                        + ".../sample_<i>_frame_<n or last>.png or .../input_<k>.png; else send the image as "
                        + "bytesBase64Encoded");
            } else if (named.get() instanceof MediaResolver.FrameOf f) {
                frame = f;
            } else if (named.get() instanceof MediaResolver.StoredImage stored) {
                if (stored.size() > Math.min(VeoRequestTranslator.MAX_IMAGE_BYTES, budget)) {
                    c.add(sourceField, sourceField + "=" + gcsUri + " names a file of " + stored.size()
                            + " bytes; an image may be at most " + Math.min(VeoRequestTranslator.MAX_IMAGE_BYTES, budget) + " bytes here");
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
        if (bytes.length > VeoRequestTranslator.MAX_IMAGE_BYTES) {
            c.add(sourceField, sourceField + " holds " + bytes.length + " bytes; at most " + VeoRequestTranslator.MAX_IMAGE_BYTES
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
            // format, dimensions against the caps (before any decode) and integrity of the whole file; the image
            // carries it, so that the worker does not walk it again
            ImageHeader header = ImageHeader.check(bytes, limits);
            return Optional.of(new InputImage(role, bytes, header.mimeType(), field, true));
        } catch (ImageHeader.InvalidImageException e) {
            c.add(sourceField, sourceField + " " + e.getMessage());
            return Optional.empty();
        }
    }

    /** The images an instance names: image, lastFrame and each of referenceImages. */
    static int imageCount(JsonNode instance) {
        JsonNode refs = present(instance, "referenceImages");
        return (present(instance, "image") != null ? 1 : 0) + (present(instance, "lastFrame") != null ? 1 : 0)
                + (refs != null && refs.isArray() ? refs.size() : 0);
    }
}
