package io.framegate.server.jobs;

import io.framegate.server.FramegateServer;
import io.framegate.server.PgTestDatabase;
import io.framegate.server.db.Database;
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

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The race two worker pools on one database run on every queued job, forced: two claimers (each its own
 * {@link JobStore}, as two pools or two instances have) call the claim of the same job at the same instant, released
 * together by a barrier, for many rounds. Each job must be claimed exactly once.
 */
class ClaimRaceTest {
    private static final int ROUNDS = 60;
    @TempDir
    Path dir;

    @Test
    void twoClaimersAtTheSameInstantClaimEachJobOnceOnH2() throws Exception {
        try (Core a = new Core(dir)) {
            race(a, new JobStore(a.db.jdbi(), FramegateServer.newJsonMapper()));
        }
    }

    @Test
    void twoInstancesAtTheSameInstantClaimEachJobOnceOnPostgresql() throws Exception {
        String url = PgTestDatabase.fresh();
        try (Core a = new Core(dir, Database.open(url, null, null)); Core b = new Core(dir, Database.open(url, null, null))) {
            race(a, b.store);
        }
    }

    private static void race(Core a, JobStore other) throws Exception {
        JobStore[] claimers = {a.store, other};
        CyclicBarrier barrier = new CyclicBarrier(2);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < ROUNDS; round++) {
                String id = a.jobs.submit("key_a", "gemini", WorkerPoolTest.request(3), null).id();
                List<Future<Long>> epochs = new ArrayList<>();
                for (int c = 0; c < 2; c++) {
                    JobStore store = claimers[c];
                    String owner = "claimer-" + c;
                    epochs.add(pool.submit(() -> {
                        barrier.await(30, TimeUnit.SECONDS);
                        return store.leases().claimLease(id, owner, 30_000, System.currentTimeMillis());
                    }));
                }
                long first = epochs.get(0).get(30, TimeUnit.SECONDS);
                long second = epochs.get(1).get(30, TimeUnit.SECONDS);
                assertThat(List.of(first, second)).as("round %d: one claim won (epoch 1), one lost (0)", round)
                        .containsExactlyInAnyOrder(1L, 0L);
                JobStore.Row row = a.store.find(id).orElseThrow();
                assertThat(row.leaseOwner()).isEqualTo(first == 1 ? "claimer-0" : "claimer-1");
                assertThat(row.attempts()).as("one attempt counted").isEqualTo(1);
                assertThat(row.leaseEpoch()).isEqualTo(1);
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
