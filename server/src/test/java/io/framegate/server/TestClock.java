package io.framegate.server;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;

/** The system clock plus an offset a test moves forward (time keeps flowing, so leases and polls still work). */
public final class TestClock extends Clock {
    private final AtomicLong offsetMillis = new AtomicLong();

    /**
     * Waits, when the wall clock is late in its minute, for the next minute to begin, so that the creates a test makes
     * next fall in one {@code rpm} window (the windows are cut at whole minutes of the server's clock).
     */
    public static void earlyInAMinuteWindow() throws InterruptedException {
        long intoWindow = System.currentTimeMillis() % 60_000;
        if (intoWindow > 40_000) Thread.sleep(60_000 - intoWindow + 50);
    }

    public void advance(Duration d) {
        offsetMillis.addAndGet(d.toMillis());
    }

    @Override
    public Instant instant() {
        return Instant.now().plusMillis(offsetMillis.get());
    }

    @Override
    public long millis() {
        return System.currentTimeMillis() + offsetMillis.get();
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }
}
