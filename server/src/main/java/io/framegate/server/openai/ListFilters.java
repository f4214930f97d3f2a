package io.framegate.server.openai;

import io.framegate.domain.JobStatus;
import io.framegate.domain.ModelSpec;
import io.framegate.server.ServerContext;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * Framegate's filters on {@code GET /v1/videos} ({@code status}, {@code model}), used by the console's Jobs page.
 * {@code status=failed} matches what the OpenAI shape shows as failed (cancelled jobs too); {@code cancelled} only those.
 */
final class ListFilters {
    private ListFilters() {
    }

    /** The stored states a {@code status} value means; null when absent. */
    static Set<JobStatus> status(String text) {
        if (text == null || text.isBlank()) return null;
        return switch (text.strip().toLowerCase(Locale.ROOT)) {
            case "queued" -> EnumSet.of(JobStatus.QUEUED);
            case "in_progress" -> EnumSet.of(JobStatus.IN_PROGRESS);
            case "completed" -> EnumSet.of(JobStatus.COMPLETED);
            case "failed" -> EnumSet.of(JobStatus.FAILED, JobStatus.CANCELLED);
            case "cancelled" -> EnumSet.of(JobStatus.CANCELLED);
            default -> throw OpenAiError.invalid("status", "invalid_value", "Invalid value: '" + text
                    + "'. Supported values are: 'queued', 'in_progress', 'completed', 'failed' and 'cancelled'.");
        };
    }

    /** The catalog id a {@code model} value (an id, alias or config alias) names; null when absent. */
    static String model(String text, ServerContext ctx) {
        if (text == null || text.isBlank()) return null;
        return ctx.catalog().find(ctx.jobs().resolveModel(text.strip())).map(ModelSpec::id).orElseThrow(() ->
                OpenAiError.invalid("model", "invalid_value", "Invalid value: '" + text
                        + "'. It is not a model of this server; GET /v1/videos/models lists them."));
    }
}
