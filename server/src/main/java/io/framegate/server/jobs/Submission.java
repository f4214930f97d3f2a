package io.framegate.server.jobs;

import io.framegate.domain.GenerationRequest;

import java.util.Map;
import java.util.Objects;

/**
 * What a surface hands {@link JobService#submit(Submission)}.
 *
 * @param ownerKeyId     the API key id of the caller
 * @param surface        the API name ({@code openai}, {@code gemini}, {@code vertex})
 * @param request        the domain request (validated before anything is stored)
 * @param idempotencyKey the client's {@code Idempotency-Key}, or null
 * @param remixedFrom    id of the job this one remixes, or null
 * @param extendedFrom   id of the finished job whose video this one continues (stitched after it), or null
 * @param attributes     surface-specific facts stored with the job and returned on {@link Job#attributes()}
 */
public record Submission(String ownerKeyId, String surface, GenerationRequest request, String idempotencyKey,
                         String remixedFrom, String extendedFrom, Map<String, String> attributes) {
    public Submission {
        Objects.requireNonNull(ownerKeyId, "ownerKeyId");
        Objects.requireNonNull(surface, "surface");
        Objects.requireNonNull(request, "request");
        attributes = attributes == null ? Map.of() : Map.copyOf(attributes);
    }

    public static Submission of(String ownerKeyId, String surface, GenerationRequest request, String idempotencyKey) {
        return new Submission(ownerKeyId, surface, request, idempotencyKey, null, null, Map.of());
    }

    public Submission remixOf(String sourceJobId) {
        return new Submission(ownerKeyId, surface, request, idempotencyKey, sourceJobId, extendedFrom, attributes);
    }

    public Submission extensionOf(String sourceJobId) {
        return new Submission(ownerKeyId, surface, request, idempotencyKey, remixedFrom, sourceJobId, attributes);
    }

    public Submission withAttributes(Map<String, String> attrs) {
        return new Submission(ownerKeyId, surface, request, idempotencyKey, remixedFrom, extendedFrom, attrs);
    }
}
