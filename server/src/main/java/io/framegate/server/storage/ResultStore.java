package io.framegate.server.storage;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Where a job's files live: its input images and its results. Files are named per job ({@code input-0},
 * {@code 0/video.mp4}). Local disk by default; another store (S3) implements the same few calls.
 */
public interface ResultStore {
    /** Stores {@code bytes} durably under the job; returns once the bytes survive a crash. */
    void put(String jobId, String name, byte[] bytes) throws IOException;

    /** Stores what {@code in} delivers durably under the job, copied in chunks (never whole in memory). */
    void put(String jobId, String name, InputStream in) throws IOException;

    /** Stores the file (moving it when possible) durably under the job. */
    void put(String jobId, String name, Path file) throws IOException;

    Optional<StoredObject> open(String jobId, String name) throws IOException;

    /** Removes one file of the job; a file that is not there is fine. */
    void delete(String jobId, String name) throws IOException;

    /** Removes every file of the job; a job without files is fine. */
    void deleteAll(String jobId) throws IOException;

    /**
     * Job ids that have files here, for the orphan sweep of a store the sweeper cannot walk as a directory (an S3
     * bucket); the local store's files are swept as files, so it lists none.
     */
    default java.util.List<String> storedJobIds() throws IOException {
        return java.util.List.of();
    }

    /** When the newest file of the job was written; empty when it has none (or the store does not say). */
    default Optional<java.time.Instant> lastWritten(String jobId) throws IOException {
        return Optional.empty();
    }
}
