package io.framegate.server.jobs;

import org.jdbi.v3.core.Jdbi;

import java.util.Map;

import static io.framegate.server.jobs.JobStore.DB_NOW;
import static io.framegate.server.jobs.JobStore.HELD;

/**
 * What a running attempt writes on its job row while it holds the lease: progress, checkpoint and notes. Each write is
 * fenced on the lease owner and epoch, so an attempt that lost its lease changes nothing.
 */
final class JobCheckpoints {
    private final Jdbi jdbi;
    private final JobStore store;

    JobCheckpoints(Jdbi jdbi, JobStore store) {
        this.jdbi = jdbi;
        this.store = store;
    }

    boolean updateProgress(String id, Lease lease, int progress) {
        return jdbi.withHandle(h -> h.createUpdate("UPDATE jobs SET progress = :p, updated_at = :now WHERE id = :id "
                        + "AND " + HELD + " AND progress < :p")
                .bind("p", progress).bind("now", System.currentTimeMillis()).bind("id", id).bind("owner", lease.owner())
                .bind("epoch", lease.epoch()).execute()) == 1;
    }

    /**
     * Stores a checkpoint only while the lease is held AND unexpired by the database clock: backends write one right
     * before an upstream submit, so a failed write here is what keeps an attempt without its lease from paying.
     */
    boolean saveCheckpoint(String id, Lease lease, String state) {
        return saveCheckpoint(id, lease, state, null, null);
    }

    /**
     * As above, and in the same statement the attempt's notes and backend ({@link #saveNotes}) when {@code notes} is
     * not null; the checkpoint's handle (or none) is the job's {@code upstream_handle}, as when the notes were written
     * first.
     */
    boolean saveCheckpoint(String id, Lease lease, String state, String backend, Map<String, String> notes) {
        io.framegate.provider.Checkpoint cp = io.framegate.provider.Checkpoint.parse(state);
        String withNotes = notes == null ? "" : "notes_json = :notes, backend = COALESCE(:backend, backend), ";
        return jdbi.withHandle(h -> {
            org.jdbi.v3.core.statement.Update u = h.createUpdate("UPDATE jobs SET " + withNotes + "checkpoint = :state, "
                            + "upstream_handle = :handle, updated_at = :now WHERE id = :id "
                            + "AND " + HELD + " AND status = 'IN_PROGRESS' AND lease_expires_at >= " + DB_NOW)
                    .bind("state", state).bind("handle", cp == null ? null : cp.handle())
                    .bind("now", System.currentTimeMillis()).bind("id", id).bind("owner", lease.owner())
                    .bind("epoch", lease.epoch());
            if (notes != null) u.bind("notes", store.write(notes)).bind("backend", backend);
            return u.execute();
        }) == 1;
    }

    /**
     * Whether a job other than {@code jobId} records the upstream job {@code handle}: as the handle of its checkpoint
     * or the {@code upstream_id} of its notes, both kept in the indexed {@code upstream_handle} column.
     */
    boolean isUpstreamHandleHeld(String jobId, String handle) {
        return jdbi.withHandle(h -> h.createQuery("SELECT COUNT(*) FROM jobs WHERE upstream_handle = :handle AND id <> :id")
                .bind("id", jobId).bind("handle", handle).mapTo(Long.class).one()) > 0;
    }

    boolean saveNotes(String id, Lease lease, String backend, Map<String, String> notes) {
        return jdbi.withHandle(h -> h.createUpdate("UPDATE jobs SET notes_json = :notes, backend = COALESCE(:backend, backend), "
                        + "upstream_handle = COALESCE(:handle, upstream_handle), updated_at = :now WHERE id = :id AND " + HELD)
                .bind("notes", store.write(notes)).bind("backend", backend).bind("handle", notes.get(JobNotes.UPSTREAM_ID))
                .bind("now", System.currentTimeMillis())
                .bind("id", id).bind("owner", lease.owner()).bind("epoch", lease.epoch()).execute()) == 1;
    }
}
