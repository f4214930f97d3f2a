package io.framegate.engine;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;

/**
 * Output files written under temporary names next to their targets and moved into place only on {@link #commit}, so
 * a failure or cancellation never leaves a partial file at a target path. {@link #abort} deletes whatever was not
 * committed; it is safe to call after a commit.
 */
final class AtomicFiles {
    private final Map<Path, Path> tempToTarget = new LinkedHashMap<>();
    private final Map<Path, Path> tempDirToTarget = new LinkedHashMap<>();

    /** A temporary file in the target's directory (created on demand); the target is written on commit. */
    Path temp(Path target) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path temp = dir.resolve("." + target.getFileName() + ".part-" + unique());
        tempToTarget.put(temp, target);
        return temp;
    }

    /**
     * A name part no other writer picks: this process's id and 64 random bits. Not {@code UUID.randomUUID()}, whose
     * first call sets up {@code SecureRandom} (6 ms on a command's main thread) for names that need no secrecy.
     */
    private static String unique() {
        return ProcessHandle.current().pid() + "-" + Long.toHexString(ThreadLocalRandom.current().nextLong());
    }

    /** A temporary directory whose files are moved into {@code target} (created if missing) on commit. */
    Path tempDir(Path target) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path temp = Files.createDirectory(dir.resolve("." + target.getFileName() + ".part-" + unique()));
        tempDirToTarget.put(temp, target);
        return temp;
    }

    /** Moves every temporary into place; directories first, then files in the order they were asked for. */
    void commit() throws IOException {
        for (Map.Entry<Path, Path> e : List.copyOf(tempDirToTarget.entrySet())) {
            Files.createDirectories(e.getValue());
            try (Stream<Path> files = Files.list(e.getKey())) {
                for (Path f : files.sorted().toList()) move(f, e.getValue().resolve(f.getFileName()));
            }
            Files.delete(e.getKey());
            tempDirToTarget.remove(e.getKey());
        }
        for (Map.Entry<Path, Path> e : List.copyOf(tempToTarget.entrySet())) {
            move(e.getKey(), e.getValue());
            tempToTarget.remove(e.getKey());
        }
    }

    /** Deletes every temporary that was not committed. */
    void abort() {
        List<Path> leftovers = new ArrayList<>(tempToTarget.keySet());
        tempToTarget.clear();
        for (Path p : leftovers) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException ignored) {
                // best effort: the name marks it as a partial file
            }
        }
        for (Path dir : List.copyOf(tempDirToTarget.keySet())) {
            try (Stream<Path> walk = Files.walk(dir)) {
                walk.sorted(Comparator.reverseOrder()).forEach(p -> {
                    try {
                        Files.deleteIfExists(p);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
            } catch (IOException | UncheckedIOException ignored) {
                // best effort, as above
            }
        }
        tempDirToTarget.clear();
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
