package io.framegate.server.jobs;

/**
 * Another create with the caller's {@code Idempotency-Key} is still under way (on this instance or another): answered
 * 409 {@code idempotency_key_in_use} with {@code Retry-After}, so the client asks again and then gets that create's
 * answer (its job, or the mismatch error) instead of a second job or a refusal for the first one's rate slot.
 */
public final class IdempotencyKeyInUseException extends RuntimeException implements io.framegate.server.RetryAfter {
    /** A create takes well under a second unless it copies large files. */
    static final long RETRY_AFTER_SECONDS = 1;

    public IdempotencyKeyInUseException() {
        super("A request with this Idempotency-Key is still being processed; retry later to get its result.");
    }

    @Override
    public long retryAfterSeconds() {
        return RETRY_AFTER_SECONDS;
    }
}
