package io.framegate.server.webhooks;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * events.md's delivery defaults: every instance looks for due deliveries each second, 15 s per attempt, retried after 10 s, 20 s, 40 s, ... doubling up to 6 h, each wait
 * x0.8-1.2 at random, given up 72 h after the event - about two dozen attempts - and a 60 s claim; 8 attempts at once
 * (docs/config.md, webhooks.concurrency), each claim outlasting its attempt.
 */
class WebhookScheduleTest {
    private static final WebhookSettings D = WebhookSettings.DEFAULTS;

    @Test
    void theDefaultsAreTheDocumentedOnes() {
        assertThat(D.poll()).isEqualTo(Duration.ofSeconds(1));
        assertThat(D.timeout()).isEqualTo(Duration.ofSeconds(15));
        assertThat(D.giveUpAfter()).isEqualTo(Duration.ofHours(72));
        assertThat(D.claimFor()).isEqualTo(Duration.ofSeconds(60));
        assertThat(D.allowPrivate()).isFalse();
        assertThat(D.concurrency()).isEqualTo(8);
        assertThat(D.claimFor()).as("a claim outlasts its attempt").isGreaterThan(D.timeout());
        assertThat(D.delayAfter(1, 0.5)).isEqualTo(Duration.ofSeconds(10));
        assertThat(D.delayAfter(2, 0.5)).isEqualTo(Duration.ofSeconds(20));
        assertThat(D.delayAfter(3, 0.5)).isEqualTo(Duration.ofSeconds(40));
        assertThat(D.delayAfter(30, 0.5)).isEqualTo(Duration.ofHours(6));
        assertThat(D.delayAfter(1, 0.0)).isEqualTo(Duration.ofSeconds(8));
        assertThat(D.delayAfter(1, 0.999_999)).isBetween(Duration.ofMillis(11_999), Duration.ofSeconds(12));
        int attempts = 1;
        Duration waited = Duration.ZERO;
        while (true) {
            waited = waited.plus(D.delayAfter(attempts, 0.5));
            if (waited.compareTo(D.giveUpAfter()) > 0) break;
            attempts++;
        }
        assertThat(attempts).as("about two dozen attempts in 72 h").isBetween(20, 28);
    }

    @Test
    void aClaimShorterThanAnAttemptOrConcurrencyOutside1To64IsRefused() {
        assertThat(D.withConcurrency(64).concurrency()).isEqualTo(64);
        assertThatThrownBy(() -> D.withConcurrency(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> D.withConcurrency(65)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new WebhookSettings(D.poll(), D.baseDelay(), D.maxDelay(), D.giveUpAfter(),
                Duration.ofSeconds(60), Duration.ofSeconds(60), D.jitter(), false))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("outlast");
    }
}
