package io.framegate.server.webhooks;

import io.framegate.domain.JobStatus;

import java.util.List;
import java.util.Optional;

/**
 * The events a webhook endpoint can receive: OpenAI's {@code video.completed} and {@code video.failed}, plus
 * {@code video.cancelled} (a job cancelled by its client) and {@code video.expired} (its files were deleted at the end
 * of retention).
 */
public final class WebhookEvents {
    public static final String COMPLETED = "video.completed";
    public static final String FAILED = "video.failed";
    public static final String CANCELLED = "video.cancelled";
    public static final String EXPIRED = "video.expired";
    public static final List<String> ALL = List.of(COMPLETED, FAILED, CANCELLED, EXPIRED);

    private WebhookEvents() {
    }

    /** The event of a job's final status; empty for a status that is not final. */
    public static Optional<String> of(JobStatus status) {
        return switch (status) {
            case COMPLETED -> Optional.of(COMPLETED);
            case FAILED -> Optional.of(FAILED);
            case CANCELLED -> Optional.of(CANCELLED);
            default -> Optional.empty();
        };
    }
}
