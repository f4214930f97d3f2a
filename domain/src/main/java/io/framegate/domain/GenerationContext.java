package io.framegate.domain;

import java.util.Optional;

/** What a running job offers its {@link GenerationBackend}: where to write, how to report, what to remember. */
public interface GenerationContext {
    String jobId();

    /** Where video {@code index} (0-based) and its previews go. */
    OutputFiles output(int index);

    ProgressListener progress();

    /** State saved by an earlier attempt of this job (e.g. an upstream operation name), if any. */
    Optional<String> checkpoint();

    /** Durably records state to resume from; returns only once it is stored. */
    void saveCheckpoint(String state);

    /** Records a fact on the job (provider, upstream id, cost, ...), visible to clients as metadata. */
    void note(String key, String value);

    /** True once the client cancelled or the process is shutting down; long work should stop early. */
    boolean isCancelled();

    /**
     * True when {@link #isCancelled()} is only because the process is stopping: the job will be resumed from its
     * checkpoint by the next start, so work started elsewhere (an upstream job) must be left running, not cancelled.
     */
    default boolean isShuttingDown() {
        return false;
    }

    /**
     * Whether another job of this server already records {@code handle} as its upstream job (in its checkpoint or
     * notes). A submit whose answer was lost must never adopt such a job: it is someone else's, paid by someone else.
     */
    default boolean isHandleTaken(String handle) {
        return false;
    }
}
