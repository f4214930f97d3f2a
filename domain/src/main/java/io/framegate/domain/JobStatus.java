package io.framegate.domain;

/** The states of a generation job. A job only moves forward: QUEUED, IN_PROGRESS, then one final state. */
public enum JobStatus {
    QUEUED, IN_PROGRESS, COMPLETED, FAILED, CANCELLED;

    public boolean isFinal() {
        return this == COMPLETED || this == FAILED || this == CANCELLED;
    }
}
