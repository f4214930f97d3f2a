package io.framegate.provider;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/** Virtual time: sleeping advances the clock at once, so polling and deadlines run without waiting. */
final class VirtualTicker implements Ticker {
    private Instant now = Instant.parse("2026-11-24T10:00:00Z");
    final List<Duration> sleeps = new ArrayList<>();
    Consumer<Instant> onSleep = t -> { };

    @Override
    public synchronized Instant now() {
        return now;
    }

    @Override
    public synchronized void sleep(Duration d) {
        sleeps.add(d);
        now = now.plus(d);
        onSleep.accept(now);
    }

    /** Total time slept, in whole seconds. */
    synchronized long sleptSeconds() {
        return sleeps.stream().mapToLong(Duration::toMillis).sum() / 1000;
    }
}
