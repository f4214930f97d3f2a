package io.framegate.server.veo;

import java.util.Optional;

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
     * A fetched file.
     *
     * @param bytes    its content
     * @param mimeType e.g. {@code video/mp4}
     * @param jobId    the Framegate job that produced it
     * @param index    which of the job's videos
     */
    record ResolvedMedia(byte[] bytes, String mimeType, String jobId, int index) { }
}
