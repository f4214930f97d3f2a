package io.framegate.server.limits;

import io.framegate.server.ResponseHeaders;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A create over a requests-per-minute limit (429 {@code rate_limit_exceeded}); the answer carries {@code Retry-After}
 * and OpenAI's {@code x-ratelimit-*-requests} headers.
 */
public final class RateLimitedException extends RuntimeException implements ResponseHeaders {
    private final int limit;
    private final long resetMillis;

    public RateLimitedException(String holder, int limit, long resetMillis) {
        super("Rate limit reached for " + holder + ": " + limit + " video creates per minute. Try again in "
                + seconds(resetMillis) + " s.");
        this.limit = limit;
        this.resetMillis = resetMillis;
    }

    private static long seconds(long millis) {
        return Math.max(1, (millis + 999) / 1000);
    }

    @Override
    public Map<String, String> responseHeaders() {
        Map<String, String> h = new LinkedHashMap<>();
        h.put("Retry-After", String.valueOf(seconds(resetMillis)));
        h.put("x-ratelimit-limit-requests", String.valueOf(limit));
        h.put("x-ratelimit-remaining-requests", "0");
        h.put("x-ratelimit-reset-requests", seconds(resetMillis) + "s");
        return h;
    }
}
