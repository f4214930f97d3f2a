package io.framegate.domain;

/** Receives progress of a running generation: {@code done} of {@code total} units of the named stage. */
@FunctionalInterface
public interface ProgressListener {
    ProgressListener NONE = (stage, done, total) -> { };

    void onProgress(String stage, long done, long total);
}
