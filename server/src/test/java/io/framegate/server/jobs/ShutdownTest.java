package io.framegate.server.jobs;

import io.framegate.domain.GenerationBackend;
import io.framegate.domain.GenerationContext;
import io.framegate.domain.JobStatus;
import io.framegate.domain.RenderPlan;
import io.framegate.server.TinyVideoBackend;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 8 item 2 (server part): shutdown lets an upstream call in flight end and its checkpoint be written, keeps the
 * job's lease meanwhile (so no other process takes it over and submits again), then releases it for resumption.
 */
class ShutdownTest {
    @TempDir
    Path dir;

    /** Like a cloud backend: a submit call (not interruptible by cancellation) that checkpoints its handle, then polls. */
    static final class SubmittingBackend implements GenerationBackend {
        final AtomicInteger submits = new AtomicInteger();
        final AtomicInteger interrupted = new AtomicInteger();
        final CountDownLatch inFlight = new CountDownLatch(1);
        final TinyVideoBackend result = new TinyVideoBackend("cloud", false, 0);
        final long callMillis;

        SubmittingBackend(long callMillis) {
            this.callMillis = callMillis;
        }

        @Override
        public String id() {
            return "route:cloud";
        }

        @Override
        public boolean isLocal() {
            return false;
        }

        @Override
        public void generate(RenderPlan plan, GenerationContext ctx) throws Exception {
            if (ctx.checkpoint().isEmpty()) {
                submits.incrementAndGet();
                inFlight.countDown();
                try {
                    Thread.sleep(callMillis); // the upstream call: it has the job once it started
                } catch (InterruptedException e) {
                    interrupted.incrementAndGet();
                    throw e;
                }
                ctx.saveCheckpoint("{\"handle\":\"up-1\"}");
            }
            if (ctx.isShuttingDown()) return; // polling stops at shutdown; the next process resumes from the checkpoint
            result.generate(plan, ctx);
        }
    }

    @Test
    void shutdownWaitsForTheCallInFlightKeepsTheLeaseAndTheNextPoolResumesWithoutASecondSubmit() throws Exception {
        SubmittingBackend backend = new SubmittingBackend(2500);
        // a 1 s lease: without renewal during the grace, the other pool would take the job over after 1 s
        WorkerSettings settings = new WorkerSettings(1, 2, Duration.ofSeconds(1), Duration.ofMillis(100), Duration.ofSeconds(20));
        try (Core core = new Core(dir); WorkerPool first = core.pool(backend, settings);
             WorkerPool other = core.pool(backend, settings)) {
            first.start(false);
            Job job = core.jobs.submit("key_a", "gemini", WorkerPoolTest.request(3), null);
            assertThat(backend.inFlight.await(30, TimeUnit.SECONDS)).isTrue();
            other.start(false);
            first.close();

            JobStore.Row row = core.store.find(job.id()).orElseThrow();
            assertThat(backend.interrupted).as("the call in flight was not interrupted").hasValue(0);
            assertThat(row.checkpoint()).as("its outcome was checkpointed before the release").contains("up-1");
            Job done = DispatchTest.await(core, job.id(), j -> j.status().isFinal(), Duration.ofSeconds(60));
            assertThat(done.status()).isEqualTo(JobStatus.COMPLETED);
            assertThat(backend.submits).as("submitted upstream once").hasValue(1);
            assertThat(core.store.find(job.id()).orElseThrow().attempts()).as("the release gave the attempt back").isEqualTo(1);
        }
    }
}
