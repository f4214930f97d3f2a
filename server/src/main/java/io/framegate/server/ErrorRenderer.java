package io.framegate.server;

import io.javalin.http.Context;

/**
 * Writes a classified error in one surface's shape. A surface's handlers put theirs on the request (see
 * {@link #ATTRIBUTE}); the server's one exception mapper classifies every exception and calls it.
 */
@FunctionalInterface
public interface ErrorRenderer {
    /** The request attribute holding the renderer of the surface that handles the request. */
    String ATTRIBUTE = "framegate.error_renderer";

    /**
     * @param error the classified error (status, code, message, param)
     * @param cause what was thrown: a surface may render its own exception types more precisely
     */
    void render(Context c, ApiError error, Throwable cause);

    /**
     * {@code {"error":{"message","type","param","code"}}} (the OpenAI shape), for requests no surface has claimed: an
     * unknown path outside the Google surfaces' prefixes, a signed link.
     */
    ErrorRenderer PLAIN = (c, e, cause) -> c.status(e.status()).contentType("application/json").result(plainJson(e));

    /** The body {@link #PLAIN} writes. */
    static String plainJson(ApiError e) {
        var body = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
        var err = body.putObject("error");
        err.put("message", e.message());
        err.put("type", type(e.status()));
        err.put("param", e.param());
        err.put("code", e.code());
        return body.toString();
    }

    /** The OpenAI error type of a status. */
    static String type(int status) {
        if (status == 429) return "rate_limit_error";
        return status >= 500 ? "server_error" : "invalid_request_error";
    }
}
