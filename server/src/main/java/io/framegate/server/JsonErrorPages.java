package io.framegate.server;

import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.handler.ErrorHandler;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * What the HTTP server answers for a request it cannot read far enough to hand to a route (a malformed request line,
 * URI or header; a URI or headers over its size limits): JSON in the plain error shape instead of Jetty's HTML page,
 * with a message of our own rather than Jetty's reason.
 */
final class JsonErrorPages extends ErrorHandler {
    @Override
    public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
        if (HttpStatus.hasNoBody(status)) return ByteBuffer.allocate(0);
        fields.put(HttpHeader.CONTENT_TYPE, "application/json");
        String message = switch (status) {
            case 414 -> "The request URI is longer than this server reads.";
            case 431 -> "The request headers are larger than this server reads.";
            case 413 -> "The request is larger than this server takes.";
            default -> status >= 500 ? "The server could not handle this request."
                    : "The request could not be read as HTTP: its request line, URI or headers are malformed.";
        };
        ApiError error = new ApiError(status, ErrorClassifier.codeFor(status), message, null);
        return ByteBuffer.wrap(ErrorRenderer.plainJson(error).getBytes(StandardCharsets.UTF_8));
    }
}
