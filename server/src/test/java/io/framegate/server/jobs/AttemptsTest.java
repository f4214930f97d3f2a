package io.framegate.server.jobs;

import io.framegate.domain.GenerationBackend;
import io.framegate.domain.GenerationContext;
import io.framegate.domain.JobStatus;
import io.framegate.domain.RenderPlan;
import io.framegate.provider.Checkpoint;
import io.framegate.server.LocalTestBackend;
import io.framegate.server.TinyVideoBackend;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/** Issue 8 item 5: attempts are counted at claim time and capped; an {@link Error} does not leave a job running forever. */
class AttemptsTest {
    @TempDir
    Path dir;

    /** A backend whose every attempt dies of an {@link Error}, as a worker that ran out of memory would. */
    static final class CrashingBackend extends LocalTestBackend {
        final List<Long> startedAt = new CopyOnWriteArrayList<>();

        @Override
        public void generate(RenderPlan plan, GenerationContext ctx) {
            startedAt.add(System.nanoTime());
            throw new OutOfMemoryError("Java heap space (simulated in /tmp/secret/path)");
        }
    }

    static WorkerSettings settings(Duration backoff) {
        return Core.fast().withAttempts(3, backoff);
    }

    @Test
    void aWorkerErrorFailsTheJobAfterTheCapWithAGenericInternalError() throws Exception {
        CrashingBackend backend = new CrashingBackend();
        Duration backoff = Duration.ofMillis(200);
        try (Core core = new Core(dir); WorkerPool pool = core.pool(backend, settings(backoff))) {
            pool.start(true);
            Job job = core.jobs.submit("key_a", "openai", WorkerPoolTest.request(3), null);
            Job done = DispatchTest.await(core, job.id(), j -> j.status().isFinal(), Duration.ofSeconds(30));
            assertThat(done.status()).isEqualTo(JobStatus.FAILED);
            assertThat(done.errorCode()).isEqualTo("internal_error");
            assertThat(done.errorMessage()).doesNotContain("Error", "java", "/tmp", "heap");
            assertThat(backend.startedAt).as("one run per attempt, none after the cap").hasSize(3);
            assertThat(core.store.find(job.id()).orElseThrow().attempts()).isEqualTo(3);
            // the backoff is a floor: attempt 2 waits >= 200 ms, attempt 3 >= 400 ms (doubled)
            assertThat(backend.startedAt.get(1) - backend.startedAt.get(0)).isGreaterThanOrEqualTo(backoff.toNanos());
            assertThat(backend.startedAt.get(2) - backend.startedAt.get(1)).isGreaterThanOrEqualTo(2 * backoff.toNanos());
        }
    }

    @Test
    void aJobWhoseAttemptsReachedTheCapAtStartIsFailedNotRun() throws Exception {
        TinyVideoBackend backend = new TinyVideoBackend("local", true, 0);
        try (Core core = new Core(dir)) {
            Job job = core.jobs.submit("key_a", "openai", WorkerPoolTest.request(3), null);
            // three processes each claimed it and died with it (kill -9, SIGSEGV): their leases simply lapse
            for (int i = 0; i < 3; i++) {
                long now = System.currentTimeMillis();
                assertThat(core.store.leases().claim(job.id(), "dead-" + i, now, now - 1)).isTrue();
            }
            try (WorkerPool pool = core.pool(backend, settings(Duration.ofMillis(10)))) {
                pool.start(true);
                Job done = DispatchTest.await(core, job.id(), j -> j.status().isFinal(), Duration.ofSeconds(30));
                assertThat(done.status()).isEqualTo(JobStatus.FAILED);
                assertThat(done.errorCode()).isEqualTo("internal_error");
                assertThat(backend.attempts(job.id())).as("not run again").isZero();
            }
            Job fresh = core.jobs.submit("key_a", "openai", WorkerPoolTest.request(3), null);
            try (WorkerPool pool = core.pool(backend, settings(Duration.ofMillis(10)))) {
                pool.start(true);
                assertThat(DispatchTest.await(core, fresh.id(), j -> j.status().isFinal(), Duration.ofSeconds(30)).status())
                        .as("a job below the cap still runs").isEqualTo(JobStatus.COMPLETED);
            }
        }
    }

    /** A cloud backend whose every attempt dies of an {@link Error}, after saving {@link #checkpointBeforeCrash}. */
    static final class CloudCrashingBackend implements GenerationBackend {
        final List<String> generated = new CopyOnWriteArrayList<>();
        /** Saved before crashing with an {@link Error}, as a worker dying mid-submit would. */
        volatile String checkpointBeforeCrash;

        @Override
        public String id() {
            return "openai:agg";
        }

        @Override
        public boolean isLocal() {
            return false;
        }

        @Override
        public void generate(RenderPlan plan, GenerationContext ctx) {
            generated.add(ctx.jobId());
            if (checkpointBeforeCrash != null) ctx.saveCheckpoint(checkpointBeforeCrash);
            throw new OutOfMemoryError("simulated");
        }
    }

    private static String submitting() {
        return Checkpoint.submitting("openai", "agg", "sora-2", Instant.parse("2026-11-30T07:00:00Z"), "framegate-k").toJson();
    }

    private static String submitted() {
        return Checkpoint.submitting("openai", "agg", "sora-2", Instant.parse("2026-11-30T07:00:00Z"), "framegate-k")
                .submitted("video_up_1", Instant.parse("2026-11-30T07:00:01Z")).toJson();
    }

    /** A job three dead processes claimed, with {@code checkpoint} stored by the last of them. */
    private static Job crashedThrice(Core core, String checkpoint) {
        Job job = core.jobs.submit("key_a", "openai", WorkerPoolTest.request(3), null);
        for (int i = 0; i < 3; i++) {
            long now = System.currentTimeMillis();
            assertThat(core.store.leases().claim(job.id(), "dead-" + i, now, now - 1)).isTrue();
        }
        // the last dead process stored it while its lease was live; written directly, as that lease has run out
        int stored = core.db.jdbi().withHandle(h -> h.createUpdate("UPDATE jobs SET checkpoint = :cp WHERE id = :id")
                .bind("cp", checkpoint).bind("id", job.id()).execute());
        assertThat(stored).isEqualTo(1);
        return job;
    }

    @Test
    void givingUpOnAJobWhoseSubmitWasUnderWayEndsItUncertainAndCountsIt() throws Exception {
        CloudCrashingBackend backend = new CloudCrashingBackend();
        try (Core core = new Core(dir)) {
            Job job = crashedThrice(core, submitting());
            try (WorkerPool pool = core.pool(backend, settings(Duration.ofMillis(10)))) {
                JobOutcomes outcomes = JobOutcomes.inMemory();
                pool.outcomes(outcomes);
                pool.start(true);
                Job done = DispatchTest.await(core, job.id(), j -> j.status().isFinal(), Duration.ofSeconds(30));
                assertThat(done.status()).isEqualTo(JobStatus.FAILED);
                assertThat(done.errorCode()).isEqualTo(JobOutcomes.SUBMIT_UNCERTAIN);
                assertThat(done.errorMessage()).contains("not sent again").doesNotContain("Error", "java");
                // the counter is bumped just after the final write the await above saw: wait for it, briefly
                long until = System.nanoTime() + Duration.ofSeconds(5).toNanos();
                while (outcomes.failedCounter(JobOutcomes.SUBMIT_UNCERTAIN).count() < 1 && System.nanoTime() < until) {
                    Thread.sleep(10);
                }
                assertThat(outcomes.failedCounter(JobOutcomes.SUBMIT_UNCERTAIN).count()).isEqualTo(1.0);
                assertThat(done.notes()).doesNotContainKey("cost_usd");
            }
            assertThat(backend.generated).isEmpty();
        }
    }

    @Test
    void anErrorAtTheLastAttemptAfterTheSubmitWasUnderWayEndsItUncertain() throws Exception {
        CloudCrashingBackend backend = new CloudCrashingBackend();
        backend.checkpointBeforeCrash = submitting();
        try (Core core = new Core(dir); WorkerPool pool = core.pool(backend, settings(Duration.ofMillis(10)))) {
            pool.start(true);
            Job job = core.jobs.submit("key_a", "openai", WorkerPoolTest.request(3), null);
            Job done = DispatchTest.await(core, job.id(), j -> j.status().isFinal(), Duration.ofSeconds(30));
            assertThat(backend.generated).hasSize(3);
            assertThat(done.errorCode()).isEqualTo(JobOutcomes.SUBMIT_UNCERTAIN);
        }
    }

    /**
     * A job the upstream accepted (an earlier process stored its id), then claimed to be collected by {@code times}
     * processes that died with it: the claims count download attempts.
     */
    private static Job acceptedThenKilled(Core core, int times) {
        Job job = core.jobs.submit("key_a", "openai", WorkerPoolTest.request(3), null);
        int stored = core.db.jdbi().withHandle(h -> h.createUpdate("UPDATE jobs SET checkpoint = :cp WHERE id = :id")
                .bind("cp", submitted()).bind("id", job.id()).execute());
        assertThat(stored).isEqualTo(1);
        for (int i = 0; i < times; i++) {
            long now = System.currentTimeMillis();
            assertThat(core.store.leases().claim(job.id(), "dead-" + i, now, now - 1)).isTrue();
        }
        return job;
    }

    /**
     * Its upstream job may be finished (download attempts start when a poll found it done), and most upstreams'
     * cancel deletes a finished video: it is kept there, and the note names it for the operator to fetch.
     */
    @Test
    void givingUpOnASubmittedJobEndsItDownloadAbandonedAndKeepsItUpstream() throws Exception {
        CloudCrashingBackend backend = new CloudCrashingBackend();
        try (Core core = new Core(dir)) {
            Job job = acceptedThenKilled(core, 4);
            try (WorkerPool pool = core.pool(backend, settings(Duration.ofMillis(10)).withDownloadAttempts(4))) {
                pool.start(true);
                Job done = DispatchTest.await(core, job.id(), j -> j.status().isFinal(), Duration.ofSeconds(30));
                assertThat(done.status()).isEqualTo(JobStatus.FAILED);
                assertThat(done.errorCode()).isEqualTo(JobOutcomes.DOWNLOAD_ABANDONED);
                assertThat(done.errorMessage()).contains("accepted").doesNotContain("Error", "java", "video_up_1");
                assertThat(done.notes()).doesNotContainKey("upstream_cancel");
                assertThat(done.notes().get("upstream_kept")).contains("video_up_1", "channel agg", "fetch");
            }
            assertThat(core.store.find(job.id()).orElseThrow().attempts()).as("every claim counted").isEqualTo(5);
            assertThat(backend.generated).isEmpty();
        }
    }

    @Test
    void theSubmitsAttemptsDoNotBoundCollectingAJobTheUpstreamAccepted() throws Exception {
        CloudCrashingBackend backend = new CloudCrashingBackend();
        try (Core core = new Core(dir)) {
            Job job = acceptedThenKilled(core, 3); // as many as max_attempts, every one after the upstream accepted it
            try (WorkerPool pool = core.pool(backend, settings(Duration.ofMillis(10)).withDownloadAttempts(5))) {
                pool.start(true);
                Job done = DispatchTest.await(core, job.id(), j -> j.status().isFinal(), Duration.ofSeconds(30));
                assertThat(done.errorCode()).isEqualTo(JobOutcomes.DOWNLOAD_ABANDONED);
            }
            assertThat(backend.generated).as("download attempts 4 and 5 ran (and crashed)").hasSize(2);
        }
    }

    @Test
    void anErrorAfterTheUpstreamAcceptedTheJobAtTheSubmitsLastAttemptLeavesItItsDownloadAttempts() throws Exception {
        CloudCrashingBackend backend = new CloudCrashingBackend();
        backend.checkpointBeforeCrash = submitted();
        WorkerSettings oneSubmit = Core.fast().withAttempts(1, Duration.ofMillis(10)).withDownloadAttempts(2);
        try (Core core = new Core(dir); WorkerPool pool = core.pool(backend, oneSubmit)) {
            pool.start(true);
            Job job = core.jobs.submit("key_a", "openai", WorkerPoolTest.request(3), null);
            Job done = DispatchTest.await(core, job.id(), j -> j.status().isFinal(), Duration.ofSeconds(30));
            assertThat(done.errorCode()).isEqualTo(JobOutcomes.DOWNLOAD_ABANDONED);
            assertThat(backend.generated).as("the submit's attempt, then the two download attempts").hasSize(3);
        }
    }
}
