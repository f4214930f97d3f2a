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

    /**
     * Every name a {@code model} value's catalog model goes by (its id, its catalog aliases, the config's aliases for
     * it), since a job keeps the name it was created with; null when absent.
     */
    static Set<String> model(String text, ServerContext ctx) {
        if (text == null || text.isBlank()) return null;
        ModelSpec spec = ctx.catalog().find(ctx.jobs().resolveModel(text.strip())).orElseThrow(() ->
                OpenAiError.invalid("model", "invalid_value", "Invalid value: '" + text
                        + "'. It is not a model of this server; GET /v1/videos/models lists them."));
        Set<String> names = new java.util.TreeSet<>(spec.aliases());
        names.add(spec.id());
        var routing = ctx.jobs().routing();
        if (routing != null) routing.config().aliases().forEach((alias, id) -> {
            if (id.equals(spec.id())) names.add(alias);
        });
        return names;
    }
}
