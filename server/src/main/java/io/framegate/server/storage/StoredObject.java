package io.framegate.server.storage;

import java.io.IOException;
import java.io.InputStream;

/** One stored file: its length and a way to read any part of it (for HTTP Range requests). */
public interface StoredObject {
    long size();

    /** The bytes {@code offset .. offset+length-1}. */
    InputStream openRange(long offset, long length) throws IOException;

    default byte[] readAllBytes() throws IOException {
        try (InputStream in = openRange(0, size())) {
            return in.readAllBytes();
        }
    }
}
