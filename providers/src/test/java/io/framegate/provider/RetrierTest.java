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
        assertThatThrownBy(() -> r.call("x", guard, () -> {
            calls.incrementAndGet();
            throw new UpstreamException(UpstreamException.Kind.REJECTED, 400, null, "bad");
        }, null)).isInstanceOf(UpstreamException.class);
        assertThat(calls).hasValue(1);

        calls.set(0);
        assertThatThrownBy(() -> r.call("x", guard, () -> {
            calls.incrementAndGet();
            throw new UpstreamException(UpstreamException.Kind.TRANSIENT, 502, null, "gateway");
        }, null)).isInstanceOf(UpstreamException.class).hasMessage("gateway");
        assertThat(calls).hasValue(3);
    }

    @Test
    void aRetryAfterBeyondTheDeadlineGivesUpAtOnce() {
        VirtualTicker t = new VirtualTicker();
        CallGuard guard = new CallGuard(t, t.now().plusSeconds(10), () -> false);
        Retrier r = new Retrier(5, Duration.ofSeconds(1), Duration.ofSeconds(4), new Random(3));
        AtomicInteger calls = new AtomicInteger();
        assertThatThrownBy(() -> r.call("x", guard, () -> {
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
