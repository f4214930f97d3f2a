package io.framegate.server.jobs;

import io.framegate.domain.JobStatus;
import io.framegate.server.FramegateServer;
import io.framegate.server.LedgerInvariants;
import io.framegate.server.storage.StorageException;
import io.framegate.server.storage.StoredObject;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import static io.framegate.server.jobs.InFlightCloudJobsTest.awaitJob;
import static io.framegate.server.jobs.InFlightCloudJobsTest.awaitTrue;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by the chaos run (s3proxy killed for 30 s under load): a cloud job whose upstream had finished (and billed)
 * its video was claimed for its download while the bucket was unreachable; the attempt's first read of the job's
 * input image threw {@link StorageException} and the job ended {@code internal_error}, its paid video never
 * collected. An outage of the storage is transient: the attempt is put back and tried again after a backoff (within
 * the phase's attempts, {@code workers.max_download_attempts} once the upstream has the job), so once the bucket
 * answers again the video is downloaded once, stored, and the reservation captured once. The same for a local render
 * whose result cannot be stored while the bucket is down.
 */
class StorageOutageTest extends StandInUpstreamTest {
    /** The job core's store, failing every call as an unreachable bucket does while {@code down}. */
    static final class Flaky extends ForwardingResultStore {
        volatile boolean down;
        final AtomicInteger refused = new AtomicInteger();

        Flaky(io.framegate.server.storage.ResultStore inner) {
            super(inner);
        }

        private void check(String op, String jobId, String name) throws StorageException {
            if (down) {
                refused.incrementAndGet();
                throw new StorageException("object storage " + op + " of " + jobId + "/" + name
                        + " failed: not reachable or no answer (ConnectException)");
            }
        }

        @Override
        public Optional<StoredObject> open(String jobId, String name) throws IOException {
            check("head", jobId, name);
            return super.open(jobId, name);
        }

        @Override
        public void put(String jobId, String name, byte[] bytes) throws IOException {
            check("put", jobId, name);
            super.put(jobId, name, bytes);
        }

        @Override
        public void put(String jobId, String name, InputStream in) throws IOException {
            check("put", jobId, name);
            super.put(jobId, name, in);
        }

        @Override
        public void put(String jobId, String name, Path file) throws IOException {
            check("put", jobId, name);
            super.put(jobId, name, file);
        }
    }

    private JobService service(Flaky flaky) {
        return new JobService(core.store, flaky, core.validator, FramegateServer.newJsonMapper(), Clock.systemUTC(), routing);
    }

    /** A started pool storing through {@code flaky}. */
    private WorkerPool pool(JobService service, Flaky flaky, WorkerSettings settings) {
        WorkerPool pool = new WorkerPool(core.store, service, flaky, core.validator, routing, OutputFinisher.NONE,
                dir.resolve("work"), settings, Clock.systemUTC());
        pool.start(true);
        return pool;
    }

    /** A cloud job submitted and polled once: waiting on its upstream. */
    private String submitAndAwaitWaiting(JobService service) throws Exception {
        String id = service.submit("key_a", "openai", InFlightCloudJobsTest.request(1), null).id();
        awaitTrue(() -> upstream.polls.get() >= 1 && row(id).nextPollAt() != null, Duration.ofSeconds(30),
                "the job waits on its upstream");
        return id;
    }

    @Test
    void aFinishedUpstreamVideoIsCollectedOnceTheStorageIsBackInsteadOfFailingTheJob() throws Exception {
        Flaky flaky = new Flaky(core.results);
        JobService service = service(flaky);
        WorkerSettings settings = defaults().withAttempts(WorkerSettings.DEFAULT_MAX_ATTEMPTS, Duration.ofMillis(200));
        try (WorkerPool pool = pool(service, flaky, settings)) {
            String id = submitAndAwaitWaiting(service);
            flaky.down = true;
            upstream.finishAll();
            awaitTrue(() -> flaky.refused.get() >= 3 || row(id).job().status().isFinal(), Duration.ofSeconds(30),
                    "its download ran into the outage three times, or the job ended");
            Job during = row(id).job();
            assertThat(during.status()).as("not ended by the outage: %s %s", during.errorCode(), during.errorMessage())
                    .isIn(JobStatus.QUEUED, JobStatus.IN_PROGRESS);
            flaky.down = false;
            Job done = awaitJob(core, id, Duration.ofSeconds(60));
            assertThat(done.status()).as("%s %s", done.errorCode(), done.errorMessage()).isEqualTo(JobStatus.COMPLETED);
            assertThat(upstream.creates).as("submitted once").hasValue(1);
            assertThat(upstream.deletes).as("nothing cancelled upstream").hasValue(0);
            assertThat(core.results.open(id, ContentVariant.VIDEO.storedName(0))).isPresent();
            assertThat(ledger(id)).containsExactly("reserve", "capture");
            LedgerInvariants.check(core.db.jdbi());
        }
    }

    @Test
    void aJobWhoseStorageStaysDownIsGivenUpAfterItsAttemptsKeepingItsPaidVideoUpstream() throws Exception {
        Flaky flaky = new Flaky(core.results);
        JobService service = service(flaky);
        WorkerSettings settings = defaults().withAttempts(WorkerSettings.DEFAULT_MAX_ATTEMPTS, Duration.ofMillis(50))
                .withDownloadAttempts(3);
        try (WorkerPool pool = pool(service, flaky, settings)) {
            String id = submitAndAwaitWaiting(service);
            flaky.down = true;
            upstream.finishAll();
            Job done = awaitJob(core, id, Duration.ofSeconds(60));
            assertThat(done.status()).isEqualTo(JobStatus.FAILED);
            assertThat(done.errorCode()).isEqualTo("download_abandoned");
            assertThat(done.errorMessage()).doesNotContain("Exception", "storage", "video_1", "127.0.0.1");
            assertThat(done.notes().get("upstream_kept")).contains("video_1");
            assertThat(upstream.creates).as("never submitted again").hasValue(1);
            assertThat(upstream.deletes).as("its finished video is not deleted upstream").hasValue(0);
            assertThat(ledger(id)).containsExactly("reserve", "release");
            LedgerInvariants.check(core.db.jdbi());
        }
    }
}
