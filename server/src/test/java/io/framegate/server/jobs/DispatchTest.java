package io.framegate.server.jobs;

import io.framegate.domain.BackendRouter;
import io.framegate.domain.GenerationRequest;
import io.framegate.domain.JobStatus;
import io.framegate.server.TinyVideoBackend;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 8 item 4: a hung route or a busy key cannot hold the slots others need, and a long cloud queue cannot hide a
 * local job from the dispatcher. Hung jobs are {@link BlockingBackend}s that ignore cancellation.
 */
class DispatchTest {
    static final String HUNG_MODEL = "framegate-local";
    static final String OK_MODEL = "framegate-local-fast";

    @TempDir
    Path dir;

    static GenerationRequest request(String model) {
        return WorkerPoolTest.request(3).toBuilder().model(model).build();
    }

    static WorkerSettings settings(int local, int cloud) {
        return new WorkerSettings(local, cloud, Duration.ofSeconds(30), Duration.ofMillis(100), Duration.ofSeconds(2));
    }

    /** Waits (bounded, generously) for a job state; fails naming the last state seen. */
    static Job await(Core core, String id, Predicate<Job> until, Duration max) throws InterruptedException {
        long deadline = System.nanoTime() + max.toNanos();
        Job job = null;
        while (System.nanoTime() < deadline) {
            job = core.store.find(id).map(JobStore.Row::job).orElse(null);
            if (job != null && until.test(job)) return job;
            Thread.sleep(50);
        }
        throw new AssertionError("job " + id + " did not get there within " + max + "; last: " + job);
    }

    static void awaitStarted(BlockingBackend b, int n) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (b.started.size() < n && System.nanoTime() < deadline) Thread.sleep(20);
        assertThat(b.started).as("hung jobs started").hasSizeGreaterThanOrEqualTo(n);
    }

    @Test
    void aHungRouteCannotTakeTheCloudSlotsAnotherRouteNeeds() throws Exception {
        TinyVideoBackend ok = new TinyVideoBackend("route:ok", false, 0);
        try (Core core = new Core(dir); BlockingBackend hung = new BlockingBackend("route:hung")) {
            BackendRouter router = m -> m.id().equals(HUNG_MODEL) ? hung : ok;
            try (WorkerPool pool = core.pool(router, settings(1, 4))) {
                pool.start(true);
                // eight keys, so that only the route's cap (half the lane) can stop the hung jobs taking every slot
                for (int i = 0; i < 8; i++) core.jobs.submit("key_" + i, "openai", request(HUNG_MODEL), null);
                awaitStarted(hung, 2);
                Job healthy = core.jobs.submit("key_b", "openai", request(OK_MODEL), null);
                Job done = await(core, healthy.id(), j -> j.status().isFinal(), Duration.ofSeconds(30));
                assertThat(done.status()).isEqualTo(JobStatus.COMPLETED);
                assertThat(hung.started.size()).as("the hung route never holds the last of the 4 cloud slots")
                        .isBetween(2, 3);
                hung.close();
            }
        }
    }

    @Test
    void aKeyWithManyJobsCannotTakeTheWholeLane() throws Exception {
        try (Core core = new Core(dir); BlockingBackend hung = new BlockingBackend("route:one")) {
            try (WorkerPool pool = core.pool(m -> hung, settings(1, 4).withCaps(4, 0))) {
                pool.start(true);
                for (int i = 0; i < 8; i++) core.jobs.submit("key_busy", "openai", request(HUNG_MODEL), null);
                awaitStarted(hung, 2);
                Job other = core.jobs.submit("key_other", "openai", request(HUNG_MODEL), null);
                await(core, other.id(), j -> hung.started.contains(j.id()), Duration.ofSeconds(30));
                long busy = hung.started.stream().filter(id -> core.store.find(id).orElseThrow().job().ownerKeyId()
                        .equals("key_busy")).count();
                assertThat(busy).as("key_busy never holds the last of the 4 cloud slots").isBetween(2L, 3L);
                hung.close();
            }
        }
    }

    @Test
    void aKeyAloneUsesTheLaneButItsLastSlot() throws Exception {
        try (Core core = new Core(dir); BlockingBackend hung = new BlockingBackend("route:one")) {
            try (WorkerPool pool = core.pool(m -> hung, settings(1, 4))) {
                pool.start(true);
                for (int i = 0; i < 6; i++) core.jobs.submit("key_alone", "openai", request(HUNG_MODEL), null);
                awaitStarted(hung, 3);
                Thread.sleep(500); // a few dispatch rounds (poll interval 100 ms): still three, the fourth slot stays free
                assertThat(hung.started).hasSize(3);
                hung.close();
            }
        }
    }

    @Test
    void queuedCloudJobsCannotHideALocalJobFromTheDispatcher() throws Exception {
        TinyVideoBackend local = new TinyVideoBackend("local", true, 0);
        try (Core core = new Core(dir); BlockingBackend hung = new BlockingBackend("route:hung")) {
            BackendRouter router = m -> m.id().equals(HUNG_MODEL) ? hung : local;
            List<String> cloudJobs = new ArrayList<>();
            for (int i = 0; i < 120; i++) cloudJobs.add(core.jobs.submit("key_" + (i % 7), "openai", request(HUNG_MODEL), null).id());
            Job localJob = core.jobs.submit("key_a", "openai", request(OK_MODEL), null);
            // what a router records at submission (JobService.routeWith): the lane of each job
            core.db.jdbi().useHandle(h -> {
                h.createUpdate("UPDATE jobs SET lane = 'cloud', route = 'route:hung' WHERE model = :m").bind("m", HUNG_MODEL).execute();
                h.createUpdate("UPDATE jobs SET lane = 'local', route = 'local' WHERE model = :m").bind("m", OK_MODEL).execute();
            });
            try (WorkerPool pool = core.pool(router, settings(1, 1))) {
                pool.start(true);
                Job done = await(core, localJob.id(), j -> j.status().isFinal(), Duration.ofSeconds(30));
                assertThat(done.status()).isEqualTo(JobStatus.COMPLETED);
                assertThat(hung.started).hasSize(1).containsExactly(cloudJobs.get(0));
                hung.close();
            }
        }
    }

    /**
     * A create wakes only its own lane ({@link JobSignals.LaneBell}); a job that no bell here announces (another
     * instance's, or one whose backoff ended) is still found, by the round over every lane that the dispatcher makes
     * at least once per poll interval, even while the other lane's bell never stops ringing.
     */
    @Test
    void aLocalJobNoBellAnnouncesStartsWhileTheCloudLaneKeepsRinging() throws Exception {
        TinyVideoBackend local = new TinyVideoBackend("local", true, 0);
        try (Core core = new Core(dir)) {
            Job job = core.jobs.submit("key_a", "openai", request(OK_MODEL), null);
            // routed to the local lane and not yet claimable: the pool's first round over every lane passes it by
            core.db.jdbi().useHandle(h -> h.createUpdate("UPDATE jobs SET lane = 'local', route = 'local', not_before = "
                    + JobStore.DB_NOW + " + 3600000 WHERE id = :id").bind("id", job.id()).execute());
            java.util.concurrent.atomic.AtomicBoolean ringing = new java.util.concurrent.atomic.AtomicBoolean(true);
            Thread cloudCreates = new Thread(() -> {
                while (ringing.get()) {
                    core.jobs.signals().queued.ring("cloud");
                    // rounds are at least 10 ms apart: a ring every millisecond keeps the cloud lane rung at each one
                    java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
                }
            });
            try (WorkerPool pool = core.pool(m -> local, settings(1, 1))) {
                cloudCreates.start();
                pool.start(true);
                Thread.sleep(200); // the pool's first round has passed; the job becomes due with no bell rung for it
                core.db.jdbi().useHandle(h -> h.createUpdate("UPDATE jobs SET not_before = " + JobStore.DB_NOW
                        + " WHERE id = :id").bind("id", job.id()).execute());
                Job done = await(core, job.id(), j -> j.status().isFinal(), Duration.ofSeconds(20));
                assertThat(done.status()).isEqualTo(JobStatus.COMPLETED);
            } finally {
                ringing.set(false);
                cloudCreates.join();
            }
        }
    }

    /** Issue 9's fair-dispatch case: one key's backlog of 30 local renders does not hold back another key's cloud job. */
    @Test
    void aKeysLocalBacklogCannotDelayAnotherKeysCloudJob() throws Exception {
        TinyVideoBackend slowLocal = new TinyVideoBackend("local", true, 100);
        TinyVideoBackend cloud = new TinyVideoBackend("route:ok", false, 0);
        try (Core core = new Core(dir)) {
            BackendRouter router = m -> m.id().equals(HUNG_MODEL) ? slowLocal : cloud;
            List<String> backlog = new ArrayList<>();
            for (int i = 0; i < 30; i++) backlog.add(core.jobs.submit("key_a", "openai", request(HUNG_MODEL), null).id());
            Job cloudJob = core.jobs.submit("key_b", "openai", request(OK_MODEL), null);
            core.db.jdbi().useHandle(h -> {
                h.createUpdate("UPDATE jobs SET lane = 'local', route = 'local' WHERE model = :m").bind("m", HUNG_MODEL).execute();
                h.createUpdate("UPDATE jobs SET lane = 'cloud', route = 'route:ok' WHERE model = :m").bind("m", OK_MODEL).execute();
            });
            try (WorkerPool pool = core.pool(router, settings(1, 1))) {
                pool.start(true);
                Job done = await(core, cloudJob.id(), j -> j.status().isFinal(), Duration.ofSeconds(30));
                assertThat(done.status()).isEqualTo(JobStatus.COMPLETED);
                long localFinished = backlog.stream().map(id -> core.store.find(id).orElseThrow().job())
                        .filter(j -> j.status().isFinal()).count();
                assertThat(localFinished).as("local jobs of key_a finished before key_b's cloud job did").isLessThanOrEqualTo(1);
            }
        }
    }
}
