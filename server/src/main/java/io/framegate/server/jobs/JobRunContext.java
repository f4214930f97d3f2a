package io.framegate.server.jobs;

import io.framegate.domain.GenerationContext;
import io.framegate.domain.OutputFiles;
import io.framegate.domain.ProgressListener;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The {@link GenerationContext} of one attempt at a job: progress goes to the job row (throttled, never backwards),
 * checkpoints are stored at once, notes with the next checkpoint or progress write or at the end of the step
 * ({@link #flushNotes}: a cloud submit notes six things, each was a write and a commit of its own), and cancellation is read from the row (at most every
 * {@link #CANCEL_CHECK_MILLIS}) or set by shutdown. Every write is fenced by the attempt's {@link Lease}; once the
 * lease is lost (the heartbeat found it taken or could not renew it in time, or a fenced write changed nothing) the
 * context reports cancelled and writes nothing more.
 */
final class JobRunContext implements GenerationContext {
    static final long CANCEL_CHECK_MILLIS = 300;
    private static final long PROGRESS_WRITE_MILLIS = 250;

    private final String jobId;
    private final HeldLease held;
    private final Lease lease;
    private final JobStore store;
    private final Path workDir;
    private final Clock clock;
    private final AtomicBoolean shuttingDown;
    private final Map<String, String> notes;
    private final String checkpoint;
    private final ProgressListener progress = this::onProgress;

    private int progressShown;
    private int progressWritten;
    private long progressWrittenAt;
    private volatile boolean cancelSeen;
    private volatile boolean deleted;
    private volatile long cancelCheckedAt;
    private volatile String backendId;
    /** Notes taken since the last write of the row's notes. */
    private boolean notesDirty;

    JobRunContext(String jobId, HeldLease held, JobStore store, Path workDir, Clock clock, AtomicBoolean shuttingDown,
                  Map<String, String> notes, String checkpoint, int progress) {
        this.jobId = jobId;
        this.held = held;
        this.lease = held.lease();
        this.store = store;
        this.workDir = workDir;
        this.clock = clock;
        this.shuttingDown = shuttingDown;
        this.notes = new TreeMap<>(notes);
        this.checkpoint = checkpoint;
        this.progressShown = progress;
        this.progressWritten = progress;
    }

    @Override
    public String jobId() {
        return jobId;
    }

    @Override
    public OutputFiles output(int index) {
        if (index < 0) throw new IllegalArgumentException("video index must be >= 0: " + index);
        Path dir = workDir.resolve(String.valueOf(index));
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return OutputFiles.in(dir);
    }

    @Override
    public ProgressListener progress() {
        return progress;
    }

    private synchronized void onProgress(String stage, long done, long total) {
        if (total <= 0) return;
        int pct = percent(stage, done, total);
        if (pct <= progressShown) return;
        progressShown = pct;
        long now = clock.millis();
        if (now - progressWrittenAt >= PROGRESS_WRITE_MILLIS || pct - progressWritten >= 10) {
            if (!held.isLost()) store.checkpoints().updateProgress(jobId, lease, pct);
            flushNotes();
            progressWritten = pct;
            progressWrittenAt = now;
        }
    }

    /**
     * Overall percentage from one stage's progress. The offline engine's stages get their share of the work
     * (decode 0-2, motion 2-5, frames 5-95, previews 95-99); any other stage spans 0-99. 100 is written only when
     * the job is completed and its files are stored.
     */
    static int percent(String stage, long done, long total) {
        double f = Math.max(0, Math.min(1, (double) done / total));
        double pct = switch (stage == null ? "" : stage) {
            case "decode" -> 2 * f;
            case "motion" -> 2 + 3 * f;
            case "frames" -> 5 + 90 * f;
            case "previews" -> 95 + 4 * f;
            default -> 99 * f;
        };
        return (int) Math.min(99, Math.floor(pct));
    }

    /** Writes the last progress that throttling held back. */
    synchronized void flushProgress() {
        if (progressShown > progressWritten && !held.isLost()) {
            store.checkpoints().updateProgress(jobId, lease, progressShown);
            progressWritten = progressShown;
        }
        flushNotes();
    }

    @Override
    public Optional<String> checkpoint() {
        return Optional.ofNullable(checkpoint);
    }

    @Override
    public synchronized void saveCheckpoint(String state) {
        // checked right before backends submit upstream: without a live lease, no paid call; the notes taken so far
        // are written by the same statement
        boolean saved = !held.isLost() && (notesDirty ? store.checkpoints().saveCheckpoint(jobId, lease, state, backendId, notes)
                : store.checkpoints().saveCheckpoint(jobId, lease, state));
        if (saved) notesDirty = false;
        if (!saved) {
            held.lose();
            throw new IllegalStateException("job " + jobId + " is no longer held by this worker; checkpoint not saved");
        }
    }

    @Override
    public boolean isHandleTaken(String handle) {
        return store.checkpoints().isUpstreamHandleHeld(jobId, handle);
    }

    @Override
    public synchronized void note(String key, String value) {
        if (key == null || key.isBlank()) throw new IllegalArgumentException("a note needs a key");
        if (java.util.Objects.equals(notes.get(key), value)) return; // already stored: no write
        if (value == null) notes.remove(key);
        else notes.put(key, value);
        notesDirty = true;
    }

    /** Records the backend serving this attempt (also as notes). */
    synchronized void backend(String id, boolean local) {
        backendId = id;
        notes.put(JobNotes.BACKEND, id);
        notes.put(JobNotes.LOCAL_RENDER, String.valueOf(local));
        notesDirty = true;
    }

    /**
     * Writes the notes taken since the last write (and the backend), if any: called at the end of a step, before the
     * job is parked, made ready or ended, and with progress writes. A write that changes nothing lost the lease.
     */
    synchronized void flushNotes() {
        if (!notesDirty || held.isLost()) return;
        if (!store.checkpoints().saveNotes(jobId, lease, backendId, notes)) held.lose(); // taken over (or deleted): stop
        notesDirty = false;
    }

    /** Whether this attempt lost its lease: it must stop and write nothing more. */
    boolean leaseLost() {
        return held.isLost();
    }

    Lease lease() {
        return lease;
    }

    synchronized Map<String, String> notes() {
        return new TreeMap<>(notes);
    }

    @Override
    public boolean isCancelled() {
        if (shuttingDown.get() || held.isLost()) return true;
        return cancelledByClient();
    }

    /** Whether the client cancelled or deleted the job (checks the row at most every few hundred ms). */
    boolean cancelledByClient() {
        if (cancelSeen || deleted) return true;
        long now = clock.millis();
        if (now - cancelCheckedAt >= CANCEL_CHECK_MILLIS) {
            cancelCheckedAt = now;
            Optional<Boolean> requested;
            try {
                requested = store.cancelRequested(jobId);
            } catch (RuntimeException e) {
                // database unreachable: not a cancellation; if it lasts, the lost lease stops the attempt
                return false;
            }
            if (requested.isEmpty()) deleted = true;
            else if (requested.get()) cancelSeen = true;
        }
        return cancelSeen || deleted;
    }

    /** Whether the job row is gone (checked freshly). */
    boolean isDeleted() {
        cancelCheckedAt = 0;
        cancelledByClient();
        return deleted;
    }

    @Override
    public boolean isShuttingDown() {
        return shuttingDown.get();
    }
}
