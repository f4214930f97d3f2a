package io.framegate.server.storage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Free space where jobs' files are written; a function so that tests can make the disk look full. */
@FunctionalInterface
public interface DiskSpace {
    /** No limit (no check). */
    DiskSpace UNLIMITED = () -> Long.MAX_VALUE;

    /** Bytes this process can still write. */
    long usableBytes() throws IOException;

    /** The free space of the file system holding {@code dir}. */
    static DiskSpace of(Path dir) {
        return () -> Files.getFileStore(dir).getUsableSpace();
    }
}
