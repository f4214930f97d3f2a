package io.framegate.server.openai;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.framegate.domain.ValidationException;
import io.framegate.server.ApiError;
import io.framegate.server.ErrorClassifier;
import io.framegate.server.ClientFacingException;
import io.framegate.server.ErrorRenderer;
import io.framegate.server.jobs.NoSuchJobException;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;

/**
 * An error answered in the OpenAI shape {@code {"error":{"message","type","param","code"}}} with its HTTP status.
 */
final class OpenAiError extends RuntimeException implements ClientFacingException {
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

    /** A JSON body that gives {@code name} twice: which one was meant is not ours to guess. */
    static OpenAiError duplicateParameter(String name) {
        return invalid(name, "duplicate_parameter", "Duplicate parameter: '" + name + "' is given more than once in "
                + "the JSON body; send each parameter once.");
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

    @Override
    public int httpStatus() {
        return status;
    }

    @Override
    public String code() {
        return code;
    }

    @Override
    public String param() {
        return param;
    }

    /**
     * Writes a classified error in the OpenAI shape (the surface's own errors and domain validation keep their
     * precise fields). A create ({@code POST}) that failed with a 500, after which the job may exist, or with an
     * idempotency mismatch carries {@code x-should-retry: false}, so the OpenAI SDKs do not send it again. Other 5xx
     * (503 busy, 507 low disk) are provable refusals before anything was created, and a key still in use (409
     * {@code idempotency_key_in_use}) clears when its create ends: a later retry is welcome.
     */
    static void render(Context c, ApiError e, Throwable cause) {
        OpenAiError out = switch (cause) {
            case OpenAiError o -> o;
            case ValidationException v -> OpenAiSurface.fromValidation(v);
            case NoSuchJobException n -> notFound(n.jobId());
            default -> new OpenAiError(e.status(), "insufficient_quota".equals(e.code()) ? e.code() : ErrorRenderer.type(e.status()),
                    e.param(), e.code(), e.message());
        };
        // 500: the job may exist; 409: another request owns the key; insufficient_quota stays refused until the operator
        // raises the budget. A 503/507/429 rate limit is a refusal a later retry may pass, as is the 409 of a key whose
        // create is still under way (the retry gets that create's answer).
        // a 503 because the database could not be reached may come after the create committed (its answer's read
        // failed): like a 500, the job may exist
        boolean mayExist = out.status == 500 || (out.status == 503 && ErrorClassifier.databaseUnreachable(cause));
        boolean conflict = out.status == 409 && !ErrorClassifier.IN_USE.equals(out.code);
        if (c.method() == HandlerType.POST && (mayExist || conflict || "insufficient_quota".equals(out.code))) {
            c.header("x-should-retry", "false");
        }
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        ObjectNode err = body.putObject("error");
        err.put("message", out.getMessage());
        err.put("type", out.type);
        err.put("param", out.param);
        err.put("code", out.code);
        c.status(out.status).contentType("application/json").result(body.toString());
    }
}
