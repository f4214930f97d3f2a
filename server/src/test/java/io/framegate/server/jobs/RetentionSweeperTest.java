package io.framegate.server.jobs;

import io.framegate.server.FramegateServer;
import io.framegate.server.config.RetentionConfig;
import io.framegate.server.storage.ResultStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.framegate.server.PgTestDatabase;
import io.framegate.server.db.Database;
import io.framegate.server.webhooks.Outbox;
import org.jdbi.v3.core.Jdbi;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The sweeper of expired results: one job whose files cannot be deleted does not stop the sweep for the jobs after it
 * (review L3); several sweepers on one database sweep each job once; a sweep killed before it marks a job only
 * repeats the delete next time (docs/config.md, Limits and retention: "deletes first and marks the job row after").
 */
class RetentionSweeperTest {
    @TempDir
    Path dir;

    /** The local store, except that deleting anything of {@code stuck} fails. */
    private static ResultStore stubborn(ResultStore local, String stuck) {
        return new ForwardingResultStore(local) {
            @Override
            public void delete(String jobId, String name) throws IOException {
                if (jobId.equals(stuck)) throw new IOException("permission denied");
                inner.delete(jobId, name);
            }

            @Override
            public void deleteAll(String jobId) throws IOException {
                if (jobId.equals(stuck)) throw new IOException("permission denied");
                inner.deleteAll(jobId);
            }
        };
    }

    @Test
    void aJobWhoseFilesCannotBeDeletedIsSkippedAndTheOthersAreSwept() throws Exception {
        try (Core core = new Core(dir)) {
            List<String> ids = List.of(
                    core.jobs.submit("key_a", "openai", JobServiceTest.localRequest("one"), null).id(),
                    core.jobs.submit("key_a", "openai", JobServiceTest.localRequest("two"), null).id(),
                    core.jobs.submit("key_a", "openai", JobServiceTest.localRequest("three"), null).id());
            // all ended long ago and expired; the first in sweep order cannot be deleted
            for (int i = 0; i < ids.size(); i++) {
                int order = i;
                core.db.jdbi().useHandle(h -> h.createUpdate("UPDATE jobs SET status = 'COMPLETED', completed_at = :t, "
                        + "expires_at = :t WHERE id = :id").bind("t", 1_000L + order).bind("id", ids.get(order)).execute());
            }
            String stuck = ids.get(0);
            RetentionSweeper sweeper = new RetentionSweeper(core.db.jdbi(), stubborn(core.results, stuck),
                    FramegateServer.newJsonMapper(), RetentionConfig.DEFAULTS, Clock.systemUTC(), null,
                    dir.resolve("work"), dir.resolve("uploads"));

            RetentionSweeper.Report report = sweeper.sweepOnce();

            assertThat(report.expiredJobs()).isEqualTo(2);
            assertThat(core.results.open(stuck, "input-0")).isPresent();
            for (String id : ids.subList(1, 3)) {
                assertThat(core.results.open(id, "input-0")).as(id).isEmpty();
            }
            List<String> unswept = core.db.jdbi().withHandle(h -> h.createQuery("SELECT id FROM jobs WHERE "
                    + "results_deleted_at IS NULL").mapTo(String.class).list());
            assertThat(unswept).containsExactly(stuck);
        }
    }

    /**
     * The orphan sweep removes a job's directory, or a directory in it, that it found empty with its stale
     * {@code .put-*.tmp} gone; a put may rename a file into it right then. The sweep removes only an empty
     * directory, never what landed there: both directories stay, with the file.
     */
    @Test
    void aFileLandingInADirectoryTheSweepFoundEmptyIsKept() throws Exception {
        try (Core core = new Core(dir)) {
            Path files = dir.resolve("files");
            String id = core.jobs.submit("key_a", "openai", JobServiceTest.localRequest("one"), null).id();
            core.results.delete(id, "input-0"); // the job's directory goes with its last file
            Path jobDir = files.resolve(id);
            Path sub = jobDir.resolve("0");
            java.nio.file.Files.createDirectories(sub);
            Path staleTop = java.nio.file.Files.writeString(jobDir.resolve(".put-1.tmp"), "x");
            Path staleSub = java.nio.file.Files.writeString(sub.resolve(".put-2.tmp"), "x");
            java.nio.file.attribute.FileTime old = java.nio.file.attribute.FileTime.from(Instant.parse("2020-01-01T00:00:00Z"));
            for (Path p : List.of(staleSub, staleTop, sub, jobDir)) java.nio.file.Files.setLastModifiedTime(p, old);
            List<Path> hooked = Collections.synchronizedList(new ArrayList<>());
            RetentionSweeper sweeper = new RetentionSweeper(core.db.jdbi(), core.results, FramegateServer.newJsonMapper(),
                    RetentionConfig.DEFAULTS, Clock.systemUTC(), files, dir.resolve("work"), dir.resolve("uploads"));
            sweeper.beforeRemovingDirectory(d -> {
                hooked.add(d);
                try {
                    // a put's rename lands a file there just before the removal
                    java.nio.file.Files.writeString(d.resolve(d.equals(sub) ? "video.mp4" : "input-0"), "stored");
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });

            sweeper.sweepOnce();

            assertThat(hooked).as("the sweep came to remove both").contains(sub, jobDir);
            assertThat(staleTop).doesNotExist();
            assertThat(staleSub).doesNotExist();
            assertThat(sub.resolve("video.mp4")).as("the file put into the subdirectory").hasContent("stored");
            assertThat(jobDir.resolve("input-0")).as("the file put into the job's directory").hasContent("stored");
        }
    }

    /** The files every test job has: its input image (stored by the create) and a result with its preview. */
    private static final List<String> FILES = List.of("input-0", "0/video.mp4", "0/thumbnail.webp");

    /** What a sweeper's {@code deleteAll} does instead of just deleting: waits, dies midway... */
    @FunctionalInterface
    private interface DeleteAll {
        void run(String jobId, ResultStore inner) throws IOException;
    }

    /** The local store with {@link DeleteAll} in place of its own {@code deleteAll}. */
    private static ResultStore hooked(ResultStore local, DeleteAll deleteAll) {
        return new ForwardingResultStore(local) {
            @Override
            public void deleteAll(String jobId) throws IOException {
                deleteAll.run(jobId, inner);
            }
        };
    }

    /**
     * Expired jobs of {@code key_a} with every file of {@link #FILES}, expiring in the order given, and a webhook
     * endpoint of that key for {@code video.expired}.
     */
    private static List<String> expiredJobsWithFiles(Core core, int n) throws IOException {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String id = core.jobs.submit("key_a", "openai", JobServiceTest.localRequest("job " + i), null).id();
            core.results.put(id, "0/video.mp4", new byte[] {1, 2, 3});
            core.results.put(id, "0/thumbnail.webp", new byte[] {4, 5});
            int order = i;
            core.db.jdbi().useHandle(h -> h.createUpdate("UPDATE jobs SET status = 'COMPLETED', completed_at = :t, "
                    + "expires_at = :t WHERE id = :id").bind("t", 1_000L + order).bind("id", id).execute());
            ids.add(id);
        }
        core.db.jdbi().useHandle(h -> h.createUpdate("INSERT INTO webhook_endpoints (id, key_id, url, secret, events, "
                + "created_at) VALUES ('we_sweep', 'key_a', 'http://127.0.0.1:9/hook', 'whsec_test', 'video.expired', 0)").execute());
        return ids;
    }

    private static RetentionSweeper sweeper(Core core, ResultStore store, long nowMillis) {
        RetentionSweeper s = new RetentionSweeper(core.db.jdbi(), store, FramegateServer.newJsonMapper(), RetentionConfig.DEFAULTS,
                Clock.fixed(Instant.ofEpochMilli(nowMillis), ZoneOffset.UTC), null, core.dir.resolve("work"), core.dir.resolve("uploads"));
        s.outbox(Outbox.enabled());
        return s;
    }

    private static List<String> filesLeft(Core core, String id) throws IOException {
        List<String> left = new ArrayList<>();
        for (String f : FILES) if (core.results.open(id, f).isPresent()) left.add(f);
        return left;
    }

    private static Long resultsDeletedAt(Jdbi jdbi, String id) {
        return jdbi.withHandle(h -> h.createQuery("SELECT results_deleted_at FROM jobs WHERE id = :id").bind("id", id)
                .mapTo(Long.class).findOne().orElse(null));
    }

    /** The {@code video.expired} deliveries written for the job: their {@code created_at}, one per write. */
    private static List<Long> expiredEvents(Jdbi jdbi, String id) {
        return jdbi.withHandle(h -> h.createQuery("SELECT created_at FROM webhook_deliveries WHERE job_id = :id AND "
                + "event_type = 'video.expired'").bind("id", id).mapTo(Long.class).list());
    }

    /**
     * docs/config.md, Limits and retention: several processes sharing one database may sweep at the same time. Sweeper
     * B lists the expired jobs, then each of its deletes waits until sweeper A has deleted and marked that job: B finds
     * nothing left to delete and no error, A's mark stays (B's later one changes nothing) and the job's
     * {@code video.expired} event is written once.
     */
    private static void twoSweepersSweepEachJobOnce(Core a, Core b) throws Exception {
        List<String> ids = expiredJobsWithFiles(a, 3);
        long tA = 1_000_000L;
        long tB = 2_000_000L;
        CountDownLatch bListed = new CountDownLatch(1);
        List<String> foundByB = Collections.synchronizedList(new ArrayList<>());
        RetentionSweeper first = sweeper(a, hooked(a.results, (id, inner) -> {
            await(bListed);
            inner.deleteAll(id);
        }), tA);
        RetentionSweeper second = sweeper(b, hooked(b.results, (id, inner) -> {
            bListed.countDown();
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (resultsDeletedAt(b.db.jdbi(), id) == null) {
                if (System.nanoTime() > until) throw new IllegalStateException("sweeper A never marked " + id);
                sleep(10);
            }
            foundByB.addAll(filesLeft(b, id).stream().map(f -> id + "/" + f).toList());
            inner.deleteAll(id);
        }), tB);
        ExecutorService two = Executors.newFixedThreadPool(2);
        try {
            Future<RetentionSweeper.Report> ra = two.submit(first::sweepOnce);
            Future<RetentionSweeper.Report> rb = two.submit(second::sweepOnce);
            assertThat(ra.get(60, TimeUnit.SECONDS).expiredJobs()).as("sweeper A swept every job without an error").isEqualTo(3);
            assertThat(rb.get(60, TimeUnit.SECONDS).expiredJobs()).as("sweeper B too: nothing was left and that is fine").isEqualTo(3);
        } finally {
            two.shutdownNow();
        }
        assertThat(foundByB).as("every file was deleted once, by A").isEmpty();
        for (String id : ids) {
            assertThat(filesLeft(a, id)).as(id).isEmpty();
            assertThat(resultsDeletedAt(a.db.jdbi(), id)).as("%s marked once, by A", id).isEqualTo(tA);
            assertThat(expiredEvents(a.db.jdbi(), id)).as("%s: one video.expired, from A's mark", id).containsExactly(tA);
        }
    }

    @Test
    void twoSweepersOnOneDatabaseDeleteMarkAndAnnounceEachExpiredJobOnce() throws Exception {
        try (Core core = new Core(dir)) {
            twoSweepersSweepEachJobOnce(core, core);
        }
    }

    /** The same with two instances, each with its own connection pool, on one PostgreSQL and one files directory. */
    @Test
    void twoInstancesSweepingOnePostgresqlDeleteMarkAndAnnounceEachExpiredJobOnce() throws Exception {
        String url = PgTestDatabase.fresh();
        try (Core a = new Core(dir, Database.open(url, null, null)); Core b = new Core(dir, Database.open(url, null, null))) {
            twoSweepersSweepEachJobOnce(a, b);
        }
    }

    /**
     * docs/config.md, Limits and retention: the sweeper deletes first and marks the job row after, so a crash mid-sweep
     * only repeats a delete. One sweep dies midway through deleting the first job's files, the next right after
     * deleting them and before marking; neither left a mark or an event, and the third deletes what is left, marks
     * each job and announces it once.
     */
    @Test
    void aSweepKilledBeforeItMarksAJobOnlyRepeatsTheDeleteNextTime() throws Exception {
        try (Core core = new Core(dir)) {
            List<String> ids = expiredJobsWithFiles(core, 2);
            String j1 = ids.get(0);
            Jdbi jdbi = core.db.jdbi();

            RetentionSweeper killedMidDelete = sweeper(core, hooked(core.results, (id, inner) -> {
                inner.delete(id, "0/video.mp4");
                throw new Error("killed while deleting");
            }), 10_000_000L);
            assertThatThrownBy(killedMidDelete::sweepOnce).hasMessage("killed while deleting");
            assertThat(filesLeft(core, j1)).containsExactly("input-0", "0/thumbnail.webp");
            assertThat(resultsDeletedAt(jdbi, j1)).as("not marked while files are left").isNull();
            assertThat(expiredEvents(jdbi, j1)).isEmpty();

            RetentionSweeper killedBeforeMarking = sweeper(core, hooked(core.results, (id, inner) -> {
                inner.deleteAll(id);
                throw new Error("killed after deleting");
            }), 20_000_000L);
            assertThatThrownBy(killedBeforeMarking::sweepOnce).hasMessage("killed after deleting");
            assertThat(filesLeft(core, j1)).isEmpty();
            assertThat(resultsDeletedAt(jdbi, j1)).isNull();
            assertThat(expiredEvents(jdbi, j1)).isEmpty();

            RetentionSweeper.Report report = sweeper(core, core.results, 30_000_000L).sweepOnce();

            assertThat(report.expiredJobs()).isEqualTo(2);
            for (String id : ids) {
                assertThat(filesLeft(core, id)).as(id).isEmpty();
                assertThat(resultsDeletedAt(jdbi, id)).as(id).isEqualTo(30_000_000L);
                assertThat(expiredEvents(jdbi, id)).as(id).containsExactly(30_000_000L);
            }
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            if (!latch.await(30, TimeUnit.SECONDS)) throw new IllegalStateException("sweeper B never listed the jobs");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
