package io.framegate.server.webhooks;

import java.time.Duration;

/**
 * How webhooks are delivered.
 *
 * @param poll         how often each instance looks for due deliveries
 * @param baseDelay    the wait after the first failed attempt; it doubles per failure (with jitter) up to maxDelay
 * @param maxDelay     the longest wait between two attempts
 * @param giveUpAfter  a delivery not accepted this long after its event is given up ({@code failed})
 * @param timeout      one whole attempt: connect, send and the status line of the receiver's answer
 * @param claimFor     how long a claimed delivery is this instance's (another instance retries it after that); longer
 *                     than {@code timeout}, since a delivery is claimed only when a slot is free to send it at once
 * @param jitter       each wait is multiplied by a random factor in {@code 1 +- jitter/2}
 * @param allowPrivate whether endpoints on private, loopback and reserved addresses are allowed
 *                     ({@code FRAMEGATE_ALLOW_PRIVATE_WEBHOOKS=true})
 * @param concurrency  attempts one instance makes at once ({@code webhooks.concurrency}); at most one per endpoint
 */
public record WebhookSettings(Duration poll, Duration baseDelay, Duration maxDelay, Duration giveUpAfter,
                              Duration timeout, Duration claimFor, double jitter, boolean allowPrivate, int concurrency) {
    public static final String ALLOW_PRIVATE_ENV = "FRAMEGATE_ALLOW_PRIVATE_WEBHOOKS";
    /** Attempts one instance makes at once unless {@code webhooks.concurrency} says otherwise. */
    public static final int DEFAULT_CONCURRENCY = 8;
    /** The most {@code webhooks.concurrency} may be. */
    public static final int MAX_CONCURRENCY = 64;

    /** About three days of attempts: 10 s, 20 s, 40 s, ... doubling to 6 h between attempts, then every 6 h. */
    public static final WebhookSettings DEFAULTS = new WebhookSettings(Duration.ofSeconds(1), Duration.ofSeconds(10),
            Duration.ofHours(6), Duration.ofHours(72), Duration.ofSeconds(15), Duration.ofSeconds(60), 0.4, false);

    public WebhookSettings {
        if (concurrency < 1 || concurrency > MAX_CONCURRENCY) {
            throw new IllegalArgumentException("concurrency " + concurrency + " is not from 1 to " + MAX_CONCURRENCY);
        }
        if (claimFor.compareTo(timeout) <= 0) {
            throw new IllegalArgumentException("a claim (" + claimFor + ") must outlast an attempt (" + timeout + ")");
        }
    }

    /** The settings with {@value #DEFAULT_CONCURRENCY} attempts at once. */
    public WebhookSettings(Duration poll, Duration baseDelay, Duration maxDelay, Duration giveUpAfter, Duration timeout,
                           Duration claimFor, double jitter, boolean allowPrivate) {
        this(poll, baseDelay, maxDelay, giveUpAfter, timeout, claimFor, jitter, allowPrivate, DEFAULT_CONCURRENCY);
    }

    public WebhookSettings withAllowPrivate(boolean allow) {
        return new WebhookSettings(poll, baseDelay, maxDelay, giveUpAfter, timeout, claimFor, jitter, allow, concurrency);
    }

    public WebhookSettings withPoll(Duration p) {
        return new WebhookSettings(p, baseDelay, maxDelay, giveUpAfter, timeout, claimFor, jitter, allowPrivate, concurrency);
    }

    public WebhookSettings withConcurrency(int n) {
        return new WebhookSettings(poll, baseDelay, maxDelay, giveUpAfter, timeout, claimFor, jitter, allowPrivate, n);
    }

    /** The wait before attempt {@code failures + 1}, given a uniform random number {@code r} in [0, 1). */
    public Duration delayAfter(int failures, double r) {
        double base = baseDelay.toMillis() * Math.pow(2, Math.max(0, failures - 1));
        double capped = Math.min(maxDelay.toMillis(), base);
        return Duration.ofMillis(Math.round(capped * (1 + jitter * (r - 0.5))));
    }
}
