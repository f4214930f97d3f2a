package io.framegate.server.jobs;

import io.framegate.domain.GenerationBackend;
import io.framegate.domain.GenerationContext;
import io.framegate.domain.JobStatus;
import io.framegate.domain.RenderPlan;
import io.framegate.server.PgTestDatabase;
import io.framegate.server.TinyVideoBackend;
import io.framegate.server.db.Database;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 10 item 1 on a real PostgreSQL ({@link PgTestDatabase}): two "instances" in one JVM (each its own connection
 * pool, store and worker pool) share one database, as two processes behind a load balancer would.
 */
class PostgresJobsTest {
    @TempDir
    Path dir;

    /** One instance: its own connection pool, store and workers; files in the directory every instance shares. */
    private Core instance(String name, String url) {
        return new Core(dir, Database.open(url, null, null));
    }

    @Test
    void theFlywayHistoryRunsOnPostgresql() throws Exception {
        String url = PgTestDatabase.fresh();
        try (Database db = Database.open(url, null, null)) {
            List<String> versions = db.jdbi().withHandle(h -> h.createQuery(
                    "SELECT version FROM flyway_schema_history WHERE success ORDER BY installed_rank").mapTo(String.class).list());
            assertThat(versions).containsExactly("1", "1.9", "2", "3", "4", "5", "5.1", "6", "7", "8", "9");
            // the shared signing secret of video_url links is made once and read back by every instance
            byte[] secret = io.framegate.server.links.ServerSecrets.getOrCreate(db.jdbi(), "content_url_hmac", 0);
            assertThat(io.framegate.server.links.ServerSecrets.getOrCreate(db.jdbi(), "content_url_hmac", 1)).isEqualTo(secret);
            int accounts = db.jdbi().withHandle(h -> h.createQuery("SELECT COUNT(*) FROM accounts WHERE id = 'acct_default'")
                    .mapTo(Integer.class).one());
            assertThat(accounts).isEqualTo(1);
        }
        // a second open (another instance starting) finds the history complete and changes nothing
        try (Database again = Database.open(url, null, null)) {
            int history = again.jdbi().withHandle(h -> h.createQuery("SELECT COUNT(*) FROM flyway_schema_history")
                    .mapTo(Integer.class).one());
            assertThat(history).isEqualTo(11);
            assertThat(again.isExclusive()).isFalse();
        }
    }

    @Test
    void twoInstancesClaimDuePollsOfWaitingJobsEachExactlyOnce() throws Exception {
        String url = PgTestDatabase.fresh();
        try (Core a = instance("a", url); Core b = instance("b", url)) {
            java.util.Set<String> ids = new java.util.HashSet<>();
            for (int i = 0; i < 40; i++) ids.add(a.jobs.submit("key_a", "openai", WorkerPoolTest.request(3), null).id());
            // as the core leaves a submitted cloud job: in progress, no lease, its poll due
            a.db.jdbi().useHandle(h -> h.createUpdate("UPDATE jobs SET status = 'IN_PROGRESS', next_poll_at = 0").execute());
            WaitQueue qa = new WaitQueue(a.store.jdbi());
            WaitQueue qb = new WaitQueue(b.store.jdbi());
            java.util.concurrent.ConcurrentLinkedQueue<String> claimed = new java.util.concurrent.ConcurrentLinkedQueue<>();
            Thread ta = Thread.ofPlatform().start(() -> { for (int i = 0; i < 10; i++) qa.claimDue("a", 30_000, 3).forEach(c -> claimed.add(c.id())); });
            Thread tb = Thread.ofPlatform().start(() -> { for (int i = 0; i < 10; i++) qb.claimDue("b", 30_000, 3).forEach(c -> claimed.add(c.id())); });
            ta.join();
            tb.join();
            assertThat(claimed).as("no poll claimed twice").doesNotHaveDuplicates();
            assertThat(new java.util.HashSet<>(claimed)).isEqualTo(ids);
            assertThat(qa.claimDue("a", 30_000, 100)).as("every claim holds a live lease").isEmpty();
        }
    }

    @Test
    void twoInstancesClaimFiftyQueuedJobsEachExactlyOnce() throws Exception {
        String url = PgTestDatabase.fresh();
        TinyVideoBackend ranOnA = new TinyVideoBackend("cloud-a", false, 2);
        TinyVideoBackend ranOnB = new TinyVideoBackend("cloud-b", false, 2);
        try (Core a = instance("a", url); Core b = instance("b", url)) {
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 50; i++) ids.add(a.jobs.submit("key_" + (i % 5), "openai", WorkerPoolTest.request(4), null).id());
            WorkerSettings settings = Core.fast().withSlots(1, 4);
            try (WorkerPool pa = a.pool(ranOnA, settings); WorkerPool pb = b.pool(ranOnB, settings)) {
                pa.start(false);
                pb.start(false);
                for (String id : ids) WorkerPoolTest.await(a, id, j -> j.status().isFinal());
            }
            for (String id : ids) {
                JobStore.Row row = a.store.find(id).orElseThrow();
                assertThat(row.job().status()).as(id).isEqualTo(JobStatus.COMPLETED);
                assertThat(ranOnA.attempts(id) + ranOnB.attempts(id)).as("runs of %s", id).isEqualTo(1);
                assertThat(row.attempts()).as("claims of %s", id).isEqualTo(1);
            }
            System.out.printf("postgresql claim: 50 jobs, instance a ran %d, instance b ran %d%n",
                    ranOnA.totalAttempts(), ranOnB.totalAttempts());
            assertThat(ranOnA.totalAttempts() + ranOnB.totalAttempts()).isEqualTo(50);
        }
    }

    /** A backend that holds its attempt until released, then tries to write over the job. */
    static final class Gate implements GenerationBackend {
        final CountDownLatch started = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        volatile GenerationContext ctx;
        volatile boolean cancelledWhenReleased;

        @Override
        public String id() {
            return "gate";
        }

        @Override
        public boolean isLocal() {
            return false;
        }

        @Override
        public void generate(RenderPlan plan, GenerationContext ctx) throws Exception {
            this.ctx = ctx;
            started.countDown();
            release.await(60, TimeUnit.SECONDS);
            cancelledWhenReleased = ctx.isCancelled();
            ctx.progress().onProgress("render", 90, 100);
            ctx.note("stale_attempt", "wrote");
            try {
                ctx.saveCheckpoint("{\"submitted\":true}");
            } catch (IllegalStateException expected) {
                // the fenced checkpoint refuses: this is where an upstream submit would have been stopped
            }
            Files.write(ctx.output(0).video(), new byte[]{1, 2, 3});
        }
    }

    @Test
    void anAttemptWhoseLeaseWasTakenOverStopsAndCannotWriteOverTheJob() throws Exception {
        String url = PgTestDatabase.fresh();
        Gate gate = new Gate();
        try (Core a = instance("a", url); Core b = instance("b", url)) {
            Job job = a.jobs.submit("key_a", "openai", WorkerPoolTest.request(4), null);
            try (WorkerPool pa = a.pool(gate, Core.fast())) {
                pa.start(false);
                assertThat(gate.started.await(60, TimeUnit.SECONDS)).isTrue();
                Lease stale = new Lease(pa.leaseOwner(), a.store.find(job.id()).orElseThrow().leaseEpoch());
                assertThat(stale.epoch()).isEqualTo(1);
                // instance a is paused past its lease: the lease runs out, instance b takes the job
                a.db.jdbi().useHandle(h -> h.createUpdate("UPDATE jobs SET lease_expires_at = 0 WHERE id = :id")
                        .bind("id", job.id()).execute());
                long epoch = b.store.leases().claimLease(job.id(), "instance-b", 30_000, System.currentTimeMillis());
                assertThat(epoch).isEqualTo(2);

                // every write of the stale attempt is fenced out, directly at the store too
                assertThat(a.store.checkpoints().updateProgress(job.id(), stale, 50)).isFalse();
                assertThat(a.store.checkpoints().saveNotes(job.id(), stale, "gate", Map.of("x", "y"))).isFalse();
                assertThat(a.store.checkpoints().saveCheckpoint(job.id(), stale, "{}")).isFalse();
                assertThat(a.store.endings().finish(job.id(), stale, JobStatus.COMPLETED, null, null, Map.of(), System.currentTimeMillis()))
                        .isFalse();
                assertThat(a.store.leases().retryLater(job.id(), stale, 0, System.currentTimeMillis())).isFalse();

                // instance a resumes: its next heartbeat finds the job under another epoch and stops the attempt
                assertThat(gate.ctx.isCancelled()).as("not told before its heartbeat").isFalse();
                pa.renewLeases();
                assertThat(gate.ctx.isCancelled()).isTrue();
                gate.release.countDown();
                awaitIdle(pa);
            }
            assertThat(gate.cancelledWhenReleased).isTrue();
            JobStore.Row row = b.store.find(job.id()).orElseThrow();
            assertThat(row.job().status()).isEqualTo(JobStatus.IN_PROGRESS);
            assertThat(row.leaseOwner()).isEqualTo("instance-b");
            assertThat(row.leaseEpoch()).isEqualTo(2);
            assertThat(row.job().progress()).isZero();
            assertThat(row.job().notes()).doesNotContainKey("stale_attempt");
            assertThat(row.checkpoint()).isNull();
            assertThat(a.results.open(job.id(), ContentVariant.VIDEO.storedName(0))).isEmpty();
        }
    }

    @Test
    void anAttemptStopsWhenItsLeaseRunsOutWithoutASuccessfulRenewal() throws Exception {
        String url = PgTestDatabase.fresh();
        Gate gate = new Gate();
        try (Core a = instance("a", url)) {
            Job job = a.jobs.submit("key_a", "openai", WorkerPoolTest.request(4), null);
            WorkerSettings shortLease = new WorkerSettings(1, 4, Duration.ofMillis(900), Duration.ofMillis(100),
                    Duration.ofSeconds(1));
            WorkerPool pa = a.pool(gate, shortLease);
            try {
                pa.start(false);
                assertThat(gate.started.await(60, TimeUnit.SECONDS)).isTrue();
                assertThat(gate.ctx.isCancelled()).isFalse();
                a.db.close(); // the database becomes unreachable: every renewal fails from now on
                long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
                while (!gate.ctx.isCancelled() && System.nanoTime() < deadline) Thread.sleep(50);
                assertThat(gate.ctx.isCancelled()).as("stopped once the lease ran out unrenewed").isTrue();
                gate.release.countDown();
                awaitIdle(pa);
            } finally {
                gate.release.countDown();
                pa.close();
            }
        }
    }

    @Test
    void leasesFollowTheDatabaseClockWhateverTheInstancesClocksSay() throws Exception {
        String url = PgTestDatabase.fresh();
        TinyVideoBackend backend = new TinyVideoBackend("cloud", false, 0);
        Clock behind = Clock.offset(Clock.systemUTC(), Duration.ofHours(-2));
        Clock ahead = Clock.offset(Clock.systemUTC(), Duration.ofHours(2));
        try (Core a = instance("a", url); Core b = instance("b", url)) {
            // a dead instance's lease of 300 ms: an instance whose clock is 2 h behind still takes it over
            Job orphan = a.jobs.submit("key_a", "openai", WorkerPoolTest.request(4), null);
            assertThat(a.store.leases().claimLease(orphan.id(), "dead-instance", 300, System.currentTimeMillis())).isEqualTo(1);
            try (WorkerPool late = b.pool(m -> backend, Core.fast(), behind)) {
                late.start(false);
                Job done = WorkerPoolTest.await(b, orphan.id(), j -> j.status().isFinal());
                assertThat(done.status()).isEqualTo(JobStatus.COMPLETED);
            }
            // a live lease of 30 s: an instance whose clock is 2 h ahead does not take it
            Job held = a.jobs.submit("key_a", "openai", WorkerPoolTest.request(4), null);
            Job other = a.jobs.submit("key_b", "openai", WorkerPoolTest.request(4), null);
            assertThat(a.store.leases().claimLease(held.id(), "live-instance", 30_000, System.currentTimeMillis())).isEqualTo(1);
            try (WorkerPool early = b.pool(m -> backend, Core.fast(), ahead)) {
                early.start(false);
                // it does run the other queued job, so it did look at the queue meanwhile
                assertThat(WorkerPoolTest.await(b, other.id(), j -> j.status().isFinal()).status()).isEqualTo(JobStatus.COMPLETED);
                Thread.sleep(500);
            }
            JobStore.Row row = a.store.find(held.id()).orElseThrow();
            assertThat(row.leaseOwner()).isEqualTo("live-instance");
            assertThat(row.leaseEpoch()).isEqualTo(1);
            assertThat(backend.attempts(held.id())).isZero();
        }
    }

    private static void awaitIdle(WorkerPool pool) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (pool.runningCount() > 0 && System.nanoTime() < deadline) Thread.sleep(20);
        assertThat(pool.runningCount()).isZero();
    }
}
