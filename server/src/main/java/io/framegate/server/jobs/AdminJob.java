package io.framegate.server.jobs;

/**
 * A job as the operator sees it (every key's jobs, with what the core knows about its attempts).
 *
 * @param job           the job
 * @param attempts      attempts counted so far (claims that did not end in a graceful release)
 * @param hasCheckpoint whether a backend stored resumable state (e.g. an upstream job handle)
 */
public record AdminJob(Job job, int attempts, boolean hasCheckpoint) {
}
