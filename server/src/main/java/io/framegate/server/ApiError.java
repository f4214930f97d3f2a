package io.framegate.server;

/**
 * What a failed request answers, before a surface writes it in its own error shape.
 *
 * @param status  the HTTP status
 * @param code    a stable machine-readable code ({@code invalid_value}, {@code not_found}, {@code server_error}, ...)
 * @param message what went wrong, for the client: never a class name, a path, SQL or an upstream's body
 * @param param   the request field or header it is about, or null
 */
public record ApiError(int status, String code, String message, String param) {
    public static ApiError invalid(String param, String code, String message) {
        return new ApiError(400, code, message, param);
    }
}
