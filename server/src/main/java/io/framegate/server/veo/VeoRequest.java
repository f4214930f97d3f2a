package io.framegate.server.veo;

import io.framegate.domain.GenerationRequest;

import java.util.List;
import java.util.Map;

/**
 * A Veo {@code predictLongRunning} request translated for the domain, plus the Veo-only parts the surface itself
 * needs later (where the caller wants results stored, the video to extend, webhooks).
 *
 * @param request          the domain request
 * @param dialect          the shape the request came in
 * @param storageUri       Vertex {@code parameters.storageUri} ({@code gs://...}), or null for inline bytes
 * @param extension        the video to extend ({@code instances[0].video}), or null
 * @param webhookUris      Gemini {@code webhookConfig.uris}
 * @param webhookMetadata  Gemini {@code webhookConfig.user_metadata}
 * @param sampleCountField which field carried the number of videos ({@code sampleCount} or {@code numberOfVideos})
 */
public record VeoRequest(
        GenerationRequest request,
        VeoDialect dialect,
        String storageUri,
        VideoInput extension,
        List<String> webhookUris,
        Map<String, String> webhookMetadata,
        String sampleCountField) {

    public VeoRequest {
        webhookUris = webhookUris == null ? List.of() : List.copyOf(webhookUris);
        webhookMetadata = webhookMetadata == null ? Map.of() : Map.copyOf(webhookMetadata);
    }

    /**
     * The video of {@code instances[0].video}: always one that Framegate produced.
     *
     * @param sourceJobId the Framegate job that produced it
     * @param sourceIndex which of that job's videos
     */
    public record VideoInput(String sourceJobId, int sourceIndex) { }
}
