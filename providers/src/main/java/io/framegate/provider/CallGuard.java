package io.framegate.provider;

import io.framegate.domain.GenerationException;

import java.time.Duration;
import java.time.Instant;
import java.util.function.BooleanSupplier;

/**
 * A job's deadline and cancellation, checked before every call and while waiting, so that neither a long
 * {@code Retry-After} nor a slow upstream can hold a job past its budget.
 */
public final class CallGuard {
    private static final Duration SLICE = Duration.ofMillis(200);
    /** The most kept free before the deadline for one last call. */
    static final Duration MAX_LAST_CALL_MARGIN = Duration.ofSeconds(2);

    private final Ticker ticker;
    private final Instant deadline;
    private final BooleanSupplier cancelled;
    private final Duration lastCallMargin;

    public CallGuard(Ticker ticker, Instant deadline, BooleanSupplier cancelled) {
        this.ticker = ticker;
        this.deadline = deadline;
        this.cancelled = cancelled;
        Duration tenth = Duration.between(ticker.now(), deadline).dividedBy(10);
        this.lastCallMargin = tenth.isNegative() ? Duration.ZERO
                : tenth.compareTo(MAX_LAST_CALL_MARGIN) < 0 ? tenth : MAX_LAST_CALL_MARGIN;
    }

    public Ticker ticker() {
        return ticker;
    }

    public Instant deadline() {
        return deadline;
    }

    public Duration remaining() {
        return Duration.between(ticker.now(), deadline);
    }

    /** Kept free before the deadline for a last call: a tenth of the job's time, at most 2 s. */
    public Duration lastCallMargin() {
        return lastCallMargin;
    }

    /**
     * How long to wait before the next call: {@code want}, cut so that the call still starts {@link #lastCallMargin}
     * before the deadline (zero when that moment has come). A long wait thus ends in one last call, not a timeout.
     */
    public Duration clampWait(Duration want) {
        Duration room = remaining().minus(lastCallMargin);
        if (!room.isPositive()) return Duration.ZERO;
        return want.compareTo(room) < 0 ? want : room;
    }

    /** Whether there is no time left for another call after this one (the deadline is within the margin). */
    public boolean atLastCall() {
        return remaining().compareTo(lastCallMargin) <= 0;
    }

    /** The timeout of one HTTP call: {@code requestTimeout}, or less when the deadline is nearer. */
    public Duration callTimeout(Duration requestTimeout) {
        Duration left = remaining();
        if (left.compareTo(requestTimeout) >= 0) return requestTimeout;
        return left.compareTo(Duration.ofMillis(1)) > 0 ? left : Duration.ofMillis(1);
    }

    /** Throws when the job was cancelled ({@code cancelled}) or its deadline passed ({@code timeout}). */
    public void check(String during) throws GenerationException {
        if (cancelled.getAsBoolean()) throw new GenerationException("cancelled", "job cancelled during " + during);
        if (!ticker.now().isBefore(deadline)) {
            throw new GenerationException("timeout", "job deadline passed during " + during + " (deadline " + deadline + ")");
        }
    }

    /** Waits, in short slices so that a cancellation is seen quickly; never past the deadline. */
    public void sleep(Duration d, String during) throws GenerationException {
        Instant until = ticker.now().plus(d);
        if (until.isAfter(deadline)) {
            throw new GenerationException("timeout", "job deadline would pass while waiting " + d.toMillis()
                    + " ms during " + during + " (deadline " + deadline + ")");
        }
        try {
            while (true) {
                check(during);
                Duration left = Duration.between(ticker.now(), until);
                if (!left.isPositive()) return;
                ticker.sleep(left.compareTo(SLICE) < 0 ? left : SLICE);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new GenerationException("cancelled", "interrupted during " + during, e);
        }
    }
}
