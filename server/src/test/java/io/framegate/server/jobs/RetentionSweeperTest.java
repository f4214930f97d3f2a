package io.framegate.server.jobs;

import io.framegate.server.FramegateServer;
import io.framegate.server.config.RetentionConfig;
import io.framegate.server.storage.ResultStore;
import io.framegate.server.storage.StoredObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** One job whose files cannot be deleted does not stop the sweep for the jobs after it (review L3). */
class RetentionSweeperTest {
    @TempDir
    Path dir;

    /** The local store, except that deleting anything of {@code stuck} fails. */
    private record Stubborn(ResultStore inner, String stuck) implements ResultStore {
        @Override
        public void put(String jobId, String name, byte[] bytes) throws IOException {
            inner.put(jobId, name, bytes);
        }

        @Override
        public void put(String jobId, String name, java.io.InputStream in) throws IOException {
            inner.put(jobId, name, in);
        }

        @Override
        public void put(String jobId, String name, Path file) throws IOException {
            inner.put(jobId, name, file);
        }

        @Override
        public Optional<StoredObject> open(String jobId, String name) throws IOException {
            return inner.open(jobId, name);
        }

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
            RetentionSweeper sweeper = new RetentionSweeper(core.db.jdbi(), new Stubborn(core.results, stuck),
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
}
