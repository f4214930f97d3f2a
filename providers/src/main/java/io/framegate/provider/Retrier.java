package io.framegate.provider;

import io.framegate.domain.GenerationException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.function.Consumer;
import java.util.random.RandomGenerator;

/**
 * Retries one upstream call on 429, 5xx, timeouts and broken connections: exponential backoff with jitter, capped
 * in attempts and delay, honouring the upstream's {@code Retry-After} (even beyond the cap, but never past the job's
 * deadline).
 */
public final class Retrier {
    private static final Logger LOG = LoggerFactory.getLogger(Retrier.class);

    /** One upstream call. */
    @FunctionalInterface
    public interface Call<T> {
        T run() throws UpstreamException;
    }

    private final int attempts;
    private final Duration base;
    private final Duration max;
    private final RandomGenerator random;

    public Retrier(int attempts, Duration base, Duration max, RandomGenerator random) {
        this.attempts = attempts;
        this.base = base;
        this.max = max;
        this.random = random;
    }

    public Retrier(ProviderSettings s) {
        this(s.retryAttempts(), s.retryBase(), s.retryMax(), RandomGenerator.getDefault());
    }

    /**
     * Runs {@code call} until it succeeds, fails for good, or the attempts run out (then the last
     * {@link UpstreamException} is thrown). {@code onRetry} hears of each wait, for the job's notes.
     */
    public <T> T call(String what, CallGuard guard, Call<T> call, Consumer<String> onRetry)
            throws UpstreamException, GenerationException {
        for (int attempt = 1; ; attempt++) {
            guard.check(what);
            try {
                return call.run();
            } catch (UpstreamException e) {
                if (!e.retryable() || attempt >= attempts) throw e;
                Duration wait = delay(attempt, e.retryAfter());
                if (wait.compareTo(guard.remaining()) >= 0) throw e;
                String msg = what + " attempt " + attempt + " failed (" + e.getMessage() + "); retrying in "
                        + wait.toMillis() + " ms" + (e.retryAfter() != null ? " (Retry-After)" : "");
                LOG.info(msg);
                if (onRetry != null) onRetry.accept(msg);
                guard.sleep(wait, what);
            }
        }
    }

    /** The wait before try {@code attempt + 1}: {@code Retry-After} when given, else capped backoff with equal jitter. */
    Duration delay(int attempt, Duration retryAfter) {
        if (retryAfter != null && !retryAfter.isNegative()) return retryAfter;
        long cap = Math.min(max.toMillis(), base.toMillis() << Math.min(attempt - 1, 20));
        long half = cap / 2;
        return Duration.ofMillis(half + (half > 0 ? random.nextLong(half + 1) : 0));
    }
}
