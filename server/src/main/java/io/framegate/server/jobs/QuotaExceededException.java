package io.framegate.server.jobs;

/**
 * A create that its key's or account's budget (or video-seconds limit) cannot cover: refused before a job exists.
 * OpenAI surfaces answer 429 {@code insufficient_quota}, Google surfaces 429 {@code RESOURCE_EXHAUSTED}. The message
 * names the holder's budget, spent and reserved amounts and the job's price, in USD.
 */
public final class QuotaExceededException extends RuntimeException {
    public QuotaExceededException(String message) {
        super(message);
    }
}
