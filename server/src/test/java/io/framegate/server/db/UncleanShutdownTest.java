package io.framegate.server.db;

import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 8 item 1 at the file level: a commit that returned is in the database after the process is killed. The OS
 * keeps every byte H2 wrote when the JVM dies, so a copy of the file taken right after a commit returned is exactly
 * what {@code kill -9} leaves; these tests open such copies the way the server does ({@link Database#embedded}).
 */
class UncleanShutdownTest {
    @TempDir
    Path dir;

    static void commit(Jdbi jdbi, int id) {
        jdbi.useTransaction(h -> {
            h.execute("INSERT INTO acknowledged (id) VALUES (?)", id);
            h.execute("UPDATE hot SET n = n + 1 WHERE id = 1");
        });
    }

    static boolean has(Database db, int id) {
        return db.jdbi().withHandle(h -> h.createQuery("SELECT COUNT(*) FROM acknowledged WHERE id = :id")
                .bind("id", id).mapTo(Integer.class).one()) == 1;
    }

    /** The file as a process killed now would leave it, in a data directory of its own. */
    Path killedNow(Path live, String name) throws Exception {
        Path copy = Files.createDirectories(dir.resolve(name));
        Files.copy(live.resolve("framegate.mv.db"), copy.resolve("framegate.mv.db"));
        return copy;
    }

    /**
     * The case KillNineTest met under load: once old chunks of the file are past H2's retention time, the next commit
     * goes into their space, and H2 (2.5.252) then writes a store header naming the chunk before it; its quick
     * recovery opened that older chunk and lost every later commit.
     */
    @Test
    void commitsWrittenIntoReusedSpaceOfTheFileSurviveAKill() throws Exception {
        Path live = dir.resolve("live");
        List<Path> killed = new ArrayList<>();
        int first = 30;
        int last = 35;
        try (Database db = Database.embedded(live)) {
            Jdbi jdbi = db.jdbi();
            jdbi.useHandle(h -> {
                // chunks unused for over a second may be overwritten (45 s by default): the same reuse, sooner
                h.execute("SET RETENTION_TIME 1000");
                h.execute("CREATE TABLE acknowledged (id INT PRIMARY KEY)");
                h.execute("CREATE TABLE hot (id INT PRIMARY KEY, n BIGINT)");
                h.execute("INSERT INTO hot VALUES (1, 0)");
            });
            for (int i = 0; i < first; i++) commit(jdbi, i); // one chunk each, which the next one makes garbage
            Thread.sleep(2500); // past the retention time: the early chunks' space is free to reuse
            for (int i = first; i <= last; i++) {
                commit(jdbi, i);
                killed.add(killedNow(live, "killed-after-" + i));
            }
        }
        for (int i = first; i <= last; i++) {
            try (Database db = Database.embedded(killed.get(i - first))) {
                for (int id = 0; id <= i; id++) {
                    assertThat(has(db, id)).as("commit %d, process killed after commit %d", id, i).isTrue();
                }
            }
        }
    }

    @Test
    void aConfiguredH2FileUrlIsRecoveredTooAtTheFileH2Opens() {
        String home = System.getProperty("user.home");
        assertThat(Database.h2File("jdbc:h2:file:/x/y;MODE=PostgreSQL", "sa", "")).contains(Path.of("/x/y.mv.db"));
        assertThat(Database.h2File("jdbc:h2:/x/y", "sa", "")).contains(Path.of("/x/y.mv.db"));
        assertThat(Database.h2File("jdbc:h2:~/db", "sa", "")).contains(Path.of(home, "db.mv.db"));
        assertThat(Database.h2File("jdbc:h2:file:relative/db", "sa", "")).as("refused by H2 itself").isEmpty();
    }

    @Test
    void aCleanlyClosedOrMissingFileIsLeftAlone() throws Exception {
        Path data = dir.resolve("clean");
        assertThat(UncleanShutdown.recover(data.resolve("framegate.mv.db"))).isEmpty();
        try (Database db = Database.embedded(data)) {
            db.jdbi().useHandle(h -> h.execute("CREATE TABLE acknowledged (id INT PRIMARY KEY)"));
        }
        long modified = Files.getLastModifiedTime(data.resolve("framegate.mv.db")).toMillis();
        byte[] before = Files.readAllBytes(data.resolve("framegate.mv.db"));
        assertThat(UncleanShutdown.recover(data.resolve("framegate.mv.db"))).isEmpty();
        assertThat(Files.readAllBytes(data.resolve("framegate.mv.db"))).isEqualTo(before);
        assertThat(Files.getLastModifiedTime(data.resolve("framegate.mv.db")).toMillis()).isEqualTo(modified);
    }

    @Test
    void aFileThatAnotherDatabaseHoldsIsNotTouched() {
        Path data = dir.resolve("held");
        try (Database db = Database.embedded(data)) {
            db.jdbi().useHandle(h -> h.execute("CREATE TABLE acknowledged (id INT PRIMARY KEY)"));
            // open (so not cleanly closed) and locked by this process's H2: recovery must not open it behind H2's back
            assertThat(UncleanShutdown.recover(data.resolve("framegate.mv.db"))).isEmpty();
            int rows = db.jdbi().withHandle(h -> h.createQuery("SELECT COUNT(*) FROM acknowledged").mapTo(Integer.class).one());
            assertThat(rows).isZero();
        }
    }
}
