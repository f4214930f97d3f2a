package io.framegate.provider;

import io.framegate.domain.OutputFiles;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * One upstream video API reached with one credential (a channel). Implementations do single calls and report every
 * failure as a classified {@link UpstreamException} whose message carries no upstream body; retrying, polling
 * cadence, deadlines and failover are the caller's ({@link UpstreamBackend}, {@link FailoverBackend}). Every call
 * ends, answer body included, within the {@code timeout} it is given (the request timeout or what is left of the
 * job's deadline, whichever is shorter).
 */
public interface VideoUpstream extends AutoCloseable {
    /** Its provider type name ({@link ProviderFactory#type()}), e.g. {@code vertex}. */
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

    /**
     * Starts the job; returns the upstream's handle (operation name, video id). {@code idempotencyKey} is the same
     * for every attempt of one Framegate job; an upstream whose API takes such a key sends it.
     */
    String submit(UpstreamJob job, String idempotencyKey, Duration timeout) throws UpstreamException;

    /** Asks once how the job is doing. */
    Poll poll(String handle, Duration timeout) throws UpstreamException;

    /**
     * Writes video {@code index} of a finished job to {@code out.video()}; when the upstream also serves previews
     * it may write {@code out.thumbnail()} / {@code out.spritesheet()} and return true, else returns false.
     */
    boolean fetch(String handle, ResultRef result, int index, OutputFiles out, Duration timeout) throws UpstreamException;

    /** Best effort: asks the upstream to stop the job. Returns false when the upstream has no way to do so. */
    boolean cancel(String handle, Duration timeout) throws UpstreamException;

    /** Whether {@link #findSubmitted} can look through (or up) this upstream's jobs. */
    default boolean canListJobs() {
        return false;
    }

    /**
     * After a submit whose answer was lost: the handles of upstream jobs that match {@code job} (model, prompt, size,
     * duration, input reference where shown) and were created between {@code sentAt} and {@code latest} (the latest
     * the submit could have created it), each widened by a clock slack. Only upstreams that can list jobs implement it.
     */
    default List<String> findSubmitted(UpstreamJob job, Instant sentAt, Instant latest, Duration timeout)
            throws UpstreamException {
        return List.of();
    }

    /**
     * The same, with the submit's idempotency key: an upstream that can look a job up by a key the submit sent
     * (Kling's {@code external_task_id}) finds it exactly; others search by {@link #findSubmitted(UpstreamJob, Instant,
     * Instant, Duration)}.
     */
    default List<String> findSubmitted(UpstreamJob job, String idempotencyKey, Instant sentAt, Instant latest,
                                       Duration timeout) throws UpstreamException {
        return findSubmitted(job, sentAt, latest, timeout);
    }

    @Override
    default void close() {
    }
}
