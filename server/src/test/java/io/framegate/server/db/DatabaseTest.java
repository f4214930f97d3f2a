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
            assertThat(db.isExclusive()).isTrue();
        }
    }

    @Test
    void h2UrlsWithoutTheFilePrefixAreFileDatabasesToo() {
        // jdbc:h2:/abs and jdbc:h2:./rel open files exactly like jdbc:h2:file:
        try (Database db = Database.open("jdbc:h2:" + dir.resolve("plain").toAbsolutePath(), "sa", "")) {
            assertThat(writeDelay(db)).isNotEmpty().containsOnly("0");
            assertThat(db.isExclusive()).isTrue();
        }
        assertThat(Database.durable("jdbc:h2:./rel/db")).isEqualTo("jdbc:h2:./rel/db;WRITE_DELAY=0");
        assertThat(Database.durable("jdbc:h2:~/db")).isEqualTo("jdbc:h2:~/db;WRITE_DELAY=0");
        assertThat(Database.durable("jdbc:h2:C:/data/db")).isEqualTo("jdbc:h2:C:/data/db;WRITE_DELAY=0");
        for (String other : new String[] {"jdbc:h2:mem:x", "jdbc:h2:tcp://host/db", "jdbc:h2:ssl://host/db",
                "jdbc:h2:zip:/x.zip!/db", "jdbc:H2:MEM:x", "jdbc:postgresql://db/x"}) {
            assertThat(Database.durable(other)).as(other).isEqualTo(other);
        }
        try (Database db = Database.open("jdbc:h2:mem:shared;DB_CLOSE_DELAY=-1", "sa", "")) {
            assertThat(db.isExclusive()).isFalse();
        }
    }

    @Test
    void anExplicitWriteDelayAndOtherDatabasesAreLeftAlone() {
        assertThat(Database.durable("jdbc:h2:file:/x/y;WRITE_DELAY=100")).isEqualTo("jdbc:h2:file:/x/y;WRITE_DELAY=100");
        assertThat(Database.durable("jdbc:postgresql://db/framegate")).isEqualTo("jdbc:postgresql://db/framegate");
        assertThat(Database.durable("jdbc:h2:file:/x/y;MODE=PostgreSQL")).isEqualTo("jdbc:h2:file:/x/y;MODE=PostgreSQL;WRITE_DELAY=0");
        // parsed statements are cached per connection beyond H2's 8 (one create runs more distinct statements)
        assertThat(Database.parsedStatementCache("jdbc:h2:file:/x/y;WRITE_DELAY=0"))
                .isEqualTo("jdbc:h2:file:/x/y;WRITE_DELAY=0;QUERY_CACHE_SIZE=64");
        assertThat(Database.parsedStatementCache("jdbc:h2:mem:t;query_cache_size=8")).isEqualTo("jdbc:h2:mem:t;query_cache_size=8");
        assertThat(Database.parsedStatementCache("jdbc:postgresql://db/framegate")).isEqualTo("jdbc:postgresql://db/framegate");
    }
}
