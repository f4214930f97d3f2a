package io.framegate.provider.openrouter;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

import java.util.List;

/**
 * OpenRouter's video generation JSON as it is on the wire (openrouter.ai/docs api-reference "video-generation":
 * create-videos, get-videos, content). The same {@code frame_images} / {@code input_references} shapes are what
 * Framegate's own OpenAI surface accepts as its extension (docs/openai-extension.md).
 */
final class OpenRouterWire {
    private OpenRouterWire() {
    }

    /** {@code POST /api/v1/videos}. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record CreateRequest(String model, String prompt, Integer duration, String resolution, String aspectRatio,
                         String size, Long seed, Boolean generateAudio, List<FrameImage> frameImages,
                         List<InputReference> inputReferences) {
    }

    record ImageUrl(String url) {
    }

    /** {@code {type:"image_url", image_url:{url}, frame_type:"first_frame"|"last_frame"}}. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record FrameImage(String type, ImageUrl imageUrl, String frameType) {
    }

    /** {@code {type:"image_url", image_url:{url}}}. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record InputReference(String type, ImageUrl imageUrl) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record Usage(Double cost) {
    }

    /**
     * The create answer (202) and {@code GET /api/v1/videos/{id}}: status {@code pending}, {@code in_progress},
     * {@code completed} (with {@code unsigned_urls}), {@code failed} (with {@code error}), {@code cancelled},
     * {@code expired}.
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record Job(String id, String pollingUrl, String status, String error, String generationId,
               List<String> unsignedUrls, Usage usage) {
    }
}
