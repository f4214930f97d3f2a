package io.framegate.server.jobs;

/**
 * A create over its key's or account's {@code max_concurrent} (jobs queued or running at once): refused before a job
 * exists, answered 429 {@code rate_limit_exceeded} with {@code Retry-After}.
 */
public final class ConcurrencyLimitException extends RuntimeException implements io.framegate.server.RetryAfter {
    /** A running job takes seconds to minutes; the client asks again after this long. */
    static final long RETRY_AFTER_SECONDS = 5;

    public ConcurrencyLimitException(String message) {
        super(message);
    }

    @Override
    public long retryAfterSeconds() {
        return RETRY_AFTER_SECONDS;
    }
}
