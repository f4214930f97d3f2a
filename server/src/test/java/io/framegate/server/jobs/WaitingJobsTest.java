package io.framegate.server.jobs;

import io.framegate.domain.JobStatus;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static io.framegate.server.jobs.InFlightCloudJobsTest.awaitJob;
import static io.framegate.server.jobs.InFlightCloudJobsTest.awaitTrue;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A cloud job waiting on its upstream is a row, not a thread: a client's cancel or delete still reaches the upstream
 * and settles the reservation, a restart leaves it to the next poller (no second submit), and a poll claim is fenced
 * by its epoch like any attempt.
 */
class WaitingJobsTest extends StandInUpstreamTest {
    String submitAndAwaitWaiting(WorkerPool pool) throws InterruptedException {
        String id = jobs.submit("key_a", "openai", InFlightCloudJobsTest.request(1), null).id();
        awaitTrue(() -> upstream.polls.get() >= 2 && row(id).nextPollAt() != null, Duration.ofSeconds(60),
                "the job waits on its upstream and is polled");
        assertThat(pool.runningCount()).as("no worker slot held while it waits").isZero();
        return id;
    }

    @Test
    void cancellingAWaitingJobCancelsItUpstreamAndReleasesItsReservation() throws Exception {
        try (WorkerPool pool = pool()) {
            pool.start(true);
            String id = submitAndAwaitWaiting(pool);
            jobs.cancel("key_a", id);
            Job done = awaitJob(core, id, Duration.ofSeconds(30));
            assertThat(done.status()).isEqualTo(JobStatus.CANCELLED);
            assertThat(upstream.deletes).as("the upstream was asked to cancel").hasValue(1);
            assertThat(done.notes().get("upstream_cancel")).contains("cancelled by the client");
            assertThat(ledger(id)).containsExactly("reserve", "release");
            assertThat(upstream.creates).hasValue(1);
        }
    }

    @Test
    void deletingAWaitingJobCancelsItUpstream() throws Exception {
        try (WorkerPool pool = pool()) {
            pool.start(true);
            String id = submitAndAwaitWaiting(pool);
            assertThat(jobs.delete("key_a", id)).isTrue();
            awaitTrue(() -> upstream.deletes.get() == 1, Duration.ofSeconds(30), "the upstream job is cancelled");
            assertThat(core.store.find(id)).isEmpty();
            assertThat(ledger(id)).containsExactly("reserve", "release");
        }
    }

    @Test
    void aRestartLeavesAWaitingJobToTheNextPollerWithoutASecondSubmit() throws Exception {
        String id;
        try (WorkerPool first = pool()) {
            first.start(true);
            id = submitAndAwaitWaiting(first);
        }
        JobStore.Row parked = row(id);
        assertThat(parked.job().status()).isEqualTo(JobStatus.IN_PROGRESS);
        assertThat(parked.leaseOwner()).isNull();
        assertThat(parked.nextPollAt()).isNotNull();
        upstream.finishAll();
        try (WorkerPool second = pool()) {
            second.start(true);
            Job done = awaitJob(core, id, Duration.ofSeconds(60));
            assertThat(done.status()).as("%s %s", done.errorCode(), done.errorMessage()).isEqualTo(JobStatus.COMPLETED);
        }
        assertThat(upstream.creates).as("one upstream job").hasValue(1);
        assertThat(row(id).attempts()).as("submit and download each gave their attempt back").isLessThanOrEqualTo(1);
        assertThat(row(id).job().notes()).containsEntry("upstream_id", "video_1").containsKey("polls");
        assertThat(ledger(id)).containsExactly("reserve", "capture");
    }

    @Test
    void aPollClaimIsExclusiveAndFencedByItsEpoch() throws Exception {
        String id;
        try (WorkerPool first = pool()) {
            first.start(true);
            id = submitAndAwaitWaiting(first);
        }
        WaitQueue waits = new WaitQueue(core.store.jdbi());
        core.db.jdbi().useHandle(h -> h.createUpdate("UPDATE jobs SET next_poll_at = 0 WHERE id = :id").bind("id", id).execute());
        List<WaitQueue.Claim> a = waits.claimDue("instance-a", 300, 10);
        assertThat(a).extracting(WaitQueue.Claim::id).containsExactly(id);
        assertThat(waits.claimDue("instance-b", 30_000, 10)).as("held by a").isEmpty();
        Thread.sleep(600); // a's lease runs out (database clock)
        List<WaitQueue.Claim> b = waits.claimDue("instance-b", 30_000, 10);
        assertThat(b).extracting(WaitQueue.Claim::epoch).containsExactly(a.get(0).epoch() + 1);
        assertThat(waits.park(id, new Lease("instance-a", a.get(0).epoch()), 1000, 1000, 1, false))
                .as("a stale poll writes nothing").isFalse();
        assertThat(core.store.endings().finish(id, new Lease("instance-a", a.get(0).epoch()), JobStatus.FAILED, "x", "y", Map.of(),
                System.currentTimeMillis())).isFalse();
        assertThat(waits.park(id, new Lease("instance-b", b.get(0).epoch()), 1000, 1000, 1, false)).isTrue();
        assertThat(row(id).leaseOwner()).isNull();
        assertThat(row(id).polls()).isEqualTo(1);
    }
}
