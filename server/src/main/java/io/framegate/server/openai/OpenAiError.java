package io.framegate.server.openai;

/**
 * An error answered in the OpenAI shape {@code {"error":{"message","type","param","code"}}} with its HTTP status.
 */
final class OpenAiError extends RuntimeException {
    final int status;
    final String type;
    final String param;
    final String code;

    OpenAiError(int status, String type, String param, String code, String message) {
        super(message);
        this.status = status;
        this.type = type;
        this.param = param;
        this.code = code;
    }

    static OpenAiError invalid(String param, String code, String message) {
        return new OpenAiError(400, "invalid_request_error", param, code, message);
    }

    static OpenAiError unknownParameter(String name) {
        return invalid(name, "unknown_parameter", "Unknown parameter: '" + name + "'.");
    }

    static OpenAiError notFound(String id) {
        return new OpenAiError(404, "invalid_request_error", null, "video_not_found",
                "Video with id '" + id + "' not found.");
    }

    static OpenAiError unauthorized(String message) {
        return new OpenAiError(401, "invalid_request_error", null, "invalid_api_key", message);
    }

    static OpenAiError tooLarge(long limit) {
        return new OpenAiError(413, "invalid_request_error", null, "request_too_large",
                "The request is larger than the " + limit + " bytes this server accepts.");
    }
}
