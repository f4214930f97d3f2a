package io.framegate.server.jobs;

/**
 * The job exists, but the files asked for were deleted by retention (its results after {@code expires_at}, or its
 * input images after the grace that follows its end). Surfaces answer 410 ({@code video_expired}), not 404: the
 * client's id is right, the content is gone for good.
 */
public final class ContentExpiredException extends RuntimeException {
    private final String jobId;

    public ContentExpiredException(String jobId, String message) {
        super(message);
        this.jobId = jobId;
    }

    public String jobId() {
        return jobId;
    }
}
