package io.framegate.server.webhooks;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/** The check an admin's new webhook endpoint gets: its host's lookup is bounded, as a delivery's is. */
class WebhookTargetCheckTest {
    @Test
    void aNameserverThatNeverAnswersFailsTheCheckAtItsDeadline() throws Exception {
        CountDownLatch testOver = new CountDownLatch(1);
        CountDownLatch asked = new CountDownLatch(1);
        WebhookPoster poster = new WebhookPoster(false, host -> {
            asked.countDown();
            try {
                testOver.await(); // a lookup no interrupt ends, as InetAddress.getAllByName's
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return new InetAddress[0];
        }, Duration.ofMillis(300));
        try {
            assertTimeoutPreemptively(Duration.ofSeconds(5), () -> assertThatThrownBy(
                    () -> poster.check(URI.create("https://hooks.example.com/x")))
                    .isInstanceOf(IOException.class)
                    .hasMessage("could not be checked: its host hooks.example.com gave no addresses within 300 ms; "
                            + "try again later"), "the check waited on the nameserver");
            assertThat(asked.getCount()).as("the lookup was made").isZero();
        } finally {
            testOver.countDown();
        }
    }

    @Test
    void anAnswerInTimeIsCheckedAsBefore() throws Exception {
        WebhookPoster poster = new WebhookPoster(false, host -> new InetAddress[] {InetAddress.getByName("10.0.0.7")},
                Duration.ofSeconds(5));
        assertThatThrownBy(() -> poster.check(URI.create("https://hooks.example.com/x")))
                .isInstanceOf(WebhookPoster.RefusedTarget.class).hasMessageContaining("private");
        WebhookPoster unknown = new WebhookPoster(false, host -> {
            throw new java.net.UnknownHostException(host);
        }, Duration.ofSeconds(5));
        assertThatThrownBy(() -> unknown.check(URI.create("https://nowhere.example/x")))
                .isInstanceOf(WebhookPoster.RefusedTarget.class).hasMessage("names an unknown host (nowhere.example)");
    }
}
