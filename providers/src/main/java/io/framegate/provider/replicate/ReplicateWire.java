package io.framegate.provider.replicate;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.JsonNode;

/** Replicate's prediction JSON (replicate.com/docs/topics/predictions); only what Framegate reads. */
final class ReplicateWire {
    private ReplicateWire() {
    }

    /**
     * A prediction. {@code status}: {@code starting}, {@code processing}, {@code succeeded}, {@code failed},
     * {@code canceled}, {@code aborted}; {@code output} is a URL or a list of URLs for video models.
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record Prediction(String id, String model, String status, JsonNode output, JsonNode error, Boolean data_removed) { }
}
