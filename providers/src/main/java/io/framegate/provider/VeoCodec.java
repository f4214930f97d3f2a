package io.framegate.provider;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.framegate.domain.GenerationRequest;
import io.framegate.domain.ImageRole;
import io.framegate.domain.RenderPlan;

import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;

/**
 * The Veo {@code predictLongRunning} body and operation JSON, shared by the Gemini API and Vertex AI (both take
 * {@code instances} / {@code parameters} as protobuf Values). Field names and enum casing are those the official
 * SDKs put on the wire (shared/reference/wire-formats.md §2.3): images as {@code bytesBase64Encoded} + {@code mimeType},
 * {@code referenceType} upper case, {@code durationSeconds} an integer.
 */
public final class VeoCodec {
    private VeoCodec() {
    }

    /**
     * @param vertex     Vertex AI (adds {@code generateAudio} and {@code storageUri}, which the Gemini API refuses)
     * @param storageUri Vertex output bucket ({@code gs://bucket/dir/}) or null for inline bytes
     */
    public static ObjectNode requestBody(UpstreamJob job, boolean vertex, String storageUri) {
        RenderPlan plan = job.plan();
        GenerationRequest req = plan.request();
        ObjectNode body = Http.JSON.createObjectNode();
        ObjectNode instance = body.putArray("instances").addObject();
        if (req.prompt() != null) instance.put("prompt", req.prompt());
        job.imagesWith(ImageRole.FIRST_FRAME).stream().findFirst().ifPresent(i -> instance.set("image", image(i)));
        job.imagesWith(ImageRole.LAST_FRAME).stream().findFirst().ifPresent(i -> instance.set("lastFrame", image(i)));
        List<FittedImage> refs = new ArrayList<>(job.imagesWith(ImageRole.ASSET));
        refs.addAll(job.imagesWith(ImageRole.STYLE));
        if (!refs.isEmpty()) {
            ArrayNode arr = instance.putArray("referenceImages");
            for (FittedImage r : refs) {
                ObjectNode ref = arr.addObject();
                ref.set("image", image(r));
                ref.put("referenceType", r.role() == ImageRole.STYLE ? "STYLE" : "ASSET");
            }
        }
        ObjectNode p = body.putObject("parameters");
        p.put("aspectRatio", plan.aspectRatio());
        p.put("resolution", plan.resolution());
        p.put("durationSeconds", plan.seconds());
        p.put("sampleCount", plan.numberOfVideos());
        if (req.negativePrompt() != null && !req.negativePrompt().isBlank()) p.put("negativePrompt", req.negativePrompt());
        if (req.personGeneration() != null) p.put("personGeneration", req.personGeneration().toLowerCase(Locale.ROOT));
        if (req.seed() != null) p.put("seed", req.seed());
        if (vertex) {
            p.put("generateAudio", plan.audio());
            if (storageUri != null) p.put("storageUri", storageUri);
        }
        return body;
    }

    /** Veo has no field for a Sora-style reference image (a route's reference_as turns it into a frame or asset). */
    public static String refuse(UpstreamJob job) {
        if (!job.imagesWith(ImageRole.REFERENCE).isEmpty()) {
            return "Veo has no field for a reference image; the route must map it to first_frame or asset (reference_as)";
        }
        return null;
    }

    private static ObjectNode image(FittedImage img) {
        ObjectNode n = Http.JSON.createObjectNode();
        n.put("bytesBase64Encoded", Base64.getEncoder().encodeToString(img.bytes()));
        n.put("mimeType", img.mimeType());
        return n;
    }

    /** Reads an operation of either surface (both result shapes are accepted on both, as the SDKs do). */
    public static Poll parseOperation(JsonNode op) {
        JsonNode error = op.path("error");
        if (error.isObject() && !error.isEmpty()) {
            String code = error.hasNonNull("status") ? error.get("status").asText()
                    : error.hasNonNull("code") ? error.get("code").asText() : null;
            return new Poll.Failed(code, error.path("message").asText("no message"));
        }
        if (!op.path("done").asBoolean(false)) {
            int progress = op.path("metadata").path("progressPercent").asInt(0);
            return new Poll.Running(progress, null);
        }
        JsonNode resp = op.path("response");
        JsonNode gen = resp.has("generateVideoResponse") ? resp.get("generateVideoResponse") : resp;
        List<ResultRef> videos = new ArrayList<>();
        for (JsonNode s : gen.path("generatedSamples")) {
            JsonNode v = s.path("video");
            byte[] bytes = v.hasNonNull("encodedVideo") ? Base64.getDecoder().decode(v.get("encodedVideo").asText()) : null;
            videos.add(new ResultRef(v.path("uri").asText(null), bytes, v.path("encoding").asText("video/mp4")));
        }
        for (JsonNode v : gen.path("videos")) {
            byte[] bytes = v.hasNonNull("bytesBase64Encoded") ? Base64.getDecoder().decode(v.get("bytesBase64Encoded").asText()) : null;
            String uri = v.hasNonNull("gcsUri") ? v.get("gcsUri").asText() : v.path("uri").asText(null);
            videos.add(new ResultRef(uri, bytes, v.path("mimeType").asText("video/mp4")));
        }
        int filteredCount = gen.path("raiMediaFilteredCount").asInt(0);
        List<String> reasons = new ArrayList<>();
        gen.path("raiMediaFilteredReasons").forEach(r -> reasons.add(r.asText()));
        if (videos.isEmpty() && (filteredCount > 0 || !reasons.isEmpty())) {
            return new Poll.Filtered(reasons.isEmpty() ? filteredCount + " video(s) blocked by the upstream's safety filter"
                    : String.join(" | ", reasons));
        }
        return new Poll.Done(videos);
    }
}
