package io.framegate.server.jobs;

import io.framegate.domain.JobStatus;
import io.framegate.provider.Checkpoint;
import io.framegate.server.LedgerInvariants;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static io.framegate.server.jobs.InFlightCloudJobsTest.awaitJob;
import static io.framegate.server.jobs.InFlightCloudJobsTest.awaitTrue;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A poll of a waiting cloud job that fails inside the server (an unexpected exception, not an upstream answer: here
 * the database refuses the progress the poll writes) is tried again, but not for ever: past the job's deadline, or
 * after {@code workers.max_internal_poll_failures} such failures in a row, the job fails {@code internal_error} with a
 * generic message, its reservation released once, and its upstream job left there (it may be finished; a cancel
 * would delete it) and named in the note {@code upstream_kept}. A failure that clears lets the job go on.
 */
class PollFailuresTest extends StandInUpstreamTest {
    static final Duration DEADLINE = Duration.ofSeconds(8);

    @Override
    String config() {
        return CONFIG.replace("deadline: 5m", "deadline: " + DEADLINE.toSeconds() + "s");
    }

    String submitAndAwaitWaiting(WorkerPool pool) throws InterruptedException {
        String id = jobs.submit("key_a", "openai", InFlightCloudJobsTest.request(1), null).id();
        awaitTrue(() -> upstream.polls.get() >= 1 && row(id).nextPollAt() != null && row(id).job().progress() > 0,
                Duration.ofSeconds(30), "the job waits on its upstream and is polled");
        return id;
    }

    /** From now on every poll throws inside the server: the database refuses the progress it would write. */
    void pollsFailInsideTheServer() {
        core.db.jdbi().useHandle(h -> h.execute("ALTER TABLE jobs ADD CONSTRAINT poll_fault CHECK (progress <= 20)"));
        upstream.progress = 60;
    }

    void pollsWorkAgain() {
        core.db.jdbi().useHandle(h -> h.execute("ALTER TABLE jobs DROP CONSTRAINT poll_fault"));
    }

    void assertEndedInternalErrorReleasedAndKeptUpstream(String id, Job done) {
        assertThat(done.status()).as("%s %s", done.errorCode(), done.errorMessage()).isEqualTo(JobStatus.FAILED);
        assertThat(done.errorCode()).isEqualTo("internal_error");
        assertThat(done.errorMessage()).isEqualTo(Completion.FAILED_INSIDE)
                .doesNotContainIgnoringCase("exception").doesNotContain("java", "video_1", "POLL_FAULT", "progress");
        assertThat(upstream.deletes).as("its upstream job, perhaps finished, is not deleted").hasValue(0);
        assertThat(done.notes().get("upstream_kept")).contains("video_1");
        assertThat(ledger(id)).as("settled once").containsExactly("reserve", "release");
        assertThat(upstream.creates).as("never submitted again").hasValue(1);
        LedgerInvariants.check(core.db.jdbi());
    }

    @Test
    void aPollThatKeepsFailingInsideTheServerEndsTheJobAtItsDeadlineReleasedOnceAndKeptUpstream() throws Exception {
        try (WorkerPool pool = pool()) { // the default 10 s before a failed poll is tried again: more than the deadline
            pool.start(true);
            String id = submitAndAwaitWaiting(pool);
            Instant deadline = Checkpoint.parse(row(id).checkpoint()).submittedAt().plus(DEADLINE);
            pollsFailInsideTheServer();
            Job done = awaitJob(core, id, DEADLINE.plusSeconds(30));
            assertEndedInternalErrorReleasedAndKeptUpstream(id, done);
            assertThat(done.completedAt()).as("at its deadline, not a retry later")
                    .isAfterOrEqualTo(deadline).isBefore(deadline.plusSeconds(5));
            assertThat(Integer.parseInt(done.notes().get("poll_internal_errors")))
                    .as("ended by its deadline, not by the count").isLessThan(WorkerSettings.DEFAULT_MAX_INTERNAL_POLL_FAILURES);
        }
    }

    /** workers.max_internal_poll_failures is the poller's own bound: the download attempts (left at 10) do not decide it. */
    @Test
    void maxInternalPollFailuresPollsFailingInsideTheServerInARowEndTheJobBeforeItsDeadline() throws Exception {
        try (WorkerPool pool = pool(defaults().withAttempts(WorkerSettings.DEFAULT_MAX_ATTEMPTS, Duration.ofMillis(100))
                .withDownloadAttempts(WorkerSettings.DEFAULT_MAX_DOWNLOAD_ATTEMPTS).withInternalPollFailures(3))) {
            pool.start(true);
            String id = submitAndAwaitWaiting(pool);
            pollsFailInsideTheServer();
            Job done = awaitJob(core, id, DEADLINE.plusSeconds(30));
            assertEndedInternalErrorReleasedAndKeptUpstream(id, done);
            assertThat(done.notes()).as("three in a row").containsEntry("poll_internal_errors", "3");
        }
    }

    @Test
    void aPollFailureThatClearsLetsTheJobComplete() throws Exception {
        try (WorkerPool pool = pool(defaults().withAttempts(WorkerSettings.DEFAULT_MAX_ATTEMPTS, Duration.ofMillis(300)))) {
            pool.start(true);
            String id = submitAndAwaitWaiting(pool);
            pollsFailInsideTheServer();
            awaitTrue(() -> row(id).job().notes().containsKey("poll_internal_errors"), Duration.ofSeconds(5),
                    "a poll failed inside the server");
            pollsWorkAgain();
            awaitTrue(() -> !row(id).job().notes().containsKey("poll_internal_errors"), Duration.ofSeconds(5),
                    "a poll that works resets the count");
            upstream.finishAll();
            Job done = awaitJob(core, id, Duration.ofSeconds(30));
            assertThat(done.status()).as("%s %s", done.errorCode(), done.errorMessage()).isEqualTo(JobStatus.COMPLETED);
            assertThat(upstream.deletes).hasValue(0);
            assertThat(ledger(id)).containsExactly("reserve", "capture");
            LedgerInvariants.check(core.db.jdbi());
        }
    }
}
