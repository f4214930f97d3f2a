package io.framegate.provider;

import io.framegate.domain.GenerationException;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RetrierTest {
    @Test
    void backoffIsCappedJitteredAndRetryAfterWins() {
        Retrier r = new Retrier(5, Duration.ofSeconds(1), Duration.ofSeconds(4), new Random(3));
        for (int attempt = 1; attempt <= 6; attempt++) {
            long cap = Math.min(4000, 1000L << (attempt - 1));
            assertThat(r.delay(attempt, null).toMillis()).isBetween(cap / 2, cap);
        }
        assertThat(r.delay(1, Duration.ofSeconds(30))).hasSeconds(30);
    }

    @Test
    void rejectedRequestsAreNotRetriedAndAttemptsAreCapped() throws Exception {
        VirtualTicker t = new VirtualTicker();
        CallGuard guard = new CallGuard(t, t.now().plusSeconds(600), () -> false);
        Retrier r = new Retrier(3, Duration.ofSeconds(1), Duration.ofSeconds(4), new Random(3));
        AtomicInteger calls = new AtomicInteger();
        assertThatThrownBy(() -> r.submit("x", guard, () -> {
            calls.incrementAndGet();
            throw new UpstreamException(UpstreamException.Kind.REJECTED, 400, null, "bad");
        }, null)).isInstanceOf(UpstreamException.class);
        assertThat(calls).hasValue(1);

        calls.set(0);
        assertThatThrownBy(() -> r.submit("x", guard, () -> {
            calls.incrementAndGet();
            throw new UpstreamException(UpstreamException.Kind.TRANSIENT, 503, null, "unavailable");
        }, null)).isInstanceOf(UpstreamException.class).hasMessage("unavailable");
        assertThat(calls).as("a 503 provably refused the submit: retried up to the attempts").hasValue(3);
    }

    @Test
    void aSubmitThatMayHaveBeenAcceptedIsNeverSentAgain() {
        VirtualTicker t = new VirtualTicker();
        CallGuard guard = new CallGuard(t, t.now().plusSeconds(600), () -> false);
        Retrier r = new Retrier(3, Duration.ofSeconds(1), Duration.ofSeconds(4), new Random(3));
        for (UpstreamException unclear : new UpstreamException[]{
                new UpstreamException(UpstreamException.Kind.TRANSIENT, 500, null, "500"),
                new UpstreamException(UpstreamException.Kind.TRANSIENT, 502, null, "502"),
                new UpstreamException(UpstreamException.Kind.TRANSIENT, 504, null, "504"),
                new UpstreamException(UpstreamException.Kind.TRANSIENT, 0, null, "timed out"),
                new UpstreamException(UpstreamException.Kind.TRANSIENT, 200, null, "no handle")}) {
            AtomicInteger calls = new AtomicInteger();
            assertThatThrownBy(() -> r.submit("x", guard, () -> {
                calls.incrementAndGet();
                throw unclear;
            }, null)).isSameAs(unclear);
            assertThat(calls).as(unclear.getMessage()).hasValue(1);
            assertThat(unclear.refusedBeforeAcceptance()).as(unclear.getMessage()).isFalse();
        }
        AtomicInteger calls = new AtomicInteger();
        assertThatThrownBy(() -> r.submit("x", guard, () -> {
            calls.incrementAndGet();
            throw UpstreamException.notSent("connection refused", null);
        }, null)).isInstanceOf(UpstreamException.class);
        assertThat(calls).as("a connection never made is retried").hasValue(3);
    }

    @Test
    void idempotentCallsRetryTransientFailuresUntilTheDeadlineNotAFewTimes() throws Exception {
        VirtualTicker t = new VirtualTicker();
        CallGuard guard = new CallGuard(t, t.now().plusSeconds(120), () -> false);
        Retrier r = new Retrier(3, Duration.ofSeconds(1), Duration.ofSeconds(4), new Random(3));
        AtomicInteger calls = new AtomicInteger();
        String result = r.idempotent("poll", guard, () -> {
            if (calls.incrementAndGet() < 10) throw new UpstreamException(UpstreamException.Kind.TRANSIENT, 503, null, "blip");
            return "done";
        }, null);
        assertThat(result).isEqualTo("done");
        assertThat(calls).hasValue(10);

        calls.set(0);
        assertThatThrownBy(() -> r.idempotent("poll", guard, () -> {
            calls.incrementAndGet();
            throw new UpstreamException(UpstreamException.Kind.TRANSIENT, 0, null, "timed out");
        }, null)).isInstanceOf(GenerationException.class)
                .satisfies(e -> assertThat(((GenerationException) e).code()).isEqualTo("timeout"));
        assertThat(calls.get()).as("retried, backoff capped at 4 s, until the deadline").isGreaterThan(15);
        assertThat(t.now()).isBefore(guard.deadline());
    }

    @Test
    void anIdempotentCallWhoseWaitPassesTheDeadlineTriesOnceMoreJustBeforeIt() throws Exception {
        VirtualTicker t = new VirtualTicker();
        CallGuard guard = new CallGuard(t, t.now().plusSeconds(30), () -> false);
        Retrier r = new Retrier(3, Duration.ofSeconds(1), Duration.ofSeconds(4), new Random(3));
        AtomicInteger calls = new AtomicInteger();
        String result = r.idempotent("poll", guard, () -> {
            if (calls.incrementAndGet() == 1) {
                throw new UpstreamException(UpstreamException.Kind.TRANSIENT, 503, Duration.ofHours(1), "busy");
            }
            return "done";
        }, null);
        assertThat(result).isEqualTo("done");
        assertThat(calls).hasValue(2);
        assertThat(t.now()).isBefore(guard.deadline());

        // failing again at that last try: timeout, after exactly one more call
        VirtualTicker t2 = new VirtualTicker();
        CallGuard guard2 = new CallGuard(t2, t2.now().plusSeconds(30), () -> false);
        calls.set(0);
        assertThatThrownBy(() -> r.idempotent("poll", guard2, () -> {
            calls.incrementAndGet();
            throw new UpstreamException(UpstreamException.Kind.TRANSIENT, 503, Duration.ofHours(1), "busy");
        }, null)).isInstanceOf(GenerationException.class)
                .satisfies(e -> assertThat(((GenerationException) e).code()).isEqualTo("timeout"));
        assertThat(calls).hasValue(2);
        assertThat(t2.now()).isBefore(guard2.deadline());
    }

    @Test
    void aRetryAfterBeyondTheDeadlineGivesUpAtOnce() {
        VirtualTicker t = new VirtualTicker();
        CallGuard guard = new CallGuard(t, t.now().plusSeconds(10), () -> false);
        Retrier r = new Retrier(5, Duration.ofSeconds(1), Duration.ofSeconds(4), new Random(3));
        AtomicInteger calls = new AtomicInteger();
        assertThatThrownBy(() -> r.submit("x", guard, () -> {
            calls.incrementAndGet();
            throw new UpstreamException(UpstreamException.Kind.RATE_LIMITED, 429, Duration.ofSeconds(60), "slow down");
        }, null)).isInstanceOf(UpstreamException.class);
        assertThat(calls).hasValue(1);
        assertThat(t.sleeps).isEmpty();
    }

    @Test
    void retryAfterParsesSecondsAndDates() {
        assertThat(Http.retryAfter(java.util.Optional.of("12"))).hasSeconds(12);
        assertThat(Http.retryAfter(java.util.Optional.of("Wed, 21 Oct 2015 07:28:00 GMT"))).isEqualTo(Duration.ZERO);
        assertThat(Http.retryAfter(java.util.Optional.of("soon"))).isNull();
        assertThat(Http.retryAfter(java.util.Optional.empty())).isNull();
    }

    @Test
    void guardStopsOnCancellation() {
        VirtualTicker t = new VirtualTicker();
        boolean[] cancelled = {false};
        CallGuard guard = new CallGuard(t, t.now().plusSeconds(600), () -> cancelled[0]);
        t.onSleep = now -> cancelled[0] = true;
        assertThatThrownBy(() -> guard.sleep(Duration.ofSeconds(5), "waiting"))
                .isInstanceOf(GenerationException.class).hasMessageContaining("cancelled during waiting");
    }
}
