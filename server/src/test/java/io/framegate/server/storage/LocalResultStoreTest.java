package io.framegate.server.storage;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/** The local store's files under {@code <root>/<jobId>/<name>}, written and deleted concurrently. */
class LocalResultStoreTest {
    @TempDir
    Path dir;

    /**
     * A put into a directory of a job's directory ({@code inputs/...}) while a delete empties and removes the job's
     * directory: the put makes the directories again and succeeds, whichever step the delete came between (the job's
     * directory made and the one in it; another put's making it and this one's seeing it, which Files.createDirectories
     * reports as a FileAlreadyExistsException; the directories made and the temporary file). Timing-dependent: before
     * the fix, 3 runs of 3 runs failed within a second.
     */
    @Test
    void aPutRacingADeleteThatRemovesTheJobDirectorySucceeds() throws Exception {
        LocalResultStore store = new LocalResultStore(dir);
        String id = "video_race";
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        AtomicBoolean failed = new AtomicBoolean();
        CyclicBarrier start = new CyclicBarrier(2);
        ExecutorService two = Executors.newFixedThreadPool(2);
        try {
            List<Future<Integer>> runs = new ArrayList<>();
            for (String name : new String[] {"inputs/a", "b"}) {
                runs.add(two.submit(() -> {
                    start.await();
                    int n = 0;
                    try {
                        while (System.nanoTime() < until && !failed.get()) {
                            store.put(id, name, new byte[] {1});
                            store.delete(id, name); // the last file out removes the job's directory
                            n++;
                        }
                    } catch (Exception e) {
                        failed.set(true);
                        throw e;
                    }
                    return n;
                }));
            }
            for (Future<Integer> r : runs) assertThat(r.get(30, TimeUnit.SECONDS)).isPositive();
        } finally {
            two.shutdownNow();
        }
    }
}
