package io.framegate.server.jobs;

import io.framegate.domain.JobStatus;

import java.time.Instant;
import java.util.Map;

/**
 * One generation job as the surfaces see it.
 *
 * @param id             e.g. {@code video_4f1c...} (32 lower-case hex digits after the prefix)
 * @param ownerKeyId     the API key that created it; only that key sees it
 * @param surface        which API created it ({@code openai}, {@code gemini}, {@code vertex}, ...)
 * @param model          the model name as the client gave it (or the default)
 * @param status         where the job stands
 * @param progress       0..100
 * @param prompt         the prompt
 * @param seconds        output duration in seconds (for an extension: the stitched total)
 * @param size           output size {@code WIDTHxHEIGHT}
 * @param errorCode      why it failed (null unless failed)
 * @param errorMessage   human message (null unless failed)
 * @param createdAt      when it was accepted
 * @param startedAt      when work first started (null while queued)
 * @param completedAt    when it reached a final state
 * @param expiresAt      when its files expire, if ever
 * @param backend        the backend that ran it ({@code local}, ...); null until started
 * @param notes          facts recorded while running: {@code backend}, {@code local_render}, {@code cost_usd},
 *                       provider, upstream id, ...
 * @param numberOfVideos how many videos it makes
 * @param remixedFrom    the job this one remixes, if any
 * @param extendedFrom   the job whose video this one continues, if any
 * @param attributes     what the surface stored with the job at submission (opaque to the core)
 */
public record Job(
        String id,
        String ownerKeyId,
        String surface,
        String model,
        JobStatus status,
        int progress,
        String prompt,
        Integer seconds,
        String size,
        String errorCode,
        String errorMessage,
        Instant createdAt,
        Instant startedAt,
        Instant completedAt,
        Instant expiresAt,
        String backend,
        Map<String, String> notes,
        int numberOfVideos,
        String remixedFrom,
        String extendedFrom,
        Map<String, String> attributes) {

    public Job {
        notes = notes == null ? Map.of() : Map.copyOf(notes);
        attributes = attributes == null ? Map.of() : Map.copyOf(attributes);
    }

    /** Whether the videos were (or will be) made on this machine rather than by a cloud provider. */
    public boolean isLocalRender() {
        return "true".equals(notes.get(JobNotes.LOCAL_RENDER));
    }
}
