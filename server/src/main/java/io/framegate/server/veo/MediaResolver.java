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

    /** The file the URI names, or empty when Framegate cannot fetch it. */
    Optional<ResolvedMedia> resolve(String uri);

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
