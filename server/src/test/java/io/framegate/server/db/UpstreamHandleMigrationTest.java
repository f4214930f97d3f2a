package io.framegate.server.db;

import io.framegate.provider.Checkpoint;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Jobs written before V5 get their {@code upstream_handle} from their checkpoint (else their {@code upstream_id}
 * note) when the database is upgraded, so that the indexed check of taken upstream jobs still sees them.
 */
class UpstreamHandleMigrationTest {
    @TempDir
    Path dir;

    @Test
    void jobsFromBeforeTheColumnGetTheirHandleFromCheckpointOrNotes() throws Exception {
        String url = "jdbc:h2:file:" + dir.resolve("old");
        Flyway.configure().dataSource(url, "sa", "").locations("classpath:db/migration").target("5").load().migrate();
        String cp = Checkpoint.submitting("openai", "agg", "sora-2", Instant.EPOCH, "k").submitted("video_cp", Instant.EPOCH).toJson();
        try (Connection c = DriverManager.getConnection(url, "sa", ""); Statement s = c.createStatement()) {
            insert(s, "a", "'" + cp + "'", "{}");
            insert(s, "b", "NULL", "{\"upstream_id\":\"video_note\"}");
            insert(s, "c", "NULL", "{\"backend\":\"local\"}");
        }
        Flyway.configure().dataSource(url, "sa", "").locations("classpath:db/migration").load().migrate();
        Map<String, String> handles = new HashMap<>();
        try (Connection c = DriverManager.getConnection(url, "sa", ""); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT id, upstream_handle FROM jobs")) {
            while (rs.next()) handles.put(rs.getString(1), rs.getString(2));
        }
        assertThat(handles).containsEntry("a", "video_cp").containsEntry("b", "video_note").containsEntry("c", null);
    }

    private static void insert(Statement s, String id, String checkpoint, String notes) throws Exception {
        s.executeUpdate("INSERT INTO jobs (id, owner_key_id, surface, model, status, progress, number_of_videos, "
                + "request_json, request_hash, attributes_json, notes_json, checkpoint, attempts, cancel_requested, "
                + "created_at, updated_at) VALUES ('" + id + "', 'k', 'openai', 'sora-2', 'IN_PROGRESS', 0, 1, '{}', 'h', "
                + "'{}', '" + notes + "', " + checkpoint + ", 1, FALSE, 0, 0)");
    }
}
