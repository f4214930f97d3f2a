package io.framegate.provider.seedance;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

import java.util.List;

/**
 * BytePlus ModelArk / Volcengine Ark video generation JSON as it is on the wire (docs.byteplus.com ModelArk
 * "Create a video generation task", "Query a video generation task", "Cancel or delete a video generation task").
 */
final class SeedanceWire {
    private SeedanceWire() {
    }

    /** {@code POST /contents/generations/tasks}. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record CreateRequest(String model, List<Content> content, String ratio, String resolution, Integer duration,
                         Long seed, Boolean generateAudio) {
    }

    /** One {@code content[]} item: {@code {type:"text",text}} or {@code {type:"image_url",image_url:{url},role}}. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record Content(String type, String text, ImageUrl imageUrl, String role) {
        static Content text(String text) {
            return new Content("text", text, null, null);
        }

        static Content image(String url, String role) {
            return new Content("image_url", null, new ImageUrl(url), role);
        }
    }

    record ImageUrl(String url) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record CreateResponse(String id) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record TaskError(String code, String message) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record Output(String videoUrl, String lastFrameUrl) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record Usage(Long completionTokens, Long totalTokens) {
    }

    /**
     * {@code GET /contents/generations/tasks/{id}}: status {@code queued}, {@code running}, {@code succeeded},
     * {@code failed}, {@code cancelled}, {@code expired}; {@code content.video_url} lasts 24 hours.
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record Task(String id, String model, String status, TaskError error, Output content, Usage usage, Long createdAt,
                Long updatedAt) {
    }
}
