package io.framegate.server.jobs;

import io.framegate.provider.Checkpoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The server tells a reconciling job which upstream jobs other jobs already hold (review H1): by the handle in a
 * checkpoint or the {@code upstream_id} note, exactly (no LIKE wildcards), never its own.
 */
class HandleTakenTest {
    @TempDir
    Path dir;

    @Test
    void anUpstreamIdInAnotherJobsNotesOrCheckpointIsTakenAndNothingElse() {
        try (Core core = new Core(dir)) {
            String a = core.jobs.submit("key_a", "openai", JobServiceTest.localRequest("same"), null).id();
            String b = core.jobs.submit("key_b", "openai", JobServiceTest.localRequest("same"), null).id();
            String c = core.jobs.submit("key_b", "openai", JobServiceTest.localRequest("same"), null).id();
            // written as the core writes them (held leases), which keeps the indexed upstream_handle column
            long now = System.currentTimeMillis();
            Lease ofB = new Lease("owner", core.store.leases().claimLease(b, "owner", 30_000, now));
            Lease ofC = new Lease("owner", core.store.leases().claimLease(c, "owner", 30_000, now));
            assertThat(core.store.checkpoints().saveNotes(b, ofB, null, Map.of("upstream_id", "video_b_1", "provider", "openai"))).isTrue();
            assertThat(core.store.checkpoints().saveCheckpoint(c, ofC, Checkpoint.submitting("openai", "agg", "sora-2", Instant.EPOCH, "k")
                    .submitted("video_c", Instant.EPOCH).toJson())).isTrue();

            JobRunContext ofA = context(core, a);
            assertThat(ofA.isHandleTaken("video_b_1")).isTrue();
            assertThat(ofA.isHandleTaken("video_c")).isTrue();
            assertThat(ofA.isHandleTaken("videoXbX1")).as("_ is no wildcard").isFalse();
            assertThat(ofA.isHandleTaken("video_b")).as("a prefix is another id").isFalse();
            assertThat(ofA.isHandleTaken("video_free")).isFalse();
            assertThat(context(core, b).isHandleTaken("video_b_1")).as("a job's own handle").isFalse();
        }
    }

    private static JobRunContext context(Core core, String id) {
        return new JobRunContext(id, new HeldLease(new Lease("owner", 1), System.nanoTime()), core.store, core.dir.resolve("work").resolve(id), Clock.systemUTC(),
                new AtomicBoolean(), Map.of(), null, 0);
    }
}
