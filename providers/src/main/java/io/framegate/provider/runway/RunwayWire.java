package io.framegate.provider.runway;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;

/** Runway's wire format ({@code /v1/image_to_video}, {@code /v1/tasks/{id}}), API version 2024-11-06. */
final class RunwayWire {
    private RunwayWire() {
    }

    /**
     * The create body. {@code ratio} is "W:H" in pixels; {@code seed} only on models that take one; {@code audio}
     * only on the models that make it optional (Veo).
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Create(String model, List<PromptImage> promptImage, String promptText, String ratio, Integer duration,
                  Long seed, Boolean audio, String negativePrompt) { }

    /** An image: HTTPS URL, upload URI or data URI; {@code position} {@code first}/{@code last}, none for a reference. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record PromptImage(String uri, String position) { }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record Created(String id) { }

    /** A task: {@code progress} (0..1) while RUNNING, {@code failure}/{@code failureCode} when FAILED, {@code output} when SUCCEEDED. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record Task(String id, String status, Double progress, String failure, String failureCode, List<String> output) { }
}
