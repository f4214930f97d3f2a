package io.framegate.server.jobs;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.framegate.server.config.RetentionConfig;
import io.framegate.server.storage.ResultStore;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Deletes what {@code retention} no longer keeps: the files of jobs past {@code expires_at}, the inputs of jobs that
 * ended more than {@code inputs_grace} ago, and scratch files no job owns. Job rows stay (expired content is a 410).
 * Every step deletes first and marks the row after, with idempotent deletes and conditional marks, so several
 * processes may sweep the same database and files at once.
 */
public final class RetentionSweeper implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RetentionSweeper.class);
    private static final String ENDED = "status IN ('COMPLETED', 'FAILED', 'CANCELLED')";
    private static final int BATCH = 200;

    private final Jdbi jdbi;
    private final ResultStore results;
    private final ObjectMapper json;
    private final RetentionConfig retention;
    private final Clock clock;
    private final Path filesRoot;
    private final Path workRoot;
    private final Path uploadsDir;
    private volatile ScheduledExecutorService timer;

    /** What one sweep deleted. */
    private volatile io.framegate.server.webhooks.Outbox outbox = io.framegate.server.webhooks.Outbox.NONE;

    /** Where an expiry also writes its {@code video.expired} webhook deliveries (same transaction). */
    public void outbox(io.framegate.server.webhooks.Outbox o) {
        this.outbox = o;
    }

    /** Runs just before the sweep removes a directory it takes for empty: a test's stand-in for a put landing then. */
    private volatile java.util.function.Consumer<Path> beforeRemovingDirectory = d -> { };

    void beforeRemovingDirectory(java.util.function.Consumer<Path> hook) {
        this.beforeRemovingDirectory = hook;
    }

    public record Report(int expiredJobs, int inputsDeleted, int orphansDeleted) {
    }

    /**
     * @param filesRoot  where a local result store keeps {@code <jobId>/...} (null for a store elsewhere, such as S3: its
     *                   orphans are found through {@link ResultStore#storedJobIds})
     * @param workRoot   the workers' scratch directories {@code <jobId>/}
     * @param uploadsDir the HTTP server's multipart spill directory
     */
    public RetentionSweeper(Jdbi jdbi, ResultStore results, ObjectMapper json, RetentionConfig retention, Clock clock,
                            Path filesRoot, Path workRoot, Path uploadsDir) {
        this.jdbi = jdbi;
        this.results = results;
        this.json = json;
        this.retention = retention;
        this.clock = clock;
        this.filesRoot = filesRoot;
        this.workRoot = workRoot;
        this.uploadsDir = uploadsDir;
    }

    /** Sweeps every {@code retention.sweep_interval}, the first time shortly after start. */
    public synchronized void start() {
        if (timer != null) return;
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "framegate-retention-sweeper");
            t.setDaemon(true);
            return t;
        });
        long every = retention.sweepInterval().toMillis();
        timer.scheduleWithFixedDelay(() -> {
            try {
                sweepOnce();
            } catch (RuntimeException e) {
                LOG.warn("retention sweep failed; trying again in {} ms", every, e);
            }
        }, Math.min(every, 60_000), every, TimeUnit.MILLISECONDS);
    }

    /** One pass over expired results, ended jobs' inputs and orphaned scratch files. */
    public synchronized Report sweepOnce() {
        long now = clock.millis();
        int expired = deleteExpiredResults(now);
        int inputs = deleteEndedInputs(now);
        int orphans = deleteOrphans(now);
        if (expired + inputs + orphans > 0) {
            LOG.info("retention: deleted the results of {} expired job(s), the inputs of {} ended job(s), {} orphaned "
                    + "scratch file(s) or directories", expired, inputs, orphans);
        }
        return new Report(expired, inputs, orphans);
    }

    private int deleteExpiredResults(long now) {
        int done = 0;
        int skipped = 0; // rows that stay unswept this time: the next batch starts past them
        while (true) {
            int skip = skipped;
            List<String> ids = jdbi.withHandle(h -> h.createQuery("SELECT id FROM jobs WHERE expires_at <= :now AND "
                            + "results_deleted_at IS NULL AND " + ENDED + " ORDER BY expires_at, id LIMIT :n OFFSET :skip")
                    .bind("now", now).bind("n", BATCH).bind("skip", skip).mapTo(String.class).list());
            for (String id : ids) {
                try {
                    results.deleteAll(id);
                } catch (IOException | RuntimeException e) {
                    // one stuck job must not hold back the others: skip it, try again next sweep
                    LOG.warn("cannot delete the files of expired job {}; skipping it until the next sweep", id, e);
                    skipped++;
                    continue;
                }
                jdbi.useTransaction(h -> {
                    if (h.createUpdate("UPDATE jobs SET results_deleted_at = :now, inputs_deleted_at = "
                                    + "COALESCE(inputs_deleted_at, :now) WHERE id = :id AND results_deleted_at IS NULL")
                            .bind("now", now).bind("id", id).execute() == 1) outbox.jobExpired(h, id, now);
                });
                done++;
            }
            if (ids.size() < BATCH) return done;
        }
    }

    private int deleteEndedInputs(long now) {
        long endedBefore = now - retention.inputsGrace().toMillis();
        int done = 0;
        int skipped = 0;
        while (true) {
            int skip = skipped;
            List<String[]> rows = jdbi.withHandle(h -> h.createQuery("SELECT id, request_json FROM jobs WHERE " + ENDED
                            + " AND completed_at <= :before AND inputs_deleted_at IS NULL ORDER BY completed_at, id LIMIT :n OFFSET :skip")
                    .bind("before", endedBefore).bind("n", BATCH).bind("skip", skip)
                    .map((rs, ctx) -> new String[] {rs.getString(1), rs.getString(2)}).list());
            for (String[] row : rows) {
                String id = row[0];
                try {
                    for (String name : inputFiles(id, row[1])) results.delete(id, name);
                } catch (IOException | RuntimeException e) {
                    LOG.warn("cannot delete the inputs of job {}; skipping it until the next sweep", id, e);
                    skipped++;
                    continue;
                }
                jdbi.useHandle(h -> h.createUpdate("UPDATE jobs SET inputs_deleted_at = :now WHERE id = :id AND "
                        + "inputs_deleted_at IS NULL").bind("now", now).bind("id", id).execute());
                done++;
            }
            if (rows.size() < BATCH) return done;
        }
    }

    /** The stored input images named in the request, their upstream copies, and an extension's copy of its source video. */
    private List<String> inputFiles(String id, String requestJson) {
        List<String> names = new ArrayList<>();
        names.add(JobService.EXTENSION_SOURCE);
        try {
            StoredRequest stored = json.readValue(requestJson, StoredRequest.class);
            if (stored.images() != null) stored.images().forEach(i -> names.add(i.file()));
            int sent = stored.images() == null ? 0 : stored.images().size();
            for (int i = 0; i < sent; i++) {
                names.add(ResultFrame.sourceFileName(i));
                // the same image as fitted for a URL-only upstream (links.InputLinks)
                names.add(io.framegate.provider.InputUrls.name(i));
            }
        } catch (IOException e) {
            LOG.warn("job {} has an unreadable stored request; deleting no input images of it", id);
        }
        return names;
    }

    /**
     * Scratch directories of jobs that no longer run, result directories without a job (a crash between storing the
     * inputs and the row), half-written {@code .put-*.tmp} files, and abandoned uploads; each only once older than
     * {@code retention.orphan_age}, so nothing being written right now is touched.
     */
    private int deleteOrphans(long now) {
        Instant oldBefore = Instant.ofEpochMilli(now).minus(retention.orphanAge());
        int done = 0;
        List<Path> workDirs = oldChildren(workRoot, oldBefore, true);
        Set<String> running = existing(names(workDirs), "status = 'IN_PROGRESS' OR status = 'QUEUED'");
        for (Path d : workDirs) {
            if (!running.contains(d.getFileName().toString()) && deleteTree(d)) done++;
        }
        if (filesRoot != null) {
            List<Path> jobDirs = children(filesRoot, true);
            Set<String> known = existing(names(jobDirs), null);
            for (Path d : jobDirs) {
                if (!known.contains(d.getFileName().toString())) {
                    if (isOlder(d, oldBefore) && deleteTree(d)) done++;
                    continue;
                }
                boolean untouched = isOlder(d, oldBefore); // nothing added or removed there lately
                try (Stream<Path> walk = Files.walk(d, 3)) {
                    for (Path p : walk.filter(p -> p.getFileName().toString().startsWith(".put-")).toList()) {
                        if (!isOlder(p, oldBefore)) continue;
                        // as for the job's directory: its own directory goes only if untouched lately (judged before
                        // this delete touches it)
                        boolean parentUntouched = !p.getParent().equals(d) && isOlder(p.getParent(), oldBefore);
                        if (!Files.deleteIfExists(p)) continue;
                        done++;
                        if (parentUntouched) removeIfEmpty(p.getParent());
                    }
                } catch (IOException e) {
                    // the directory went away meanwhile; nothing to clean there
                }
                // emptied just now, or left empty by an earlier version: a job directory exists only while it holds files
                if (untouched) removeIfEmpty(d);
            }
        }
        if (filesRoot == null) done += deleteStoredOrphans(oldBefore);
        for (Path f : oldChildren(uploadsDir, oldBefore, false)) {
            if (deleteTree(f)) done++;
        }
        return done;
    }

    /**
     * A store that is not a directory here (S3): the files of job ids without a row (a crash between storing a job's
     * inputs and inserting it), once their newest file is older than {@code orphan_age}.
     */
    private int deleteStoredOrphans(Instant oldBefore) {
        int done = 0;
        try {
            List<String> ids = results.storedJobIds();
            Set<String> known = existing(ids, null);
            for (String id : ids) {
                if (known.contains(id)) continue;
                if (results.lastWritten(id).map(t -> t.isBefore(oldBefore)).orElse(false)) {
                    results.deleteAll(id);
                    done++;
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.warn("cannot sweep orphaned stored files; trying again next sweep", e);
        }
        return done;
    }

    /** Which of these job ids have a row (matching {@code condition}, if given). */
    private Set<String> existing(List<String> ids, String condition) {
        Set<String> out = new HashSet<>();
        for (int i = 0; i < ids.size(); i += BATCH) {
            List<String> chunk = ids.subList(i, Math.min(ids.size(), i + BATCH));
            out.addAll(jdbi.withHandle(h -> h.createQuery("SELECT id FROM jobs WHERE id IN (<ids>)"
                            + (condition == null ? "" : " AND (" + condition + ")"))
                    .bindList("ids", chunk).mapTo(String.class).list()));
        }
        return out;
    }

    private static List<String> names(List<Path> paths) {
        return paths.stream().map(p -> p.getFileName().toString()).toList();
    }

    private static List<Path> oldChildren(Path dir, Instant oldBefore, boolean directories) {
        return children(dir, directories).stream().filter(p -> isOlder(p, oldBefore)).toList();
    }

    private static List<Path> children(Path dir, boolean directories) {
        if (dir == null || !Files.isDirectory(dir)) return List.of();
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> !directories || Files.isDirectory(p)).toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    private static boolean isOlder(Path p, Instant oldBefore) {
        try {
            return Files.getLastModifiedTime(p).toInstant().isBefore(oldBefore);
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Removes {@code dir} if it is empty, never what is in it: a put may rename a file into it at any moment, and a
     * check for emptiness followed by a recursive delete would take that file too. As
     * {@code LocalResultStore.removeEmptyDirectories} does, the delete itself is the check.
     */
    private void removeIfEmpty(Path dir) {
        beforeRemovingDirectory.accept(dir);
        try {
            Files.deleteIfExists(dir);
        } catch (DirectoryNotEmptyException stillUsed) {
            // a file is there (or just landed): the directory stays
        } catch (IOException e) {
            LOG.debug("cannot remove the empty directory {}; trying again next sweep", dir, e);
        }
    }

    private static boolean deleteTree(Path root) {
        return FileTrees.delete(root);
    }

    /** Stops the schedule (without waiting for a sweep in progress: every step is safe to interrupt). */
    @Override
    public void close() {
        ScheduledExecutorService t = timer;
        if (t != null) t.shutdownNow();
    }
}
