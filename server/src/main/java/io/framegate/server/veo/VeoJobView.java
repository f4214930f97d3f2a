package io.framegate.server.veo;

import io.framegate.domain.JobStatus;

/**
 * What the Veo surfaces need to know about a job to write its operation JSON; filled from the job service's job.
 *
 * @param jobId        Framegate's job id
 * @param model        the model as the client named it
 * @param status       where the job stands
 * @param progress     0..100
 * @param videoCount   how many videos the job makes
 * @param errorCode    for a failed job: the stable code ({@code content_filtered}, {@code upstream_failed}, ...)
 * @param errorMessage for a failed job: what went wrong
 * @param backend      the backend that serves it ({@code local}, {@code vertex:eu}, ...)
 * @param localRender  whether the video is made on this machine rather than by the named cloud model
 * @param costUsd      estimated cost in USD, or null when unknown
 * @param storageUri   Vertex {@code parameters.storageUri} of the request, or null
 * @param warnings     what the client asked for that Framegate recorded but does not do (webhooks, Pub/Sub, ...)
 * @param expiredAt    the job's {@code expires_at} once it has passed (its files are gone), else null
 */
public record VeoJobView(
        String jobId,
        String model,
        JobStatus status,
        int progress,
        int videoCount,
        String errorCode,
        String errorMessage,
        String backend,
        boolean localRender,
        java.math.BigDecimal costUsd,
        String storageUri,
        java.util.List<String> warnings,
        java.time.Instant expiredAt) {

    public VeoJobView {
        warnings = warnings == null ? java.util.List.of() : java.util.List.copyOf(warnings);
    }

    /** A job whose content has not expired. */
    public VeoJobView(String jobId, String model, JobStatus status, int progress, int videoCount, String errorCode,
                      String errorMessage, String backend, boolean localRender, java.math.BigDecimal costUsd,
                      String storageUri, java.util.List<String> warnings) {
        this(jobId, model, status, progress, videoCount, errorCode, errorMessage, backend, localRender, costUsd,
                storageUri, warnings, null);
    }
}
