package io.framegate.server.storage;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Optional;
import java.util.regex.Pattern;

/** Files under {@code <root>/<jobId>/<name>}; writes go through a temporary file, fsync and an atomic rename. */
public final class LocalResultStore implements ResultStore {
    private static final Pattern SAFE_ID = Pattern.compile("[A-Za-z0-9_-]{1,100}");
    private static final Pattern SAFE_NAME = Pattern.compile("[A-Za-z0-9_.-]{1,100}(/[A-Za-z0-9_.-]{1,100}){0,3}");

    private final Path root;

    public LocalResultStore(Path root) {
        this.root = root.toAbsolutePath().normalize();
        try {
            Files.createDirectories(this.root);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the result directory " + this.root, e);
        }
    }

    public Path root() {
        return root;
    }

    @Override
    public void put(String jobId, String name, byte[] bytes) throws IOException {
        Path target = pathOf(jobId, name);
        Path tmp = tempFileBeside(target);
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
            ch.write(java.nio.ByteBuffer.wrap(bytes));
            ch.force(true);
        }
        moveDurably(tmp, target);
    }

    @Override
    public void put(String jobId, String name, InputStream in) throws IOException {
        Path target = pathOf(jobId, name);
        Path tmp = tempFileBeside(target);
        try {
            Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ch.force(true);
            }
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        moveDurably(tmp, target);
    }

    @Override
    public void put(String jobId, String name, Path file) throws IOException {
        Path target = pathOf(jobId, name);
        Path tmp = tempFileBeside(target);
        try {
            Files.move(file, tmp, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            Files.copy(file, tmp, StandardCopyOption.REPLACE_EXISTING);
            Files.deleteIfExists(file);
        }
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
        moveDurably(tmp, target);
    }

    /**
     * A temporary file in the target's directory, made first if needed. A {@link #delete} emptying the same job's
     * directory at that moment may remove a directory between any two steps: between making the job's directory and
     * the one in it ({@code inputs/}: a {@link NoSuchFileException}), between another put making it and this one
     * seeing it there (a {@link FileAlreadyExistsException} for what is no longer there), or between making the
     * directories and the file. Then it is all made again.
     */
    private static Path tempFileBeside(Path target) throws IOException {
        for (int attempt = 1; ; attempt++) {
            try {
                Files.createDirectories(target.getParent());
                return Files.createTempFile(target.getParent(), ".put-", ".tmp");
            } catch (NoSuchFileException | FileAlreadyExistsException e) {
                // a delete removes the directory only when it is empty, so each retry is one lost race, not a stuck state;
                // a file in the way (not a directory) is there every time and ends the loop
                if (attempt == 10) throw e;
            }
        }
    }

    private static void moveDurably(Path tmp, Path target) throws IOException {
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        }
        // the rename itself is only durable once the directory entry is flushed
        try (FileChannel dir = FileChannel.open(target.getParent(), StandardOpenOption.READ)) {
            dir.force(true);
        } catch (IOException ignored) {
            // some file systems cannot open a directory for fsync; the data itself is already flushed
        }
    }

    @Override
    public Optional<StoredObject> open(String jobId, String name) throws IOException {
        Path p = pathOf(jobId, name);
        if (!Files.isRegularFile(p)) return Optional.empty();
        long size = Files.size(p);
        return Optional.of(new StoredObject() {
            @Override
            public long size() {
                return size;
            }

            @Override
            public InputStream openRange(long offset, long length) throws IOException {
                SeekableByteChannel ch = Files.newByteChannel(p, StandardOpenOption.READ);
                ch.position(offset);
                return new BoundedInputStream(Channels.newInputStream(ch), length);
            }
        });
    }

    @Override
    public void delete(String jobId, String name) throws IOException {
        Path file = pathOf(jobId, name);
        Files.deleteIfExists(file);
        removeEmptyDirectories(file.getParent(), root.resolve(checkId(jobId)));
    }

    /**
     * Removes {@code dir} and its parents up to and including {@code jobDir} while they are empty: a job directory
     * exists only while it holds files (a failed or cancelled job has no results, so deleting its inputs empties it).
     */
    private static void removeEmptyDirectories(Path dir, Path jobDir) throws IOException {
        for (Path d = dir; d != null && d.startsWith(jobDir); d = d.getParent()) {
            try {
                Files.deleteIfExists(d);
            } catch (DirectoryNotEmptyException stillUsed) {
                return;
            }
        }
    }

    @Override
    public void deleteAll(String jobId) throws IOException {
        Path dir = root.resolve(checkId(jobId));
        if (!Files.exists(dir)) return;
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.deleteIfExists(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException exc) throws IOException {
                if (exc instanceof NoSuchFileException) return FileVisitResult.CONTINUE; // another sweeper was first
                throw exc;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException exc) throws IOException {
                try {
                    Files.deleteIfExists(d);
                } catch (NoSuchFileException ignored) {
                    // removed concurrently
                }
                return FileVisitResult.CONTINUE;
            }
        });
    }

    private Path pathOf(String jobId, String name) {
        if (name == null || !SAFE_NAME.matcher(name).matches() || name.contains("..")) {
            throw new IllegalArgumentException("not a storable file name: " + name);
        }
        return root.resolve(checkId(jobId)).resolve(name);
    }

    private static String checkId(String jobId) {
        if (jobId == null || !SAFE_ID.matcher(jobId).matches()) throw new IllegalArgumentException("not a job id: " + jobId);
        return jobId;
    }

    /** Reads at most {@code remaining} bytes, then reports end of stream. */
    private static final class BoundedInputStream extends InputStream {
        private final InputStream in;
        private long remaining;

        BoundedInputStream(InputStream in, long remaining) {
            this.in = in;
            this.remaining = remaining;
        }

        @Override
        public int read() throws IOException {
            if (remaining <= 0) return -1;
            int b = in.read();
            if (b >= 0) remaining--;
            return b;
        }

        @Override
        public int read(byte[] buf, int off, int len) throws IOException {
            if (remaining <= 0) return -1;
            int n = in.read(buf, off, (int) Math.min(len, remaining));
            if (n > 0) remaining -= n;
            return n;
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }
}
