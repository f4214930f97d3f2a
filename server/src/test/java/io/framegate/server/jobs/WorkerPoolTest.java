package io.framegate.server.jobs;

import io.framegate.domain.GenerationRequest;
import io.framegate.domain.ImageRole;
import io.framegate.domain.JobStatus;
import io.framegate.server.TestImages;
import io.framegate.server.TinyVideoBackend;
import io.framegate.engine.VideoFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.Color;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;

class WorkerPoolTest {
    @TempDir
    Path dir;

    static GenerationRequest request(int frames) {
        return GenerationRequest.builder().model("framegate-local").prompt("bar").size("64x48").numFrames(frames).fps(12)
                .image(ImageRole.FIRST_FRAME, TestImages.png(64, 48, Color.GREEN), "image/png", "first.png").build();
    }

    static Job await(Core core, String id, Predicate<Job> until) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        Job job = null;
        while (System.nanoTime() < deadline) {
            job = core.store.find(id).map(JobStore.Row::job).orElse(null);
            if (job != null && until.test(job)) return job;
            Thread.sleep(50);
        }
        throw new AssertionError("job " + id + " never reached the expected state; last: " + job);
    }

    @Test
    void runsJobToCompletionAndStoresEveryVariant() throws Exception {
        TinyVideoBackend backend = new TinyVideoBackend("local", true, 0);
        try (Core core = new Core(dir); WorkerPool pool = core.pool(backend, Core.fast())) {
            pool.start(true);
            Job job = core.jobs.submit("key_a", "openai", request(6), null);
            Job done = await(core, job.id(), j -> j.status().isFinal());
            assertThat(done.status()).isEqualTo(JobStatus.COMPLETED);
            assertThat(done.progress()).isEqualTo(100);
            assertThat(done.startedAt()).isNotNull();
            assertThat(done.completedAt()).isAfterOrEqualTo(done.startedAt());
            assertThat(done.backend()).isEqualTo("local");
            assertThat(done.notes()).containsEntry("backend", "local").containsEntry("local_render", "true")
                    .containsEntry("cost_usd", "0.0000").containsEntry("test_backend", "local");

            Path video = dir.resolve("check.mp4");
            Files.write(video, core.jobs.openContent("key_a", job.id(), ContentVariant.VIDEO, 0).orElseThrow()
                    .object().readAllBytes());
            VideoFiles.Info info = VideoFiles.probe(video);
            assertThat(info.width()).isEqualTo(64);
            assertThat(info.height()).isEqualTo(48);
            assertThat(info.frames()).isEqualTo(6);
            byte[] thumb = core.jobs.openContent("key_a", job.id(), ContentVariant.THUMBNAIL, 0).orElseThrow()
                    .object().readAllBytes();
            assertThat(new String(Arrays.copyOfRange(thumb, 0, 4))).isEqualTo("RIFF");
            assertThat(new String(Arrays.copyOfRange(thumb, 8, 12))).isEqualTo("WEBP");
            byte[] sprite = core.jobs.openContent("key_a", job.id(), ContentVariant.SPRITESHEET, 0).orElseThrow()
                    .object().readAllBytes();
            assertThat(sprite[0] & 0xff).isEqualTo(0xFF);
            assertThat(sprite[1] & 0xff).isEqualTo(0xD8);
            assertThat(dir.resolve("work").resolve(job.id())).doesNotExist();
        }
    }

    @Test
    void generationErrorFailsTheJobWithItsCode() throws Exception {
        TinyVideoBackend backend = new TinyVideoBackend("local", true, 0);
        backend.failWith("content_filtered");
        try (Core core = new Core(dir); WorkerPool pool = core.pool(backend, Core.fast())) {
            pool.start(true);
            Job job = core.jobs.submit("key_a", "openai", request(4), null);
            Job done = await(core, job.id(), j -> j.status().isFinal());
            assertThat(done.status()).isEqualTo(JobStatus.FAILED);
            assertThat(done.errorCode()).isEqualTo("content_filtered");
            assertThat(done.errorMessage()).contains("told to fail");
        }
    }

    @Test
    void shutdownReleasesRunningJobAndNextStartFinishesIt() throws Exception {
        String id;
        TinyVideoBackend slow = new TinyVideoBackend("local", true, 150);
        try (Core core = new Core(dir); WorkerPool pool = core.pool(slow, Core.fast())) {
            pool.start(true);
            id = core.jobs.submit("key_a", "openai", request(40), null).id();
            Job running = await(core, id, j -> j.status() == JobStatus.IN_PROGRESS && j.progress() > 0);
            assertThat(running.progress()).isBetween(1, 99);
            pool.close();
            JobStore.Row row = core.store.find(id).orElseThrow();
            assertThat(row.job().status()).isEqualTo(JobStatus.IN_PROGRESS);
            assertThat(row.leaseOwner()).isNull();
            assertThat(row.job().errorCode()).isNull();
        }
        TinyVideoBackend fast = new TinyVideoBackend("local", true, 0);
        try (Core core = new Core(dir); WorkerPool pool = core.pool(fast, Core.fast())) {
            pool.start(true);
            Job done = await(core, id, j -> j.status().isFinal());
            assertThat(done.status()).isEqualTo(JobStatus.COMPLETED);
            assertThat(core.store.find(id).orElseThrow().attempts()).as("a graceful release gives the attempt back")
                    .isEqualTo(1);
            assertThat(fast.attempts(id)).isEqualTo(1);
            assertThat(core.jobs.openContent("key_a", id, ContentVariant.VIDEO, 0)).isPresent();
        }
    }

    @Test
    void twoPoolsOnOneDatabaseRunEachJobOnce() throws Exception {
        TinyVideoBackend cloudA = new TinyVideoBackend("cloud-a", false, 5);
        TinyVideoBackend cloudB = new TinyVideoBackend("cloud-b", false, 5);
        try (Core core = new Core(dir); WorkerPool a = core.pool(cloudA, Core.fast());
             WorkerPool b = core.pool(cloudB, Core.fast())) {
            a.start(false);
            b.start(false);
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 8; i++) ids.add(core.jobs.submit("key_a", "gemini", request(3), null).id());
            for (String id : ids) {
                assertThat(await(core, id, j -> j.status().isFinal()).status()).isEqualTo(JobStatus.COMPLETED);
                assertThat(cloudA.attempts(id) + cloudB.attempts(id)).as("runs of " + id).isEqualTo(1);
            }
            assertThat(cloudA.totalAttempts() + cloudB.totalAttempts()).isEqualTo(8);
        }
    }

    @Test
    void expiredLeaseOfADeadWorkerIsTakenOver() throws Exception {
        TinyVideoBackend backend = new TinyVideoBackend("local", true, 0);
        try (Core core = new Core(dir)) {
            Job job = core.jobs.submit("key_a", "openai", request(3), null);
            long now = System.currentTimeMillis();
            assertThat(core.store.leases().claim(job.id(), "dead-process", now, now + 60_000)).isTrue();
            assertThat(core.store.leases().claim(job.id(), "another", now, now + 60_000)).as("a held lease is exclusive").isFalse();
            // the dead process's lease runs out (moved into the past instead of waiting for it, so load cannot flip it)
            core.db.jdbi().useHandle(h -> h.createUpdate("UPDATE jobs SET lease_expires_at = lease_expires_at - 120000 "
                    + "WHERE id = :id").bind("id", job.id()).execute());
            try (WorkerPool pool = core.pool(backend, Core.fast())) {
                pool.start(false);
                Job done = await(core, job.id(), j -> j.status().isFinal());
                assertThat(done.status()).isEqualTo(JobStatus.COMPLETED);
                assertThat(core.store.find(job.id()).orElseThrow().attempts()).isEqualTo(2);
            }
        }
    }

    /**
     * docs/admin.md, What holds across instances: the embedded H2 file is one process's, so its start releases every
     * lease at once (a job the killed process held resumes now, not when its 10-minute lease would run out); on a
     * shared database the same lease is left to expire, since its holder may be another instance alive.
     */
    @Test
    void anEmbeddedDatabasesStartReleasesADeadProcesssLeaseAtOnceAndASharedOneLeavesItToExpire() throws Exception {
        TinyVideoBackend backend = new TinyVideoBackend("local", true, 0);
        try (Core core = new Core(dir)) {
            Job job = core.jobs.submit("key_a", "openai", request(3), null);
            long now = System.currentTimeMillis();
            assertThat(core.store.leases().claim(job.id(), "killed-process", now, now + 600_000)).isTrue();
            try (WorkerPool shared = core.pool(backend, Core.fast())) {
                shared.start(false);
                Thread.sleep(1500); // many dispatch rounds of Core.fast()
                assertThat(core.store.find(job.id()).orElseThrow().leaseOwner()).isEqualTo("killed-process");
                assertThat(backend.attempts(job.id())).as("not taken while its lease lasts").isZero();
            }
            try (WorkerPool pool = core.pool(backend, Core.fast())) {
                long t0 = System.nanoTime();
                pool.start(true);
                Job done = await(core, job.id(), j -> j.status().isFinal());
                assertThat(done.status()).isEqualTo(JobStatus.COMPLETED);
                assertThat(Duration.ofNanos(System.nanoTime() - t0)).as("at once, not after the lease").isLessThan(Duration.ofSeconds(60));
                assertThat(backend.attempts(job.id())).isEqualTo(1);
            }
        }
    }

    @Test
    void cancellingARunningJobStopsIt() throws Exception {
        TinyVideoBackend slow = new TinyVideoBackend("local", true, 100);
        try (Core core = new Core(dir); WorkerPool pool = core.pool(slow, Core.fast())) {
            pool.start(true);
            Job job = core.jobs.submit("key_a", "openai", request(200), null);
            await(core, job.id(), j -> j.progress() > 0);
            core.jobs.cancel("key_a", job.id());
            Job done = await(core, job.id(), j -> j.status().isFinal());
            assertThat(done.status()).isEqualTo(JobStatus.CANCELLED);
            assertThat(done.progress()).isLessThan(100);
        }
    }

    @Test
    void deletingARunningJobLeavesNoFiles() throws Exception {
        TinyVideoBackend slow = new TinyVideoBackend("local", true, 100);
        try (Core core = new Core(dir); WorkerPool pool = core.pool(slow, Core.fast())) {
            pool.start(true);
            Job job = core.jobs.submit("key_a", "openai", request(200), null);
            await(core, job.id(), j -> j.progress() > 0);
            assertThat(core.jobs.delete("key_a", job.id())).isTrue();
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (pool.runningCount() > 0 && System.nanoTime() < deadline) Thread.sleep(50);
            assertThat(pool.runningCount()).isZero();
            assertThat(core.store.find(job.id())).isEmpty();
            assertThat(core.results.root().resolve(job.id())).doesNotExist();
            assertThat(dir.resolve("work").resolve(job.id())).doesNotExist();
        }
    }
}
