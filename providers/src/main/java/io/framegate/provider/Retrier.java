package io.framegate.provider;

import io.framegate.domain.GenerationException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.random.RandomGenerator;

/**
 * Retries upstream calls with exponential backoff and jitter, capped in delay, honouring the upstream's
 * {@code Retry-After} (even beyond the cap, but never past the job's deadline). Two policies:
 * <ul>
 *   <li>{@link #submit}: a paid call, sent again only when the upstream provably refused it and the channel may
 *       take it later (no connection, 429, 503), at most {@code attempts} times;</li>
 *   <li>{@link #idempotent}: polls, downloads, lists, sent again after any transient failure until the deadline;
 *       a wait that would pass it is cut short for one last try just before it.</li>
 * </ul>
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
     * Runs a submit; tries it again only after a refusal that proves nothing was started and that the same channel
     * may accept later ({@link UpstreamException#submitRetryable}), at most {@code attempts} tries in all.
     */
    public <T> T submit(String what, CallGuard guard, Call<T> call, Consumer<String> onRetry)
            throws UpstreamException, GenerationException {
        return run(what, guard, call, onRetry, UpstreamException::submitRetryable, attempts);
    }

    /**
     * Runs a call that may be repeated without effect (poll, download, list) until it succeeds, fails for good (4xx)
     * or the job's deadline would pass; transient failures are never final before the deadline.
     */
    public <T> T idempotent(String what, CallGuard guard, Call<T> call, Consumer<String> onRetry)
            throws UpstreamException, GenerationException {
        return run(what, guard, call, onRetry, UpstreamException::retryable, Integer.MAX_VALUE);
    }

    private <T> T run(String what, CallGuard guard, Call<T> call, Consumer<String> onRetry,
                      Predicate<UpstreamException> again, int tries) throws UpstreamException, GenerationException {
        boolean lastTry = false;
        for (int attempt = 1; ; attempt++) {
            guard.check(what);
            try {
                return call.run();
            } catch (UpstreamException e) {
                if (!again.test(e) || attempt >= tries) throw e;
                Duration wait = delay(attempt, e.retryAfter());
                if (tries < Integer.MAX_VALUE) {
                    if (wait.compareTo(guard.remaining()) >= 0) throw e;
                } else {
                    // idempotent: a wait that would pass the deadline is cut short for one last try just before it
                    if (lastTry) {
                        throw new GenerationException("timeout", "job deadline passed during " + what + " (deadline "
                                + guard.deadline() + "; last try: " + e.getMessage() + ")", e);
                    }
                    Duration cut = guard.clampWait(wait);
                    if (cut.compareTo(wait) < 0) {
                        wait = cut;
                        lastTry = true;
                    }
                }
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
