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

    /** {@code {"error":{"message","code","param"}}}, for requests no surface has claimed. */
    ErrorRenderer PLAIN = (c, e, cause) -> {
        var body = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
        var err = body.putObject("error");
        err.put("message", e.message());
        err.put("code", e.code());
        err.put("param", e.param());
        c.status(e.status()).contentType("application/json").result(body.toString());
    };
}
