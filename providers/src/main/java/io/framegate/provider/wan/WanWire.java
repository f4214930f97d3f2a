package io.framegate.provider.wan;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

import java.util.List;

/**
 * DashScope (Alibaba Cloud Model Studio) video synthesis JSON as it is on the wire: the first-and-last-frame API
 * reference (kf2v) and the Wan 2.7 image-to-video reference ({@code media[]}), and the task query of
 * "manage asynchronous tasks".
 */
final class WanWire {
    private WanWire() {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record CreateRequest(String model, Input input, Parameters parameters) {
    }

    /** kf2v models take {@code first_frame_url} / {@code last_frame_url}; Wan 2.7 takes {@code media[]}. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record Input(String prompt, String negativePrompt, String firstFrameUrl, String lastFrameUrl, List<Media> media) {
    }

    /** {@code type}: {@code first_frame}, {@code last_frame} (also {@code driving_audio}, {@code first_clip}). */
    record Media(String type, String url) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record Parameters(String resolution, Integer duration, Long seed) {
    }

    /** Both the create answer and the task query: {@code {request_id, output{task_id, task_status, ...}, usage}}. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record TaskResponse(String requestId, Output output, Usage usage) {
    }

    /** {@code task_status}: PENDING, RUNNING, SUCCEEDED, FAILED, CANCELED, UNKNOWN; failures carry code / message. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record Output(String taskId, String taskStatus, String videoUrl, String code, String message, String submitTime,
                  String endTime) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record Usage(Double videoDuration, Integer videoCount) {
    }
}
