package io.framegate.server.jobs;

import io.framegate.domain.GenerationContext;
import io.framegate.domain.GenerationException;
import io.framegate.domain.RenderPlan;
import io.framegate.server.LocalTestBackend;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Issue 9 item 3: the worker pool takes jobs round-robin across keys within a lane. */
class FairDispatchTest {
    @TempDir
    Path dir;

    /** A local backend that lets one job end (failed, quickly) per permit and records the order jobs started in. */
    static final class GateBackend extends LocalTestBackend {
        final List<String> started = new CopyOnWriteArrayList<>();
        final Semaphore gate = new Semaphore(0);

        @Override
        public void generate(RenderPlan plan, GenerationContext ctx) throws Exception {
            started.add(ctx.jobId());
            if (!gate.tryAcquire(2, TimeUnit.MINUTES)) throw new IllegalStateException("never released");
            throw new GenerationException("test_done", "the test ended this job");
        }
    }

    static void awaitStarts(GateBackend b, int n) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (b.started.size() < n && System.nanoTime() < deadline) Thread.sleep(20);
        assertThat(b.started).as("jobs started").hasSizeGreaterThanOrEqualTo(n);
    }

    @Test
    void aKeysBacklogOfThirtyDoesNotDelayAnotherKeysFirstJobByMoreThanOneTurn() throws Exception {
        GateBackend gate = new GateBackend();
        try (Core core = new Core(dir); WorkerPool pool = core.pool(m -> gate, DispatchTest.settings(1, 1))) {
            List<String> busy = new ArrayList<>();
            for (int i = 0; i < 31; i++) busy.add(core.jobs.submit("key_busy", "openai", DispatchTest.request(DispatchTest.OK_MODEL), null).id());
            pool.start(true);
            awaitStarts(gate, 1);
            assertThat(gate.started.get(0)).isEqualTo(busy.get(0));
            String other = core.jobs.submit("key_other", "openai", DispatchTest.request(DispatchTest.OK_MODEL), null).id();
            gate.gate.release(); // the running job of key_busy ends; 30 of its jobs still wait, all older than key_other's
            awaitStarts(gate, 2);
            assertThat(gate.started.get(1)).as("the next job started is the other key's first").isEqualTo(other);
            gate.gate.release();
            awaitStarts(gate, 3);
            assertThat(gate.started.get(2)).as("then key_busy's backlog goes on in order").isEqualTo(busy.get(1));
            gate.gate.release(1000);
        }
    }

    @Test
    void keysTakeTurnsOneJobEach() throws Exception {
        GateBackend gate = new GateBackend();
        try (Core core = new Core(dir); WorkerPool pool = core.pool(m -> gate, DispatchTest.settings(1, 1))) {
            List<String> owners = new ArrayList<>();
            for (int i = 0; i < 4; i++) core.jobs.submit("key_a", "openai", DispatchTest.request(DispatchTest.OK_MODEL), null);
            for (int i = 0; i < 2; i++) core.jobs.submit("key_b", "openai", DispatchTest.request(DispatchTest.OK_MODEL), null);
            core.jobs.submit("key_c", "openai", DispatchTest.request(DispatchTest.OK_MODEL), null);
            pool.start(true);
            for (int n = 1; n <= 7; n++) {
                awaitStarts(gate, n);
                owners.add(core.store.find(gate.started.get(n - 1)).orElseThrow().job().ownerKeyId());
                gate.gate.release();
            }
            assertThat(owners).containsExactly("key_a", "key_b", "key_c", "key_a", "key_b", "key_a", "key_a");
        }
    }
}
