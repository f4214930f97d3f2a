package io.framegate.server.jobs;

/**
 * A job as the operator sees it (every key's jobs, with what the core knows about its attempts).
 *
 * @param job           the job
 * @param attempts         attempts counted so far (claims that did not end in a graceful release)
 * @param downloadAttempts claims made after the upstream accepted the job that crashed or found it running again
 *                         ({@code workers.max_download_attempts})
 * @param hasCheckpoint    whether a backend stored resumable state (e.g. an upstream job handle)
 */
public record AdminJob(Job job, int attempts, int downloadAttempts, boolean hasCheckpoint) {
    static AdminJob of(JobStore.Row r) {
        return new AdminJob(r.job(), r.attempts(), r.downloadAttempts(), r.checkpoint() != null);
    }
}
