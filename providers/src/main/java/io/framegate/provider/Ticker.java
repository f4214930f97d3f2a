package io.framegate.provider;

import java.time.Duration;
import java.time.Instant;

/** The time source and the way to wait, one object so that tests can run polling on virtual time. */
public interface Ticker {
    Instant now();

    void sleep(Duration d) throws InterruptedException;

    /** Wall clock and {@link Thread#sleep}. */
    Ticker SYSTEM = new Ticker() {
        @Override
        public Instant now() {
            return Instant.now();
        }

        @Override
        public void sleep(Duration d) throws InterruptedException {
            if (d.isPositive()) Thread.sleep(d);
        }
    };
}
