package io.framegate.server.storage;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.util.Optional;

/** One stored file: its length and a way to read any part of it (for HTTP Range requests). */
public interface StoredObject {
    long size();

    /** The bytes {@code offset .. offset+length-1}. */
    InputStream openRange(long offset, long length) throws IOException;

    /** A short-lived URL clients may download it from directly ({@code storage.downloads: redirect}); else empty. */
    default Optional<URI> downloadUrl() throws IOException {
        return Optional.empty();
    }

    default byte[] readAllBytes() throws IOException {
        try (InputStream in = openRange(0, size())) {
            return in.readAllBytes();
        }
    }
}
