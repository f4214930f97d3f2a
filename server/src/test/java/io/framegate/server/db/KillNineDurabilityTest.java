package io.framegate.server.db;

import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * "An acknowledged write survives kill -9" at the database layer: a child JVM opens the embedded H2 file exactly as
 * the server does ({@link Database#embedded}) and, like a busy server, commits job-shaped transactions (insert, UPDATE
 * of one hot counter row, ledger insert: the shape of {@code JobStore.insert}) on one thread, printing each id once
 * its commit returned, while other threads commit small progress UPDATEs and note inserts and two more burn CPU. The
 * test SIGKILLs it after a random 100-1500 ms, reopens the file and looks for every printed id.
 * <p>
 * Also a benchmark: {@code -Dkill9.kills=200} runs more kills and prints the loss rate.
 */
class KillNineDurabilityTest {
    static final int KILLS = Integer.getInteger("kill9.kills", 0);

    @TempDir
    Path dir;

    static void createTables(Jdbi jdbi) {
        jdbi.useHandle(h -> {
            h.execute("CREATE TABLE stress_jobs (id VARCHAR(64) PRIMARY KEY, payload VARCHAR(2000))");
            h.execute("CREATE TABLE stress_counter (id INT PRIMARY KEY, n BIGINT)");
            h.execute("CREATE TABLE stress_ledger (id IDENTITY PRIMARY KEY, job_id VARCHAR(64), micros BIGINT)");
            h.execute("CREATE TABLE stress_progress (id INT PRIMARY KEY, p BIGINT, notes VARCHAR(500))");
            h.execute("CREATE TABLE stress_notes (id IDENTITY PRIMARY KEY, worker INT, note VARCHAR(200))");
            h.execute("INSERT INTO stress_counter VALUES (1, 0)");
            for (int i = 0; i < 3; i++) h.execute("INSERT INTO stress_progress VALUES (?, 0, '')", i);
        });
    }

    @Test
    @EnabledIfSystemProperty(named = "kill9.kills", matches = "\\d+")
    void everyCommittedTransactionPrintedBeforeAKillIsInTheFileAfterIt() throws Exception {
        try (Database db = Database.embedded(dir)) {
            createTables(db.jdbi());
        }
        long acknowledged = 0;
        int stuck = 0;
        List<String> lost = new ArrayList<>();
        for (int kill = 0; kill < KILLS; kill++) {
            Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx256m", "-cp", System.getProperty("java.class.path"), Child.class.getName(),
                    dir.toString(), String.valueOf(kill))
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            Set<String> printed = new HashSet<>();
            try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                // a child that is not ready in a minute is killed and counted (seen once: a start spinning on a row lock)
                Thread watchdog = Thread.ofVirtual().start(() -> {
                    try { Thread.sleep(60_000); child.toHandle().destroyForcibly(); } catch (InterruptedException done) { }
                });
                String first = out.readLine();
                watchdog.interrupt();
                if (!"READY".equals(first)) { stuck++; child.toHandle().destroyForcibly(); child.waitFor(); continue; }
                Thread.sleep(ThreadLocalRandom.current().nextInt(100, 1501));
                child.toHandle().destroyForcibly(); // SIGKILL; Process.destroyForcibly would also close our end of the pipe
                child.waitFor(30, TimeUnit.SECONDS);
                for (String line; (line = out.readLine()) != null; ) printed.add(line);
            }
            try (Database db = Database.embedded(dir)) {
                Set<String> stored = new HashSet<>(db.jdbi().withHandle(h ->
                        h.createQuery("SELECT id FROM stress_jobs").mapTo(String.class).list()));
                for (String id : printed) if (!stored.contains(id)) lost.add(id);
            }
            acknowledged += printed.size();
        }
        System.out.printf("kill9 durability: %d kills (%d children never ready), %d acknowledged, %d lost %s%n",
                KILLS, stuck, acknowledged, lost.size(), lost);
        assertThat(acknowledged).as("the child acknowledged something").isPositive();
        assertThat(lost).as("acknowledged ids missing after kill -9 (of %d)", acknowledged).isEmpty();
    }

    /** The process that is killed: args {@code <dataDir> <run>}. */
    public static final class Child {
        public static void main(String[] args) throws Exception {
            Database db = Database.embedded(Path.of(args[0]));
            Jdbi jdbi = db.jdbi();
            String run = args[1];
            for (int t = 0; t < 2; t++) {
                Thread burn = new Thread(() -> { long x = 0; while (true) x += System.nanoTime() % 7; });
                burn.setDaemon(true);
                burn.start();
            }
            for (int w = 0; w < 3; w++) {
                int worker = w;
                Thread progress = new Thread(() -> {
                    long i = 0;
                    while (true) {
                        long n = ++i;
                        jdbi.useHandle(h -> {
                            h.execute("UPDATE stress_progress SET p = ?, notes = ? WHERE id = ?", n, "step " + n, worker);
                            if (n % 3 == 0) h.execute("INSERT INTO stress_notes (worker, note) VALUES (?, ?)", worker, "n" + n);
                        });
                    }
                });
                progress.setDaemon(true);
                progress.start();
            }
            System.out.println("READY");
            System.out.flush();
            AtomicLong seq = new AtomicLong();
            String payload = "x".repeat(600);
            while (true) {
                String id = "r" + run + "-" + seq.incrementAndGet();
                jdbi.useTransaction(h -> insertJob(h, id, payload));
                System.out.println(id);
                System.out.flush();
            }
        }

        static void insertJob(Handle h, String id, String payload) {
            h.execute("INSERT INTO stress_ledger (job_id, micros) VALUES (?, ?)", id, 1000);
            h.execute("UPDATE stress_counter SET n = n + 1 WHERE id = 1");
            h.execute("INSERT INTO stress_jobs (id, payload) VALUES (?, ?)", id, payload);
        }
    }
}
