package io.framegate.server.jobs;

import io.framegate.provider.Checkpoint;
import org.jdbi.v3.core.statement.SqlLogger;
import org.jdbi.v3.core.statement.StatementContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 10, the job core's cost per job: an attempt's notes are written with its next checkpoint (one statement), or
 * at the end of its step, not one write and commit per note; the checkpoint before a paid submit is still written at
 * once, fenced by the lease, and a flush that changes nothing loses the lease.
 */
class JobNotesWritesTest {
    @TempDir
    Path dir;

    @Test
    void notesGoWithTheNextCheckpointOrTheFlushInOneStatement() {
        try (Core core = new Core(dir)) {
            String id = core.jobs.submit("key_a", "openai", JobServiceTest.localRequest("notes"), null).id();
            long epoch = core.store.leases().claimLease(id, "owner", 30_000, System.currentTimeMillis());
            JobRunContext ctx = context(core, id, epoch);
            List<String> writes = Collections.synchronizedList(new ArrayList<>());
            core.db.jdbi().setSqlLogger(new SqlLogger() {
                @Override
                public void logAfterExecution(StatementContext context) {
                    if (context.getRenderedSql().startsWith("UPDATE")) writes.add(context.getRenderedSql());
                }
            });

            ctx.backend("route:sora-2", false);
            ctx.note("provider", "openai");
            ctx.note("channel", "agg");
            assertThat(writes).as("notes alone write nothing yet").isEmpty();
            Checkpoint sending = Checkpoint.submitting("openai", "agg", "sora-2", Instant.EPOCH, "k");
            ctx.saveCheckpoint(sending.toJson());
            assertThat(writes).as("the checkpoint carries the notes").hasSize(1);
            JobStore.Row row = core.store.find(id).orElseThrow();
            assertThat(row.checkpoint()).isEqualTo(sending.toJson());
            assertThat(row.job().notes()).containsEntry("provider", "openai").containsEntry("channel", "agg")
                    .containsEntry(JobNotes.BACKEND, "route:sora-2");
            assertThat(row.job().backend()).isEqualTo("route:sora-2");

            ctx.saveCheckpoint(sending.submitted("video_up_1", Instant.EPOCH).toJson());
            ctx.note("upstream_id", "video_up_1");
            ctx.note("submitted_at", "2026-11-30T00:00:00Z");
            assertThat(writes).hasSize(2);
            ctx.flushNotes();
            ctx.flushNotes(); // nothing new: no write
            assertThat(writes).as("one write for the notes taken after the checkpoint").hasSize(3);
            assertThat(core.store.find(id).orElseThrow().job().notes()).containsEntry("upstream_id", "video_up_1")
                    .containsEntry("submitted_at", "2026-11-30T00:00:00Z");
            assertThat(core.store.checkpoints().isUpstreamHandleHeld("another", "video_up_1")).isTrue();
        }
    }

    @Test
    void aFlushOnALostLeaseWritesNothingAndLosesIt() {
        try (Core core = new Core(dir)) {
            String id = core.jobs.submit("key_a", "openai", JobServiceTest.localRequest("lost"), null).id();
            long epoch = core.store.leases().claimLease(id, "owner", 30_000, System.currentTimeMillis());
            long taken = core.store.leases().claimLease(id, "other", 30_000, System.currentTimeMillis()); // expired? no: refused
            assertThat(taken).as("a held lease cannot be claimed").isZero();
            core.db.jdbi().useHandle(h -> h.createUpdate("UPDATE jobs SET lease_owner = 'other', lease_epoch = :e WHERE id = :id")
                    .bind("e", epoch + 1).bind("id", id).execute()); // another instance took it over
            JobRunContext ctx = context(core, id, epoch);
            ctx.note("provider", "openai");
            ctx.flushNotes();
            assertThat(ctx.leaseLost()).isTrue();
            assertThat(core.store.find(id).orElseThrow().job().notes()).doesNotContainKey("provider");
        }
    }

    /** The checkpoint before a paid submit, carrying notes, on a lease another instance took: no paid call follows. */
    @Test
    void aCheckpointWithNotesOnALostLeaseThrowsAndWritesNeither() {
        try (Core core = new Core(dir)) {
            String id = core.jobs.submit("key_a", "openai", JobServiceTest.localRequest("lost checkpoint"), null).id();
            long epoch = core.store.leases().claimLease(id, "owner", 30_000, System.currentTimeMillis());
            core.db.jdbi().useHandle(h -> h.createUpdate("UPDATE jobs SET lease_owner = 'other', lease_epoch = :e WHERE id = :id")
                    .bind("e", epoch + 1).bind("id", id).execute()); // another instance took it over
            JobRunContext ctx = context(core, id, epoch);
            ctx.note("provider", "openai");
            Checkpoint sending = Checkpoint.submitting("openai", "agg", "sora-2", Instant.EPOCH, "k");
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> ctx.saveCheckpoint(sending.toJson()))
                    .isInstanceOf(IllegalStateException.class);
            assertThat(ctx.leaseLost()).isTrue();
            JobStore.Row row = core.store.find(id).orElseThrow();
            assertThat(row.checkpoint()).as("no checkpoint over the taker's job").isNull();
            assertThat(row.job().notes()).doesNotContainKey("provider");
        }
    }

    private static JobRunContext context(Core core, String id, long epoch) {
        return new JobRunContext(id, new HeldLease(new Lease("owner", epoch), System.nanoTime()), core.store,
                core.dir.resolve("work").resolve(id), Clock.systemUTC(), new AtomicBoolean(), Map.of(), null, 0);
    }
}
