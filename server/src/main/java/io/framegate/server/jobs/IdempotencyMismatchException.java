package io.framegate.server.jobs;

/**
 * The client reused an {@code Idempotency-Key} for a different request. Surfaces answer it as a client error
 * (OpenAI: 400 {@code idempotency_key}); the same key with the same request returns the original job instead.
 */
public class IdempotencyMismatchException extends RuntimeException {
    private final String existingJobId;

    public IdempotencyMismatchException(String key, String existingJobId) {
        super("Idempotency-Key " + key + " was already used for a different request (job " + existingJobId
                + "); send a new key for a new request");
        this.existingJobId = existingJobId;
    }

    public String existingJobId() {
        return existingJobId;
    }
}
