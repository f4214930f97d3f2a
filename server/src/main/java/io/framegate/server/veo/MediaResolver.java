package io.framegate.server.veo;

import java.util.Optional;
import java.util.function.Supplier;

/**
 * Fetches a file that a request names by URI ({@code gcsUri}, a Gemini {@code files/...:download} URI) when
 * Framegate can: in practice a video or still that Framegate itself produced. Framegate never fetches from Google
 * Cloud Storage.
 */
@FunctionalInterface
public interface MediaResolver {
    /** Resolves nothing. */
    MediaResolver NONE = uri -> Optional.empty();

    /**
     * The video the URI names, or empty when it is no Framegate name.
     *
     * @throws GoogleApiException NOT_FOUND when it names a result the caller does not own (or that does not exist)
     */
    Optional<ResolvedMedia> resolve(String uri);

    /**
     * The image a {@code gcsUri} names (a result's thumbnail, a frame of a result, a stored input image), or empty
     * when it is no Framegate image name.
     *
     * @throws GoogleApiException NOT_FOUND when it names a result the caller does not own (or that does not exist)
     */
    default Optional<NamedImage> resolveImage(String uri) {
        return Optional.empty();
    }

    /**
     * Resolves {@code uri}, given in request field {@code field}, and names that field in the refusals of a
     * resolver: NOT_FOUND (404, no such file of the caller) and the 410 of a file whose job expired or whose inputs
     * were deleted, as every refusal of a request field on the Veo surfaces does.
     */
    static <T> T naming(String field, String uri, java.util.function.Supplier<T> resolve) {
        try {
            return resolve.get();
        } catch (io.framegate.server.jobs.ContentExpiredException e) {
            String message = field + "=" + uri + " names a file that is no longer stored: " + e.getMessage();
            throw new GoogleApiException(410, "NOT_FOUND", message,
                    java.util.List.of(new GoogleApiException.FieldViolation(field, message)));
        } catch (GoogleApiException e) {
            if (!e.fieldViolations().isEmpty()) throw e;
            throw new GoogleApiException(e.httpStatus(), e.status(), e.getMessage(),
                    java.util.List.of(new GoogleApiException.FieldViolation(field, e.getMessage())));
        }
    }

    /** What an image URI names. */
    sealed interface NamedImage {
    }

    /**
     * A stored image file (a thumbnail or an input image).
     *
     * @param size    its length in bytes, checked before {@code content} is called
     * @param content reads its bytes
     */
    record StoredImage(String jobId, long size, Supplier<byte[]> content) implements NamedImage {
    }

    /** Frame {@code frame} (from 0; {@code -1} for the last) of video {@code index} of a job, taken by the worker. */
    record FrameOf(String jobId, int index, int frame) implements NamedImage {
    }

    /**
     * A file Framegate can read.
     *
     * @param jobId   the Framegate job that produced it
     * @param index   which of the job's videos
     * @param size    its length in bytes, checked before {@code content} is called; -1 when unknown
     * @param content reads its bytes (only called when they are needed)
     */
    record ResolvedMedia(String jobId, int index, long size, Supplier<byte[]> content) {
        public ResolvedMedia(String jobId, int index, Supplier<byte[]> content) {
            this(jobId, index, -1, content);
        }
    }
}
