package io.framegate.provider;

import io.framegate.domain.OutputFiles;

/**
 * One upstream video API reached with one credential (a channel). Implementations do single calls and report every
 * failure as a classified {@link UpstreamException}; retrying, polling cadence, deadlines and failover are the
 * caller's ({@link UpstreamBackend}, {@link FailoverBackend}).
 */
public interface VideoUpstream extends AutoCloseable {
    /** {@code gemini}, {@code vertex} or {@code openai}. */
    String provider();

    /** What input images this upstream accepts. */
    ImageConstraints imageConstraints();

    /**
     * Checks what only this provider forbids (beyond the model's catalog rules), before anything is sent; returns
     * a message naming the parameter and the rule, or null when the job can be sent.
     */
    default String refuse(UpstreamJob job) {
        return null;
    }

    /** Starts the job; returns the upstream's handle (operation name, video id). */
    String submit(UpstreamJob job) throws UpstreamException;

    /** Asks once how the job is doing. */
    Poll poll(String handle) throws UpstreamException;

    /**
     * Writes video {@code index} of a finished job to {@code out.video()}; when the upstream also serves previews
     * it may write {@code out.thumbnail()} / {@code out.spritesheet()} and return true, else returns false.
     */
    boolean fetch(String handle, ResultRef result, int index, OutputFiles out) throws UpstreamException;

    /** Best effort: asks the upstream to stop the job. Returns false when the upstream has no way to do so. */
    boolean cancel(String handle) throws UpstreamException;

    @Override
    default void close() {
    }
}
