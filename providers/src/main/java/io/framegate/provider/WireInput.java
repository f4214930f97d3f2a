package io.framegate.provider;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.framegate.domain.ImageRole;
import io.framegate.domain.ModelSpec;
import io.framegate.domain.RenderPlan;
import io.framegate.domain.WireFields;

import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * The input object of a provider-hosted model (fal, Replicate, ...), written from its catalog field map
 * ({@link ModelSpec#wire()}): each Framegate parameter goes to the model's own field, formatted as the model wants it;
 * nothing the request asked for is dropped without a refusal ({@link #refuse}).
 */
public final class WireInput {
    private WireInput() {
    }

    /**
     * What of this job the model's field map cannot carry, or null when all of it goes: an image role or an asked-for
     * parameter without a field, or images when the model takes only URLs and none can be served.
     *
     * @param urls whether this channel can give images as URLs
     */
    public static String refuse(UpstreamJob job, boolean urls) {
        ModelSpec m = job.plan().model();
        WireFields w = m.wire();
        List<String> missing = new ArrayList<>();
        for (FittedImage img : job.images()) {
            if (w.field(img.role()) == null && !missing.contains(img.role().wireName())) missing.add(img.role().wireName());
        }
        var req = job.plan().request();
        if (req.seed() != null && w.field("seed") == null) missing.add("seed");
        if (req.negativePrompt() != null && w.field("negative_prompt") == null) missing.add("negative_prompt");
        if (req.audio() != null && w.field("audio") == null && "optional".equals(m.audio())) missing.add("audio");
        if (!missing.isEmpty()) {
            return m.id() + " has no input field for " + String.join(", ", missing) + " in its catalog field map";
        }
        if (!job.images().isEmpty() && !w.acceptsDataUri() && !(urls && w.acceptsUrl())) {
            return m.id() + " takes images only as URLs, and this Framegate has no public base URL to serve them"
                    + " from (set one, or route the model to a channel that takes inline images)";
        }
        return null;
    }

    /** {@code data:<mime>;base64,...}: an image inline. */
    public static String dataUri(FittedImage img) {
        return "data:" + img.mimeType() + ";base64," + Base64.getEncoder().encodeToString(img.bytes());
    }

    /** How one image is written into the request (a data URI, a URL). */
    @FunctionalInterface
    public interface ImageForm {
        String of(FittedImage image) throws UpstreamException;
    }

    /**
     * An image as the model takes it: inline as a data URI where its field map allows, else as a URL Framegate serves
     * ({@link UpstreamJob#urlOf}; {@link #refuse} turns such a job away when there is none).
     */
    public static String image(UpstreamJob job, FittedImage img) throws UpstreamException {
        WireFields w = job.plan().model().wire();
        return w.acceptsDataUri() || !w.acceptsUrl() ? dataUri(img) : job.urlOf(img);
    }

    /**
     * The model's input object. {@code image} gives each image as the model receives it (a data URI or a URL).
     */
    public static ObjectNode build(UpstreamJob job, ImageForm image) throws UpstreamException {
        RenderPlan p = job.plan();
        var req = p.request();
        WireFields w = p.model().wire();
        ObjectNode in = Http.JSON.createObjectNode();
        put(in, w, "prompt", req.prompt());
        put(in, w, "negative_prompt", req.negativePrompt());
        put(in, w, "seed", req.seed());
        put(in, w, "seconds", p.seconds());
        put(in, w, "fps", p.fps());
        put(in, w, "resolution", p.resolution());
        put(in, w, "aspect_ratio", p.aspectRatio());
        put(in, w, "size", p.size() != null ? p.size().toString() : null);
        if ("optional".equals(p.model().audio())) put(in, w, "audio", p.audio());
        put(in, w, "number_of_videos", p.numberOfVideos() > 1 ? p.numberOfVideos() : null);
        for (ImageRole role : ImageRole.values()) {
            List<FittedImage> imgs = job.imagesWith(role);
            String field = w.field(role);
            if (imgs.isEmpty() || field == null) continue;
            if ("list".equals(w.formats().get(role.wireName()))) {
                ArrayNode list = in.putArray(field);
                for (FittedImage i : imgs) list.add(image.of(i));
            } else {
                in.put(field, image.of(imgs.get(0)));
            }
        }
        for (Map.Entry<String, Object> c : w.constants().entrySet()) {
            in.set(c.getKey(), Http.JSON.valueToTree(c.getValue()));
        }
        return in;
    }

    private static void put(ObjectNode in, WireFields w, String name, Object value) {
        String field = w.field(name);
        if (field == null || value == null) return;
        in.set(field, Http.JSON.valueToTree(w.format(name, value)));
    }
}
