package io.framegate.provider.openai;

import com.fasterxml.jackson.databind.JsonNode;
import io.framegate.provider.UpstreamJob;

import java.util.ArrayList;
import java.util.List;

/**
 * Which entries of a {@code GET /videos} page may be the job an unanswered create made. The Video object has no
 * metadata, so the model, prompt, size, seconds, input reference (when listed) and creation time are all there is to
 * go on; an entry without its prompt never matches (it could be anyone's job on a shared credential).
 */
final class JobListMatch {
    private JobListMatch() {
    }

    /**
     * Ids of the entries with this job's model, prompt, size and seconds (and input-reference presence, where an entry
     * shows it) created in {@code [from, to]} (unix s).
     */
    static List<String> matching(JsonNode list, UpstreamJob job, long from, long to) {
        String prompt = job.plan().request().prompt();
        String size = job.plan().size().toString();
        String seconds = String.valueOf(job.plan().seconds());
        boolean withReference = !job.plan().request().images().isEmpty();
        List<String> found = new ArrayList<>();
        for (JsonNode v : list.path("data")) {
            long created = v.path("created_at").asLong(0);
            if (created < from || created > to) continue;
            if (!job.upstreamModel().equals(v.path("model").asText(null))) continue;
            if (prompt == null || !prompt.equals(v.path("prompt").asText(null))) continue;
            if (v.hasNonNull("size") && !size.equals(v.path("size").asText())) continue;
            if (v.hasNonNull("seconds") && !seconds.equals(v.path("seconds").asText())) continue;
            // where the entry shows its input reference, a job sent with one is not a job sent without
            if (v.has("input_reference") && hasReference(v.get("input_reference")) != withReference) continue;
            if (v.hasNonNull("id")) found.add(v.path("id").asText());
        }
        return found;
    }

    private static boolean hasReference(JsonNode ref) {
        if (ref == null || ref.isNull() || ref.isMissingNode()) return false;
        if (ref.isBoolean()) return ref.asBoolean();
        if (ref.isTextual()) return !ref.asText().isEmpty();
        return !ref.isContainerNode() || ref.size() > 0;
    }

    /** Whether a page (newest first) already reaches jobs created before {@code from}: later pages are older still. */
    static boolean reachesBefore(JsonNode list, long from) {
        for (JsonNode v : list.path("data")) {
            if (v.path("created_at").asLong(Long.MAX_VALUE) < from) return true;
        }
        return false;
    }
}
