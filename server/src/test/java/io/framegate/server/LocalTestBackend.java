package io.framegate.server;

import io.framegate.domain.GenerationBackend;

/**
 * A test backend in the local engine's place: id {@code local}, in the local lane, like the engine's
 * {@code LocalEngine}. A test says what its {@link #generate} does (fails, waits, writes given videos...).
 */
public abstract class LocalTestBackend implements GenerationBackend {
    @Override
    public final String id() {
        return "local";
    }

    @Override
    public final boolean isLocal() {
        return true;
    }
}
