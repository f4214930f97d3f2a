package io.framegate.provider;

import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One credential at one upstream, named in the config. A channel that failed (5xx, 429, refused key) cools down:
 * until {@link #coolingUntil()} it is tried only after the healthy channels of a route.
 */
public final class Channel {
    private final String name;
    private final VideoUpstream upstream;
    private final AtomicReference<Instant> coolingUntil = new AtomicReference<>(Instant.MIN);
    private final AtomicReference<String> lastFailure = new AtomicReference<>();

    public Channel(String name, VideoUpstream upstream) {
        this.name = name;
        this.upstream = upstream;
    }

    public String name() {
        return name;
    }

    public VideoUpstream upstream() {
        return upstream;
    }

    public boolean coolingAt(Instant now) {
        return now.isBefore(coolingUntil.get());
    }

    public Instant coolingUntil() {
        return coolingUntil.get();
    }

    public String lastFailure() {
        return lastFailure.get();
    }

    void failed(Instant until, String why) {
        coolingUntil.set(until);
        lastFailure.set(why);
    }

    void succeeded() {
        coolingUntil.set(Instant.MIN);
    }

    @Override
    public String toString() {
        return upstream.provider() + ":" + name;
    }
}
