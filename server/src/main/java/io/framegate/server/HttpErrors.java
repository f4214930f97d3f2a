package io.framegate.server;

import io.javalin.http.Context;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The server's one exception mapper: gives each request an id ({@code x-request-id}), classifies whatever a handler
 * throws with the {@link ErrorClassifier} and lets the surface that handled the request write it in its shape.
 * Unexpected failures are logged with the request id; the client sees only the id.
 */
public final class HttpErrors {
    public static final String REQUEST_ID = "framegate.request_id";
    private static final Logger LOG = LoggerFactory.getLogger(HttpErrors.class);

    private final ErrorClassifier classifier;

    public HttpErrors(ErrorClassifier classifier) {
        this.classifier = classifier;
    }

    /** A before-handler: every request gets an id, sent back as {@code x-request-id}. */
    public void assignRequestId(Context c) {
        String id = "req_" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
        c.attribute(REQUEST_ID, id);
        c.header("x-request-id", id);
    }

    public static String requestId(Context c) {
        Object id = c.attribute(REQUEST_ID);
        return id == null ? null : id.toString();
    }

    /** The exception mapper for {@code Exception}. */
    public void handle(Exception e, Context c) {
        String id = requestId(c);
        ApiError error = classifier.classify(e, id);
        if (error.status() >= 500 && !(e instanceof ClientFacingException)) {
            LOG.error("request {} {} {} failed", id, c.method(), c.path(), e);
        }
        if (e instanceof ResponseHeaders h) h.responseHeaders().forEach(c::header);
        ErrorRenderer renderer = c.attribute(ErrorRenderer.ATTRIBUTE);
        (renderer != null ? renderer : ErrorRenderer.PLAIN).render(c, error, e);
    }

    public ErrorClassifier classifier() {
        return classifier;
    }
}
