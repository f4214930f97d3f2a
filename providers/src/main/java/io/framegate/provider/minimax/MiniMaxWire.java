package io.framegate.provider.minimax;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * MiniMax's JSON as it is on the wire (platform.minimax.io api-reference: video generation, query, file retrieve,
 * error codes). Every answer carries {@code base_resp}; its {@code status_code} 0 means success, anything else is an
 * error even under HTTP 200.
 */
final class MiniMaxWire {
    private MiniMaxWire() {
    }

    /** {@code POST /v1/video_generation}: images are URLs or data URLs; Framegate sends data URLs. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record CreateRequest(String model, String prompt, String firstFrameImage, String lastFrameImage, Integer duration,
                         String resolution) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record BaseResp(Integer statusCode, String statusMsg) {
        boolean ok() {
            return statusCode == null || statusCode == 0;
        }
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record CreateResponse(String taskId, BaseResp baseResp) {
    }

    /** {@code GET /v1/query/video_generation?task_id=}; status Preparing, Queueing, Processing, Success, Fail. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record QueryResponse(String taskId, String status, String fileId, Integer videoWidth, Integer videoHeight,
                         BaseResp baseResp) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record File(String fileId, Long bytes, Long createdAt, String filename, String purpose, String downloadUrl) {
    }

    /** {@code GET /v1/files/retrieve?file_id=}: the download URL (valid for hours, not days). */
    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record RetrieveResponse(File file, BaseResp baseResp) {
    }
}
