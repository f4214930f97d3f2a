package io.framegate.server.jobs;

import io.framegate.domain.BackendRouter;
import io.framegate.domain.JobStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A job whose lease expired (its process died, the database is shared) can still be failed by the dispatcher when its
 * model or backend is gone: it is settled (its reservation and active-job count released) instead of held forever.
 */
class UnclaimedSettlementTest {
    @TempDir
    Path dir;

    private static List<String> ledgerKinds(Core core, String jobId) {
        return io.framegate.server.LedgerInvariants.kinds(core.db.jdbi(), jobId);
    }

    @Test
    void aJobUnderAnExpiredLeaseWhoseBackendIsGoneFailsAndIsReleased() throws Exception {
        BackendRouter gone = m -> {
            throw new IllegalStateException("no backend for " + m.id());
        };
        try (Core core = new Core(dir)) {
            Job job = core.jobs.submit("key_dead", "openai", WorkerPoolTest.request(3), null);
            long now = System.currentTimeMillis();
            assertThat(core.store.leases().claim(job.id(), "dead-instance", now, now - 1)).as("claimed, lease already lapsed").isTrue();
            try (WorkerPool pool = core.pool(gone, Core.fast())) {
                pool.start(false); // a shared database: the dead instance's lease is not released at start
                Job done = DispatchTest.await(core, job.id(), j -> j.status().isFinal(), Duration.ofSeconds(20));
                assertThat(done.status()).isEqualTo(JobStatus.FAILED);
                assertThat(done.errorCode()).isEqualTo("no_backend");
            }
            assertThat(ledgerKinds(core, job.id())).containsExactly("reserve", "release");
        }
    }

    @Test
    void failUnclaimedTakesExpiredLeasesButNeverALiveOne() throws Exception {
        try (Core core = new Core(dir)) {
            long now = System.currentTimeMillis();
            Job live = core.jobs.submit("key_a", "openai", WorkerPoolTest.request(3), null);
            Job dead = core.jobs.submit("key_a", "openai", WorkerPoolTest.request(3), null);
            assertThat(core.store.leases().claim(live.id(), "alive", now, now + 60_000)).isTrue();
            assertThat(core.store.leases().claim(dead.id(), "dead", now, now - 1)).isTrue();
            assertThat(core.store.endings().failUnclaimed(live.id(), "unknown_model", "gone", now)).as("a live lease is left alone").isFalse();
            assertThat(core.store.endings().failUnclaimed(dead.id(), "unknown_model", "gone", now)).as("an expired lease is taken").isTrue();
            assertThat(core.store.find(live.id()).orElseThrow().job().status()).isEqualTo(JobStatus.IN_PROGRESS);
            assertThat(ledgerKinds(core, live.id())).containsExactly("reserve");
            assertThat(ledgerKinds(core, dead.id())).containsExactly("reserve", "release");

            // a job waiting on its upstream between polls holds no lease, but it is the poller's: another instance's
            // stale read (it saw the job queued) must not end a job that was sent meanwhile
            Job parked = core.jobs.submit("key_a", "openai", WorkerPoolTest.request(3), null);
            long epoch = core.store.leases().claimLease(parked.id(), "sender", 60_000, now);
            assertThat(new WaitQueue(core.store.jdbi()).park(parked.id(), new Lease("sender", epoch), 60_000, 1000, 0, true)).isTrue();
            assertThat(core.store.endings().failUnclaimed(parked.id(), "route_changed", "stale", now)).as("a parked job is left alone").isFalse();
            assertThat(ledgerKinds(core, parked.id())).containsExactly("reserve");
        }
    }

    @Test
    void aCostAboveTheReservationIsCappedButKeptOnRecord() throws Exception {
        try (Core core = new Core(dir)) {
            Job job = core.jobs.submit("key_a", "openai", WorkerPoolTest.request(3), null); // reserves 0
            long now = System.currentTimeMillis();
            long epoch = core.store.leases().claimLease(job.id(), "me", 60_000, now);
            assertThat(epoch).isPositive();
            java.io.PrintStream stderr = System.err;
            java.io.ByteArrayOutputStream log = new java.io.ByteArrayOutputStream();
            System.setErr(new java.io.PrintStream(log, true, java.nio.charset.StandardCharsets.UTF_8));
            try {
                assertThat(core.store.endings().finish(job.id(), new Lease("me", epoch), JobStatus.COMPLETED, null, null,
                        java.util.Map.of(JobNotes.COST_USD, "0.5000"), now)).isTrue();
            } finally {
                System.setErr(stderr);
            }
            // docs/admin.md, Settlement: kept on record in the note, the capture entry and a WARN log line
            assertThat(log.toString(java.nio.charset.StandardCharsets.UTF_8).lines()
                    .filter(l -> l.contains("WARN") && l.contains(job.id()) && l.contains("exceeds its reservation")))
                    .as("the WARN line").hasSize(1);
            java.util.Map<String, String> notes = core.store.find(job.id()).orElseThrow().job().notes();
            assertThat(notes).containsEntry(JobNotes.COST_USD, "0.0000").containsEntry("upstream_cost_usd", "0.5000");
            String note = core.db.jdbi().withHandle(h -> h.createQuery("SELECT note FROM ledger WHERE job_id = :j AND "
                    + "kind = 'capture'").bind("j", job.id()).mapTo(String.class).one());
            assertThat(note).isEqualTo("upstream_cost_usd=0.500000");
        }
    }
}
