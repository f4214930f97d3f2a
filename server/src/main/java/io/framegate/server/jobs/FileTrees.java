package io.framegate.server.jobs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/** Best-effort removal of scratch and orphan trees, shared by the worker, the local deadline and the sweeper. */
final class FileTrees {
    private FileTrees() {
    }

    /**
     * Deletes {@code root} (a file or a directory tree), going on past files it cannot delete; true when nothing of it
     * is left, so a caller that must not forget a stuck tree (the sweeper) can keep it for later.
     */
    static boolean delete(Path root) {
        if (root == null || !Files.exists(root)) return true;
        List<Path> all;
        try (Stream<Path> walk = Files.walk(root)) {
            all = walk.sorted(Comparator.reverseOrder()).toList();
        } catch (IOException e) {
            return false;
        }
        for (Path p : all) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException ignored) {
                // reported below: the root is still there
            }
        }
        return !Files.exists(root);
    }
}
