package io.framegate.server.limits;

import io.framegate.server.ResponseHeaders;

import java.util.Map;

/** The server holds {@code limits.max_queued_jobs} queued jobs already (429 {@code queue_full}, retry later). */
public final class QueueFullException extends RuntimeException implements ResponseHeaders {
    public QueueFullException(int max) {
        super("The server has " + max + " jobs waiting already (limits.max_queued_jobs); no new job is taken until some "
                + "start. Try again shortly.");
    }

    @Override
    public Map<String, String> responseHeaders() {
        return Map.of("Retry-After", "10");
    }
}
