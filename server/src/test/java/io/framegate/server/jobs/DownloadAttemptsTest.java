package io.framegate.server.jobs;

import io.framegate.domain.JobStatus;
import io.framegate.provider.Checkpoint;
import io.framegate.server.LedgerInvariants;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static io.framegate.server.jobs.InFlightCloudJobsTest.awaitJob;
import static io.framegate.server.jobs.InFlightCloudJobsTest.awaitTrue;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A job the upstream accepted (and bills) is collected under its own bound, {@code workers.max_download_attempts},
 * not the submit's {@code workers.max_attempts}: a process killed during its download again and again (each kill is
 * a claim whose lease lapses, as in {@link AttemptsTest}) leaves the job to the next one, which downloads it; past
 * that bound it fails {@code download_abandoned}, not {@code internal_error}, and its video is left upstream for the
 * operator. Either way it was created upstream once and its reservation settled once.
 */
class DownloadAttemptsTest extends StandInUpstreamTest {
    /**
     * A job submitted once (its upstream id recorded), finished upstream and marked done by a poll, as the poller
     * does: what is left is its download, in a worker slot.
     */
    String acceptedAndDoneUpstream() throws InterruptedException {
        String id;
        try (WorkerPool pool = pool(defaults())) {
            pool.start(true);
            id = jobs.submit("key_a", "openai", InFlightCloudJobsTest.request(1), null).id();
            awaitTrue(() -> row(id).nextPollAt() != null && upstream.polls.get() >= 1, Duration.ofSeconds(60),
                    "the job waits on its upstream");
        }
        Checkpoint cp = Checkpoint.parse(row(id).checkpoint());
        assertThat(cp.phase()).isEqualTo(Checkpoint.Phase.SUBMITTED);
        assertThat(cp.handle()).isEqualTo("video_1");
        upstream.finishAll();
        core.db.jdbi().useHandle(h -> h.createUpdate("UPDATE jobs SET next_poll_at = 0 WHERE id = :id").bind("id", id).execute());
        WaitQueue waits = new WaitQueue(core.store.jdbi());
        List<WaitQueue.Claim> due = waits.claimDue("poller", 30_000, 10);
        assertThat(due).extracting(WaitQueue.Claim::id).containsExactly(id);
        assertThat(waits.ready(id, new Lease("poller", due.get(0).epoch()), 1)).isTrue();
        return id;
    }

    /** {@code times} processes each claimed the job for its download and were killed with it: their leases lapse. */
    void killedDuringDownload(String id, int times) {
        for (int i = 0; i < times; i++) {
            long now = System.currentTimeMillis();
            assertThat(core.store.leases().claim(id, "killed-" + i, now, now - 1)).as("claim %d", i).isTrue();
        }
    }

    @Test
    void aDownloadKilledMoreOftenThanMaxAttemptsIsStillCollected() throws Exception {
        String id = acceptedAndDoneUpstream();
        killedDuringDownload(id, 2 * WorkerSettings.DEFAULT_MAX_ATTEMPTS); // 6: well within the 10 of the download
        try (WorkerPool pool = pool(defaults())) {
            pool.start(true);
            Job done = awaitJob(core, id, Duration.ofSeconds(60));
            assertThat(done.status()).as("%s %s", done.errorCode(), done.errorMessage()).isEqualTo(JobStatus.COMPLETED);
        }
        assertThat(row(id).attempts()).as("past max_attempts").isGreaterThan(WorkerSettings.DEFAULT_MAX_ATTEMPTS);
        assertThat(upstream.creates).as("created upstream once").hasValue(1);
        assertThat(upstream.downloads).hasValue(1);
        assertThat(upstream.deletes).as("nothing cancelled upstream").hasValue(0);
        assertThat(core.results.open(id, ContentVariant.VIDEO.storedName(0))).isPresent();
        assertThat(ledger(id)).containsExactly("reserve", "capture");
        LedgerInvariants.check(core.db.jdbi());
    }

    @Test
    void pastTheDownloadBoundTheJobFailsDownloadAbandonedAndIsSettledOnce() throws Exception {
        String id = acceptedAndDoneUpstream();
        killedDuringDownload(id, 4);
        try (WorkerPool pool = pool(defaults().withDownloadAttempts(4))) {
            pool.start(true);
            Job done = awaitJob(core, id, Duration.ofSeconds(60));
            assertThat(done.status()).isEqualTo(JobStatus.FAILED);
            assertThat(done.errorCode()).isEqualTo("download_abandoned");
            assertThat(done.errorMessage()).contains("accepted").doesNotContain("Exception", "java", "video_1", "lease");
        }
        assertThat(upstream.creates).as("never submitted again").hasValue(1);
        assertThat(upstream.downloads).as("not downloaded again").hasValue(0);
        assertThat(upstream.deletes).as("its finished video is not deleted upstream").hasValue(0);
        assertThat(row(id).job().notes().get("upstream_kept")).contains("video_1");
        assertThat(row(id).downloadAttempts()).isEqualTo(5);
        assertThat(ledger(id)).containsExactly("reserve", "release");
        LedgerInvariants.check(core.db.jdbi());
    }

    /**
     * An upstream that says completed to the poller and in_progress to the worker that comes to collect, again and
     * again: each such collection keeps its download attempt (it took a worker slot and collected nothing), so the
     * flips use {@code workers.max_download_attempts} up and the job ends {@code download_abandoned}, its upstream job
     * kept and its reservation released once, instead of taking a slot per flip until its deadline (5 min here).
     */
    @Test
    void collectionsThatFindTheJobRunningAgainUseUpTheDownloadAttempts() throws Exception {
        upstream.flipping = true;
        String id;
        try (WorkerPool pool = pool(defaults().withDownloadAttempts(3))) {
            pool.start(true);
            id = jobs.submit("key_a", "openai", InFlightCloudJobsTest.request(1), null).id();
            Job done = awaitJob(core, id, Duration.ofSeconds(60));
            assertThat(done.status()).as("%s %s", done.errorCode(), done.errorMessage()).isEqualTo(JobStatus.FAILED);
            assertThat(done.errorCode()).isEqualTo("download_abandoned");
        }
        assertThat(row(id).downloadAttempts()).as("three collections found it running, the fourth claim gave up")
                .isEqualTo(4);
        assertThat(row(id).attempts()).as("a collection that ended well is no crashed attempt").isEqualTo(1);
        assertThat(upstream.creates).as("created upstream once").hasValue(1);
        assertThat(upstream.downloads).hasValue(0);
        assertThat(upstream.deletes).as("its perhaps finished video is not deleted upstream").hasValue(0);
        assertThat(row(id).job().notes().get("upstream_kept")).contains("video_1");
        assertThat(ledger(id)).containsExactly("reserve", "release");
        LedgerInvariants.check(core.db.jdbi());
    }
}
