package io.framegate.server.db;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** Every commit to an H2 file is in the file before it returns (the process-death half of issue 8 item 1). */
class DatabaseTest {
    @TempDir
    Path dir;

    static java.util.List<String> writeDelay(Database db) {
        return db.jdbi().withHandle(h -> h.createQuery("SELECT SETTING_VALUE FROM INFORMATION_SCHEMA.SETTINGS "
                + "WHERE SETTING_NAME = 'WRITE_DELAY'").mapTo(String.class).list());
    }

    @Test
    void theEmbeddedDatabaseAndExplicitH2FilesWriteEachCommitAtOnce() {
        try (Database db = Database.embedded(dir)) {
            assertThat(writeDelay(db)).isNotEmpty().containsOnly("0");
        }
        try (Database db = Database.open("jdbc:h2:file:" + dir.resolve("other").toAbsolutePath(), "sa", "")) {
            assertThat(writeDelay(db)).isNotEmpty().containsOnly("0");
        }
    }

    @Test
    void anExplicitWriteDelayAndOtherDatabasesAreLeftAlone() {
        assertThat(Database.durable("jdbc:h2:file:/x/y;WRITE_DELAY=100")).isEqualTo("jdbc:h2:file:/x/y;WRITE_DELAY=100");
        assertThat(Database.durable("jdbc:postgresql://db/framegate")).isEqualTo("jdbc:postgresql://db/framegate");
        assertThat(Database.durable("jdbc:h2:file:/x/y;MODE=PostgreSQL")).isEqualTo("jdbc:h2:file:/x/y;MODE=PostgreSQL;WRITE_DELAY=0");
    }
}
