package io.framegate.provider.luma;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.List;

/**
 * Luma's two wire formats: the Dream Machine API ({@code keyframes.frame0/frame1}, URLs only) and the Agents API
 * ({@code video.start_frame/end_frame}, a URL or inline base64).
 */
final class LumaWire {
    private LumaWire() {
    }

    /** Dream Machine create body ({@code POST /generations}); {@code duration} is "5s"/"9s". */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record LegacyCreate(String model, String prompt, @JsonProperty("aspect_ratio") String aspectRatio,
                        String resolution, String duration, Keyframes keyframes) { }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Keyframes(Keyframe frame0, Keyframe frame1) { }

    /** {@code {"type":"image","url":...}}; the API also takes {@code {"type":"generation","id":...}}. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Keyframe(String type, String url) { }

    /** Agents create body ({@code POST /generations}, {@code type: video}). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record AgentsCreate(String model, String type, String prompt, @JsonProperty("aspect_ratio") String aspectRatio,
                        VideoOptions video) { }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record VideoOptions(String resolution, String duration, @JsonProperty("start_frame") ImageRef startFrame,
                        @JsonProperty("end_frame") ImageRef endFrame) { }

    /** One of {@code url}, inline {@code data} (base64) with {@code media_type}, or {@code generation_id}. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record ImageRef(String url, String data, @JsonProperty("media_type") String mediaType) { }

    /**
     * A generation as either API returns it: Dream Machine has {@code state} queued/dreaming/completed/failed and
     * {@code assets.video}; Agents has queued/processing/completed/failed, {@code failure_code} and {@code output[]}.
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record Generation(String id, String state, @JsonProperty("failure_code") String failureCode,
                      @JsonProperty("failure_reason") String failureReason, Assets assets, List<Output> output) { }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record Assets(String video) { }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record Output(String type, String url) { }
}
