package io.framegate.provider;

import java.time.Duration;

/**
 * How patiently Framegate talks to upstreams. Every number is configurable ({@code framegate.yaml}) so tests can
 * run with milliseconds.
 *
 * @param pollInitial   first wait after submitting, and the starting poll interval
 * @param pollMax       longest wait between polls (the interval grows by {@code pollFactor} up to this)
 * @param pollFactor    growth of the poll interval after each "still running"
 * @param deadline      a job's whole budget at one upstream, from submit to downloaded result; it bounds every call
 * @param retryAttempts tries of one submit the upstream provably refused (no connection, 429, 503), 1 = no retry;
 *                      polls and downloads are retried until the deadline
 * @param retryBase     first retry delay; it doubles each time, with jitter
 * @param retryMax      cap of one retry delay (a longer {@code Retry-After} is still honoured within the deadline)
 * @param cooldown      how long a channel that refused a job is tried only after the healthy ones
 * @param requestTimeout timeout of one HTTP request, answer body included (less when the deadline is nearer)
 */
public record ProviderSettings(Duration pollInitial, Duration pollMax, double pollFactor, Duration deadline,
                               int retryAttempts, Duration retryBase, Duration retryMax, Duration cooldown,
                               Duration requestTimeout) {
    /** Values for real upstreams: Veo takes 11 s to 6 min; OpenAI's guide suggests polling every 10-20 s. */
    public static final ProviderSettings DEFAULTS = new ProviderSettings(Duration.ofSeconds(10), Duration.ofSeconds(30),
            1.5, Duration.ofMinutes(20), 4, Duration.ofSeconds(1), Duration.ofSeconds(30), Duration.ofMinutes(5),
            Duration.ofSeconds(120));

    public ProviderSettings {
        if (pollFactor < 1) throw new IllegalArgumentException("poll factor must be >= 1: " + pollFactor);
        if (retryAttempts < 1) throw new IllegalArgumentException("retry attempts must be >= 1: " + retryAttempts);
    }
}
