package io.framegate.server.jobs;

import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.Query;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import static io.framegate.server.jobs.JobStore.DB_NOW;
import static io.framegate.server.jobs.JobStore.HELD;

/**
 * The claim side of the jobs table: which jobs a worker may take, taking one under a lease (its epoch is the fencing
 * token of the attempt), renewing, giving back and re-queueing. Every statement is conditional on the lease, so two
 * processes sharing one PostgreSQL database never both run the same job (db-scheduler style: claim by an atomic
 * {@code UPDATE ... WHERE status = 'QUEUED' OR lease expired}, renew with a heartbeat).
 */
final class JobLeases {
    /** What the dispatcher may claim; a job waiting on its upstream (next_poll_at set) is the poller's ({@link WaitQueue}). */
    private static final String CLAIMABLE = "(status = 'QUEUED' OR (status = 'IN_PROGRESS' AND (lease_expires_at IS NULL "
            + "OR lease_expires_at < " + DB_NOW + "))) AND (not_before IS NULL OR not_before <= " + DB_NOW + ") "
            + "AND next_poll_at IS NULL";
    /**
     * Gives back the attempt of a claim that ended well (released at shutdown, or parked to wait on its upstream):
     * both counters, never below 0. A claim made before the upstream accepted the job counted no download attempt;
     * the download counter is then 0 (it counts only claims made since), and stays so.
     */
    static final String GIVE_BACK_ATTEMPT = "attempts = CASE WHEN attempts > 0 THEN attempts - 1 ELSE 0 END";
    static final String GIVE_BACK = GIVE_BACK_ATTEMPT + ", "
            + "download_attempts = CASE WHEN download_attempts > 0 THEN download_attempts - 1 ELSE 0 END";
    private final Jdbi jdbi;

    JobLeases(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    /**
     * A job that a worker may claim, with the model that decides its lane, and what the dispatcher needs to page and
     * to keep one key or route from taking a whole lane.
     *
     * @param lane  {@code local}/{@code cloud} as routed at submission, or null
     * @param route the backend chosen at submission, or null
     */
    record Claimable(String id, String model, String ownerKeyId, String lane, String route, long createdAt) {
    }

    /** Queued jobs and running jobs whose lease has expired, oldest first (every lane, no filter). */
    List<Claimable> findClaimable(long now, int limit) {
        return findClaimable(now, null, List.of(), List.of(), null, limit);
    }

    /**
     * Claimable jobs, oldest first: queued (and past their {@code not_before}) or running under an expired lease.
     *
     * @param lane           only jobs routed to this lane (and those of unknown lane); null for every lane
     * @param skipRoutes     routes that are full now (their jobs are left for later)
     * @param skipKeys       keys that hold their share of the lane now
     * @param after          the last job of the previous page, or null for the first page
     */
    List<Claimable> findClaimable(long now, String lane, List<String> skipRoutes, List<String> skipKeys, Claimable after,
                                int limit) {
        // lease expiry and backoff are judged by the database clock; `now` is kept for callers that log it
        StringBuilder sql = new StringBuilder("SELECT id, model, owner_key_id, lane, route, created_at FROM jobs WHERE "
                + CLAIMABLE);
        if (lane != null) sql.append(" AND (lane = :lane OR lane IS NULL)");
        if (!skipRoutes.isEmpty()) sql.append(" AND (route IS NULL OR route NOT IN (<routes>))");
        if (!skipKeys.isEmpty()) sql.append(" AND owner_key_id NOT IN (<keys>)");
        if (after != null) sql.append(" AND (created_at > :afterCreated OR (created_at = :afterCreated AND id > :afterId))");
        sql.append(" ORDER BY created_at, id LIMIT :limit");
        return jdbi.withHandle(h -> {
            Query q = h.createQuery(sql.toString()).bind("limit", limit);
            if (lane != null) q.bind("lane", lane);
            if (!skipRoutes.isEmpty()) q.bindList("routes", skipRoutes);
            if (!skipKeys.isEmpty()) q.bindList("keys", skipKeys);
            if (after != null) q.bind("afterCreated", after.createdAt()).bind("afterId", after.id());
            return q.map((rs, ctx) -> new Claimable(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                    rs.getString(5), rs.getLong(6))).list();
        });
    }

    /**
     * Claimable jobs in turns across keys: every key's oldest waiting job first (oldest key first), then every key's
     * second, and so on, at most {@code perKey} per key, so one key's backlog cannot fill the answer.
     *
     * @param lane       only jobs routed to this lane (and those of unknown lane)
     * @param skipRoutes routes that are full now
     * @param skipKeys   keys that hold their share of the lane now
     */
    List<Claimable> findClaimableInTurns(long now, String lane, List<String> skipRoutes, List<String> skipKeys, int perKey,
                                       int limit) {
        StringBuilder where = new StringBuilder(CLAIMABLE + " AND (lane = :lane OR lane IS NULL)");
        if (!skipRoutes.isEmpty()) where.append(" AND (route IS NULL OR route NOT IN (<routes>))");
        if (!skipKeys.isEmpty()) where.append(" AND owner_key_id NOT IN (<keys>)");
        String sql = "SELECT id, model, owner_key_id, lane, route, created_at FROM (SELECT id, model, owner_key_id, lane, "
                + "route, created_at, ROW_NUMBER() OVER (PARTITION BY owner_key_id ORDER BY created_at, id) AS turn FROM jobs "
                + "WHERE " + where + ") t WHERE turn <= :perKey ORDER BY turn, created_at, id LIMIT :limit";
        return jdbi.withHandle(h -> {
            Query q = h.createQuery(sql).bind("lane", lane).bind("perKey", perKey).bind("limit", limit);
            if (!skipRoutes.isEmpty()) q.bindList("routes", skipRoutes);
            if (!skipKeys.isEmpty()) q.bindList("keys", skipKeys);
            return q.map((rs, ctx) -> new Claimable(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                    rs.getString(5), rs.getLong(6))).list();
        });
    }

    /** Corrects the lane recorded at submission (the config changed since). */
    void setLane(String id, String lane) {
        jdbi.useHandle(h -> h.createUpdate("UPDATE jobs SET lane = :lane WHERE id = :id").bind("lane", lane).bind("id", id)
                .execute());
    }

    /**
     * Puts a job whose attempt crashed back in the queue, not to be claimed for {@code backoffMillis} (database
     * clock); its attempts stay counted. False when the job is gone or the lease was lost.
     */
    boolean retryLater(String id, Lease lease, long backoffMillis, long now) {
        return jdbi.withHandle(h -> h.createUpdate("UPDATE jobs SET status = 'QUEUED', lease_owner = NULL, "
                        + "lease_expires_at = NULL, not_before = " + DB_NOW + " + :backoff, updated_at = :now WHERE id = :id "
                        + "AND " + HELD + " AND status = 'IN_PROGRESS'")
                .bind("backoff", backoffMillis).bind("now", now).bind("id", id).bind("owner", lease.owner())
                .bind("epoch", lease.epoch()).execute()) == 1;
    }

    /** Test shorthand: claims for {@code leaseUntil - now} ms of the database clock; false when not claimed. */
    boolean claim(String id, String owner, long now, long leaseUntil) {
        return claimLease(id, owner, leaseUntil - now, now) > 0;
    }

    /** Test shorthand: {@link #claimLease(String, String, String, long, long)} recording no backend (the row's is kept). */
    long claimLease(String id, String owner, long leaseMillis, long now) {
        return claimLease(id, owner, null, leaseMillis, now);
    }

    /**
     * Takes the job for {@code owner} for {@code leaseMillis} of the database clock, if it is claimable: the row is
     * locked with {@code FOR UPDATE SKIP LOCKED} (a row another instance is claiming right now is skipped, not waited
     * for), then its lease epoch is incremented. The claim counts an attempt, and for a job the upstream already
     * accepted ({@link JobStore#isAccepted}) a download attempt too: what is left of it is collecting a paid video,
     * under its own bound. The claim records {@code backend}, the backend the job is dispatched to (null keeps the
     * row's), in the same statement that makes it {@code IN_PROGRESS}: a job the client sees running always names its
     * backend, so one cancelled before its attempt noted anything is still counted under it ({@code JobMetrics}), not
     * under {@code none}. Returns the new epoch (the fencing token of this attempt, >= 1), or 0 when someone else got
     * it first.
     */
    long claimLease(String id, String owner, String backend, long leaseMillis, long now) {
        record Claimed(long epoch, String checkpoint) {
        }
        return jdbi.inTransaction(h -> {
            Optional<Claimed> found = h.createQuery("SELECT lease_epoch, checkpoint FROM jobs WHERE id = :id AND "
                            + CLAIMABLE + " FOR UPDATE SKIP LOCKED")
                    .bind("id", id).map((rs, ctx) -> new Claimed(rs.getLong(1), rs.getString(2))).findOne();
            if (found.isEmpty()) return 0L;
            long next = found.get().epoch() + 1;
            // the row is locked and only a lease holder writes its checkpoint: the one read is the one claimed
            String download = JobStore.isAccepted(found.get().checkpoint()) ? "download_attempts = download_attempts + 1, " : "";
            int n = h.createUpdate("UPDATE jobs SET status = 'IN_PROGRESS', lease_owner = :owner, lease_epoch = :next, "
                            + "lease_expires_at = " + DB_NOW + " + :lease, attempts = attempts + 1, " + download
                            + "backend = COALESCE(:backend, backend), started_at = COALESCE(started_at, :now), "
                            + "updated_at = :now WHERE id = :id")
                    .bind("id", id).bind("owner", owner).bind("next", next).bind("lease", leaseMillis).bind("now", now)
                    .bind("backend", backend).execute();
            return n == 1 ? next : 0L;
        });
    }

    /**
     * Extends, by {@code leaseMillis} of the database clock, the leases of the owner's running jobs; returns the epoch
     * of every running one of them (-1 when another owner holds it; a job missing from the answer ended or is gone).
     * An attempt whose epoch is not in the answer lost its lease.
     */
    Map<String, Long> renewLeases(String owner, List<String> ids, long leaseMillis) {
        if (ids.isEmpty()) return Map.of();
        return jdbi.inTransaction(h -> {
            h.createUpdate("UPDATE jobs SET lease_expires_at = " + DB_NOW + " + :lease WHERE lease_owner = :owner "
                            + "AND status = 'IN_PROGRESS' AND id IN (<ids>)")
                    .bind("lease", leaseMillis).bind("owner", owner).bindList("ids", ids).execute();
            // epoch -1: the job is still running but under another owner (taken over); missing: gone or ended
            Map<String, Long> held = new java.util.HashMap<>();
            h.createQuery("SELECT id, CASE WHEN lease_owner = :owner THEN lease_epoch ELSE -1 END FROM jobs "
                            + "WHERE status = 'IN_PROGRESS' AND id IN (<ids>)")
                    .bind("owner", owner).bindList("ids", ids)
                    .map((rs, ctx) -> Map.entry(rs.getString(1), rs.getLong(2))).forEach(e -> held.put(e.getKey(), e.getValue()));
            return held;
        });
    }

    /** Gives a running job back without finishing it, so that the next worker (or process) resumes it. */
    void releaseLease(String id, Lease lease) {
        // a graceful release gives the attempt back: only attempts that crashed (or died with their process) count
        jdbi.useHandle(h -> h.createUpdate("UPDATE jobs SET lease_owner = NULL, lease_expires_at = NULL, "
                        + GIVE_BACK + " WHERE id = :id AND " + HELD + " AND status = 'IN_PROGRESS'")
                .bind("id", id).bind("owner", lease.owner()).bind("epoch", lease.epoch()).execute());
    }

    /** At the start of the only process of an embedded database every old lease is dead: free them all now. */
    int releaseAllLeases() {
        return jdbi.withHandle(h -> h.createUpdate("UPDATE jobs SET lease_owner = NULL, lease_expires_at = NULL "
                + "WHERE status = 'IN_PROGRESS'").execute());
    }
}
