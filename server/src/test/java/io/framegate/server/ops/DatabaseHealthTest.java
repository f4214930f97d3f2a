package io.framegate.server.ops;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code /healthz}'s database check has a bound of its own: a database that does not answer (the pool waits 30 s for a
 * connection) reads as unreachable after the bound, and probes arriving meanwhile share the one in flight.
 */
class DatabaseHealthTest {
    @Test
    void aProbeThatHangsReadsUnreachableAndLaterRequestsShareItUntilItAnswers() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger probes = new AtomicInteger();
        DatabaseHealth health = new DatabaseHealth(() -> {
            probes.incrementAndGet();
            release.await();
            return true;
        }, Duration.ofMillis(200));
        assertThat(health.reachable()).as("a database that does not answer within the bound").isFalse();
        assertThat(health.reachable()).isFalse();
        assertThat(health.reachable()).isFalse();
        assertThat(probes).as("one probe out at a time, not one per health request").hasValue(1);
        release.countDown();
        // the stuck probe's answer, or a fresh one: either way the database answers now
        boolean up = false;
        for (int i = 0; i < 50 && !up; i++) up = health.reachable();
        assertThat(up).isTrue();
        assertThat(new DatabaseHealth(() -> true, Duration.ofSeconds(5)).reachable()).isTrue();
    }

    @Test
    void aProbeThatFailsOrSaysNoReadsUnreachable() {
        assertThat(new DatabaseHealth(() -> {
            throw new IllegalStateException("connection refused");
        }, Duration.ofSeconds(5)).reachable()).isFalse();
        assertThat(new DatabaseHealth(() -> false, Duration.ofSeconds(5)).reachable()).isFalse();
    }
}
