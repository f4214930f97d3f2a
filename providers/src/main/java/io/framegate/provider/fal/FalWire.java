package io.framegate.provider.fal;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.JsonNode;

/** fal's queue JSON, as documented (docs.fal.ai queue, errors, request-errors); only what Framegate reads. */
final class FalWire {
    private FalWire() {
    }

    /** The submit answer. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record Queued(String request_id, String status, String status_url, String response_url, String cancel_url) { }

    /** {@code GET .../status}: {@code IN_QUEUE}, {@code IN_PROGRESS} or {@code COMPLETED}. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record Status(String status, Integer queue_position) { }

    /** {@code GET .../requests/{id}} of a video endpoint. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record Result(File video) { }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record File(String url, String content_type, String file_name, Long file_size) { }

    /**
     * A failed job's result fetch: a model error {@code {"detail":[{"loc","msg","type"}]}} or a request error
     * {@code {"detail":"...","error_type":"..."}}; null when the body is neither (not a job outcome).
     */
    record Failure(String type, String message) {
        static Failure of(JsonNode body) {
            JsonNode detail = body.path("detail");
            if (detail.isArray() && !detail.isEmpty()) {
                JsonNode first = detail.get(0);
                return new Failure(first.path("type").asText(null), first.path("msg").asText("no message"));
            }
            if (detail.isTextual() || body.hasNonNull("error_type")) {
                return new Failure(body.path("error_type").asText(null), detail.asText("no message"));
            }
            return null;
        }
    }

    /** The cancel answer: {@code OK}, {@code CANCELLATION_REQUESTED}, {@code ALREADY_COMPLETED}, {@code NOT_FOUND}. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record Cancelled(String status) { }
}
