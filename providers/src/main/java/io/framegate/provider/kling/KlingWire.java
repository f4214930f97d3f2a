package io.framegate.provider.kling;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.List;

/** Kling's image-to-video wire format ({@code /v1/videos/image2video}), as its API reference writes it. */
final class KlingWire {
    private KlingWire() {
    }

    /**
     * The create body. {@code image} and {@code image_tail} are a URL or raw base64 without a {@code data:} prefix;
     * {@code duration} is a string; {@code sound} exists only on the models that make audio.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Create(@JsonProperty("model_name") String modelName,
                  String image,
                  @JsonProperty("image_tail") String imageTail,
                  String prompt,
                  @JsonProperty("negative_prompt") String negativePrompt,
                  String mode,
                  String duration,
                  String sound,
                  @JsonProperty("external_task_id") String externalTaskId) { }

    /** Every answer: {@code code} 0 is success; {@code data} is the task. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record Answer(Integer code, String message, @JsonProperty("request_id") String requestId, Task data) { }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record Task(@JsonProperty("task_id") String taskId,
                @JsonProperty("task_status") String taskStatus,
                @JsonProperty("task_status_msg") String taskStatusMsg,
                @JsonProperty("task_info") TaskInfo taskInfo,
                @JsonProperty("task_result") Result taskResult) { }

    /** The creation parameters Kling echoes: the caller's {@code external_task_id}. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record TaskInfo(@JsonProperty("external_task_id") String externalTaskId) { }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record Result(List<Video> videos) { }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record Video(String id, String url, String duration) { }
}
