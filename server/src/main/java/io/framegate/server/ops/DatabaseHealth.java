package io.framegate.server.ops;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Whether the database answers, for {@code /healthz}, within a bound of its own. The request pool waits up to its
 * connection timeout (30 s) for a connection, longer than a load balancer's probe waits (often 1-5 s): while the
 * database was down a probe timed out instead of reading 503 (found by the chaos run). One probe runs at a time on
 * its own daemon thread; a health request waits at most {@code bound} for it, and requests arriving while it is still
 * out wait for that one rather than start another, so a down database costs one blocked thread, not one per probe.
 */
public final class DatabaseHealth {
    private final Callable<Boolean> probe;
    private final Duration bound;
    private CompletableFuture<Boolean> inFlight;

    /** @param probe true when the database answered; false or an exception when it did not */
    public DatabaseHealth(Callable<Boolean> probe, Duration bound) {
        this.probe = probe;
        this.bound = bound;
    }

    /** Whether the database answered within the bound (the probe in flight's answer, if one is out). */
    public boolean reachable() {
        CompletableFuture<Boolean> answer;
        synchronized (this) {
            if (inFlight == null || inFlight.isDone()) {
                CompletableFuture<Boolean> f = new CompletableFuture<>();
                Thread.ofPlatform().daemon().name("framegate-health-probe").start(() -> {
                    try {
                        f.complete(Boolean.TRUE.equals(probe.call()));
                    } catch (Exception | Error e) {
                        f.complete(false);
                    }
                });
                inFlight = f;
            }
            answer = inFlight;
        }
        try {
            return answer.get(bound.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
