package io.framegate.provider;

import io.framegate.domain.GenerationContext;
import io.framegate.domain.OutputFiles;
import io.framegate.domain.ProgressListener;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/** A job's context as the server gives it: output directories, a stored checkpoint, notes, a cancel flag. */
class TestContext implements GenerationContext {
    final Path dir;
    final Map<String, String> notes = new LinkedHashMap<>();
    final List<String> checkpoints = new ArrayList<>();
    final AtomicBoolean cancelled = new AtomicBoolean();
    /** The server is stopping: {@link #isCancelled} is true, but the job will be resumed, not abandoned. */
    final AtomicBoolean shuttingDown = new AtomicBoolean();
    String checkpoint;
    /** Upstream handles other jobs of the server hold. */
    final java.util.Set<String> takenHandles = new java.util.HashSet<>();
    /** When set, decides {@link #isHandleTaken} instead of {@link #takenHandles} (e.g. another job racing for it). */
    volatile java.util.function.Predicate<String> handleTaken;

    TestContext(Path dir) {
        this.dir = dir;
    }

    TestContext(Path dir, String checkpoint) {
        this.dir = dir;
        this.checkpoint = checkpoint;
    }

    @Override
    public String jobId() {
        return "job-test";
    }

    @Override
    public OutputFiles output(int index) {
        return OutputFiles.in(dir.resolve("v" + index));
    }

    @Override
    public ProgressListener progress() {
        return ProgressListener.NONE;
    }

    @Override
    public Optional<String> checkpoint() {
        return Optional.ofNullable(checkpoint);
    }

    @Override
    public void saveCheckpoint(String state) {
        checkpoint = state;
        checkpoints.add(state);
    }

    @Override
    public void note(String key, String value) {
        notes.put(key, value);
    }

    @Override
    public boolean isCancelled() {
        return cancelled.get() || shuttingDown.get();
    }

    @Override
    public boolean isShuttingDown() {
        return shuttingDown.get();
    }

    @Override
    public boolean isHandleTaken(String handle) {
        java.util.function.Predicate<String> p = handleTaken;
        return p != null ? p.test(handle) : takenHandles.contains(handle);
    }
}
