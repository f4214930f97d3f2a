package io.framegate.server;

import java.util.Map;

/** An exception after which the client may try again: the error answer carries {@code Retry-After} (seconds). */
public interface RetryAfter extends ResponseHeaders {
    long retryAfterSeconds();

    @Override
    default Map<String, String> responseHeaders() {
        return Map.of("Retry-After", String.valueOf(retryAfterSeconds()));
    }
}
