package io.framegate.server.jobs;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.framegate.domain.JobStatus;
import io.framegate.domain.Money;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.Query;
import org.jdbi.v3.core.statement.StatementContext;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Jobs in the database: the job rows' repository (insert, reads, listings, delete). Every state
 * change of a running job is a conditional UPDATE on the lease owner, so two processes sharing one PostgreSQL database
 * never both run or finish the same job; claiming and renewing those leases is {@link JobLeases}', a running attempt's
 * own writes (progress, checkpoint, notes) {@link JobCheckpoints}', final states and cancellation {@link JobEndings}'.
 */
public final class JobStore {
    private static final TypeReference<Map<String, String>> STRING_MAP = new TypeReference<>() { };
    private static final String COLUMNS = "id, owner_key_id, surface, model, status, progress, prompt, duration_seconds, "
            + "video_size, number_of_videos, request_json, request_hash, attributes_json, notes_json, checkpoint, backend, "
            + "error_code, error_message, remixed_from, extended_from, idempotency_key, attempts, cancel_requested, "
            + "lease_owner, lease_expires_at, lease_epoch, created_at, started_at, completed_at, expires_at, "
            + "next_poll_at, poll_interval_ms, polls";
    /** What a {@link Row} reads: the inserted columns and the counters only claims write (a new job's are 0). */
    private static final String ROW_COLUMNS = COLUMNS + ", download_attempts";

    /**
     * The database's clock in epoch milliseconds (portable: H2 and PostgreSQL). Leases are set and compared with it,
     * never with an instance's own clock, so instances whose clocks disagree still agree on when a lease expired.
     */
    static final String DB_NOW = "CAST(EXTRACT(EPOCH FROM CURRENT_TIMESTAMP) * 1000 AS BIGINT)";
    /** The fence of every write of a running attempt: the owner and the epoch of its claim. */
    static final String HELD = "lease_owner = :owner AND lease_epoch = :epoch";

    private final Jdbi jdbi;
    private final ObjectMapper json;
    private final JobLeases leases;
    private final JobCheckpoints checkpoints;
    private final JobEndings endings;

    /** Where final states also write their webhook deliveries (same transaction); none by default. */
    public void outbox(io.framegate.server.webhooks.Outbox o) {
        endings.outbox(o);
    }

    public JobStore(Jdbi jdbi, ObjectMapper json) {
        this.jdbi = jdbi;
        this.json = json;
        this.leases = new JobLeases(jdbi);
        this.checkpoints = new JobCheckpoints(jdbi, this);
        this.endings = new JobEndings(jdbi, this);
    }

    Jdbi jdbi() {
        return jdbi;
    }

    /** Claims, lease renewals and releases of the jobs in this store. */
    JobLeases leases() {
        return leases;
    }

    /** A running attempt's fenced writes (progress, checkpoint, notes) on the jobs in this store. */
    JobCheckpoints checkpoints() {
        return checkpoints;
    }

    /** Final states (completed, failed, cancelled) of the jobs in this store, each settled with its reservation. */
    JobEndings endings() {
        return endings;
    }

    /**
     * A job with what only the core needs: the stored request, checkpoint and lease, and for a job waiting on its
     * upstream when it is next polled, its poll interval (ms, null before the first poll) and polls so far.
     * {@code attempts} counts every claim not given back; {@code downloadAttempts} those made after the upstream
     * accepted the job ({@link #isAccepted}), a collection that found it running again included (see
     * {@link WaitQueue#park}), which {@link WorkerSettings#maxDownloadAttempts()} bounds.
     */
    record Row(Job job, String requestJson, String requestHash, String checkpoint, String idempotencyKey,
               int attempts, boolean cancelRequested, String leaseOwner, Long leaseExpiresAt, long leaseEpoch,
               Long nextPollAt, Long pollIntervalMillis, int polls, int downloadAttempts) {
    }

    /** Inserts a new queued job without a reservation (tests of the queue); see the other overload. */
    boolean insert(Job job, String requestJson, String requestHash, String idempotencyKey) {
        return insert(job, requestJson, requestHash, idempotencyKey, new Ledger.Reservation(Money.ZERO, 0));
    }

    /**
     * Inserts a new queued job and reserves its price on its key and account, in one transaction; false when the
     * owner already has a job with this idempotency key (then nothing is reserved).
     *
     * @throws QuotaExceededException     the budget or video-seconds limit cannot cover it (nothing is stored)
     * @throws ConcurrencyLimitException  the key or account has max_concurrent jobs queued or running
     */
    boolean insert(Job job, String requestJson, String requestHash, String idempotencyKey, Ledger.Reservation reservation) {
        return insert(job, requestJson, requestHash, idempotencyKey, reservation, null);
    }

    /**
     * As above, with the account the key had when its limits were checked ({@link #checkLimits}; null: read it here).
     * It is where the job reserves unless the key moved since: {@link Ledger#reserve} reads it again under the key
     * row's lock and the job records that one.
     */
    boolean insert(Job job, String requestJson, String requestHash, String idempotencyKey, Ledger.Reservation reservation,
                   String accountRead) {
        try {
            jdbi.useHandle(h -> insertSteps(h, idempotencyKey != null, () -> {
                String account = accountRead != null ? accountRead : Ledger.accountOf(h, job.ownerKeyId());
                h.createUpdate("INSERT INTO jobs (" + COLUMNS + ", updated_at, lane, route, account_id, price_micros, "
                            + "reserved_video_seconds) VALUES (:id, :owner, "
                            + ":surface, :model, :status, :progress, :prompt, :seconds, :size, :videos, :request, :hash, "
                            + ":attributes, :notes, NULL, NULL, NULL, NULL, :remixedFrom, :extendedFrom, :idem, 0, FALSE, "
                            + "NULL, NULL, 0, :created, NULL, NULL, :expires, NULL, NULL, 0, :created, :lane, :route, :account, "
                            + ":price, :vs)")
                    .bind("account", account).bind("price", reservation.price().micros())
                    .bind("vs", reservation.videoSeconds())
                    .bind("lane", laneOf(job)).bind("route", job.notes().get(JobNotes.BACKEND))
                    .bind("id", job.id()).bind("owner", job.ownerKeyId()).bind("surface", job.surface())
                    .bind("model", job.model()).bind("status", job.status().name()).bind("progress", job.progress())
                    .bind("prompt", job.prompt()).bind("seconds", job.seconds()).bind("size", job.size())
                    .bind("videos", job.numberOfVideos()).bind("request", requestJson).bind("hash", requestHash)
                    .bind("attributes", write(job.attributes())).bind("notes", write(job.notes()))
                    .bind("remixedFrom", job.remixedFrom()).bind("extendedFrom", job.extendedFrom())
                    .bind("idem", idempotencyKey).bind("created", job.createdAt().toEpochMilli())
                    .bind("expires", job.expiresAt() == null ? null : job.expiresAt().toEpochMilli())
                    .execute();
                // last: its row locks are held until the commit (see Ledger.reserve)
                String reservedOn = Ledger.reserve(h, job.id(), job.ownerKeyId(), account, job.model(), reservation,
                        job.createdAt().toEpochMilli());
                if (!reservedOn.equals(account)) { // the key moved to another account since it was read
                    h.createUpdate("UPDATE jobs SET account_id = :account WHERE id = :id")
                            .bind("account", reservedOn).bind("id", job.id()).execute();
                }
            }));
            return true;
        } catch (RuntimeException e) {
            if (idempotencyKey != null && findByIdempotencyKey(job.ownerKeyId(), idempotencyKey).isPresent()) return false;
            throw e;
        }
    }

    /**
     * The insert's statements in a transaction of their own, or in the caller's (a create's single transaction). There
     * only an insert that may lose an idempotency race needs a savepoint (its caller reads the winner and goes on);
     * any other failure ends the whole create, whose transaction then rolls back, so it spares the savepoint's two
     * round trips.
     */
    private static void insertSteps(org.jdbi.v3.core.Handle h, boolean mayLoseRace, java.lang.Runnable body) {
        if (h.isInTransaction() && !mayLoseRace) body.run();
        else io.framegate.server.db.Savepoint.run(h, "job_insert", body);
    }

    /**
     * Runs {@code work} in one transaction on one connection: every call of this store (and of anything else on the
     * same {@link Jdbi}) that {@code work} makes on this thread joins it (Jdbi reuses the thread's open handle). A
     * create without files runs whole in one of these (see {@link JobService#submit}).
     */
    <T> T inTransaction(java.util.function.Supplier<T> work) {
        return jdbi.inTransaction(h -> work.get());
    }

    /** Runs {@code work} on one connection (autocommit, or the thread's open transaction), like {@link #inTransaction}. */
    <T> T onOneConnection(java.util.function.Supplier<T> work) {
        return jdbi.withHandle(h -> work.get());
    }

    Optional<Row> find(String id) {
        return jdbi.withHandle(h -> h.createQuery("SELECT " + ROW_COLUMNS + " FROM jobs WHERE id = :id")
                .bind("id", id).map(this::row).findOne());
    }

    Optional<Row> findByIdempotencyKey(String owner, String key) {
        return jdbi.withHandle(h -> h.createQuery("SELECT " + ROW_COLUMNS + " FROM jobs WHERE owner_key_id = :owner "
                        + "AND idempotency_key = :key")
                .bind("owner", owner).bind("key", key).map(this::row).findOne());
    }

    /**
     * The owner's jobs, newest first ({@code desc}) or oldest first, starting after the job {@code afterId};
     * fetches {@code limit + 1} rows to know whether more exist.
     */
    JobPage list(String owner, String surface, String afterId, int limit, boolean ascending) {
        return list(owner, surface, afterId, limit, ascending, null, null);
    }

    /** As above, only jobs in one of {@code statuses} and created with one of the model names {@code models} (null: any). */
    JobPage list(String owner, String surface, String afterId, int limit, boolean ascending,
                 java.util.Set<JobStatus> statuses, java.util.Set<String> models) {
        return jdbi.withHandle(h -> {
            StringBuilder sql = new StringBuilder("SELECT " + ROW_COLUMNS + " FROM jobs WHERE owner_key_id = :owner");
            if (surface != null) sql.append(" AND surface = :surface");
            if (statuses != null) sql.append(" AND status IN (<statuses>)");
            if (models != null) sql.append(" AND model IN (<models>)");
            Long afterCreated = null;
            if (afterId != null) {
                Optional<Long> created = h.createQuery("SELECT created_at FROM jobs WHERE id = :id AND owner_key_id = :owner")
                        .bind("id", afterId).bind("owner", owner).mapTo(Long.class).findOne();
                if (created.isEmpty()) return null;
                afterCreated = created.get();
                String cmp = ascending ? ">" : "<";
                sql.append(" AND (created_at ").append(cmp).append(" :afterCreated OR (created_at = :afterCreated AND id ")
                        .append(cmp).append(" :afterId))");
            }
            String dir = ascending ? "ASC" : "DESC";
            sql.append(" ORDER BY created_at ").append(dir).append(", id ").append(dir).append(" LIMIT :limit");
            Query q = h.createQuery(sql.toString()).bind("owner", owner).bind("limit", limit + 1);
            if (surface != null) q.bind("surface", surface);
            if (statuses != null) q.bindList("statuses", statuses.stream().map(JobStatus::name).toList());
            if (models != null) q.bindList("models", java.util.List.copyOf(models));
            if (afterId != null) q.bind("afterCreated", afterCreated).bind("afterId", afterId);
            List<Job> rows = q.map(this::row).map(Row::job).list();
            boolean more = rows.size() > limit;
            return new JobPage(more ? rows.subList(0, limit) : rows, more);
        });
    }

    /** Deletes the job row; an unsettled reservation (the job had not ended) is released in the same transaction. */
    boolean delete(String id) {
        return jdbi.inTransaction(h -> {
            Ledger.settle(h, id, null, System.currentTimeMillis());
            return h.createUpdate("DELETE FROM jobs WHERE id = :id").bind("id", id).execute() == 1;
        });
    }

    /**
     * Why the job's key may not start it now: {@code key_revoked}, {@code key_expired} or {@code account_disabled}
     * (null when it may, or when the owner has no key row). A job with a {@code submitting}/{@code submitted}
     * checkpoint is never blocked: the upstream may already have billed it, so it resumes and settles as it ends.
     */
    String ownerBlocked(String jobId, String keyId, long now) {
        // one query for the job's checkpoint and its key's state (a claim is the job core's most frequent read)
        record State(String checkpoint, String blocked) {
        }
        Optional<State> state = jdbi.withHandle(h -> h.createQuery("SELECT j.checkpoint, CASE WHEN k.id IS NULL THEN '' "
                        + "WHEN k.revoked_at IS NOT NULL THEN 'key_revoked' "
                        + "WHEN k.expires_at IS NOT NULL AND k.expires_at <= :now THEN 'key_expired' "
                        + "WHEN a.disabled_at IS NOT NULL THEN 'account_disabled' ELSE '' END FROM jobs j "
                        + "LEFT JOIN api_keys k ON k.id = :key LEFT JOIN accounts a ON a.id = k.account_id WHERE j.id = :id")
                .bind("id", jobId).bind("key", keyId).bind("now", now)
                .map((rs, ctx) -> new State(rs.getString(1), rs.getString(2))).findOne());
        if (state.isEmpty() || isSent(state.get().checkpoint())) return null;
        String blocked = state.get().blocked();
        return blocked == null || blocked.isEmpty() ? null : blocked;
    }

    /** Whether the job's checkpoint says a submit was sent (and may be billed): {@code submitting} or {@code submitted}. */
    boolean sentUpstream(String jobId) {
        String checkpoint = jdbi.withHandle(h -> h.createQuery("SELECT checkpoint FROM jobs WHERE id = :id").bind("id", jobId)
                .mapTo(String.class).findOne().orElse(null));
        return isSent(checkpoint);
    }

    /** Whether a checkpoint says a submit was (perhaps) sent: {@code submitting} or {@code submitted}. */
    static boolean isSent(String checkpoint) {
        if (checkpoint == null) return false;
        io.framegate.provider.Checkpoint c = io.framegate.provider.Checkpoint.parse(checkpoint);
        String phase = c == null ? null : c.phase().name();
        return "SUBMITTING".equals(phase) || "SUBMITTED".equals(phase);
    }

    /**
     * Whether a checkpoint says the upstream accepted the job: {@code submitted}, with the upstream's id. Such a job
     * is paid for upstream and is only collected from now on (polls and the download), never submitted again.
     */
    static boolean isAccepted(String checkpoint) {
        io.framegate.provider.Checkpoint c = checkpoint == null ? null : io.framegate.provider.Checkpoint.parse(checkpoint);
        return c != null && c.phase() == io.framegate.provider.Checkpoint.Phase.SUBMITTED && c.handle() != null;
    }

    /** Whether a budget applies to the key: its own or its account's (the default account's for an owner without a key row). */
    boolean hasBudget(String keyId) {
        return jdbi.withHandle(h -> h.createQuery("SELECT COUNT(*) FROM accounts a LEFT JOIN api_keys k ON k.id = :id "
                        + "WHERE a.id = COALESCE(k.account_id, :default) AND (a.budget_micros IS NOT NULL OR k.budget_micros IS NOT NULL)")
                .bind("id", keyId).bind("default", Ledger.DEFAULT_ACCOUNT).mapTo(Integer.class).one()) > 0;
    }

    /** The ledger's reads (entries, usage) for the operator. */
    LedgerReader ledger() {
        return new LedgerReader(jdbi);
    }

    /**
     * Checks, without reserving, that the owner's key and account can take this reservation now; returns the account
     * it read (for {@link #insert}).
     */
    String checkLimits(String ownerKeyId, Ledger.Reservation reservation) {
        return jdbi.withHandle(h -> Ledger.check(h, ownerKeyId, reservation));
    }

    /** The lane a job was routed to at submission, from its notes; null when no router decided it. */
    private static String laneOf(Job job) {
        String local = job.notes().get(JobNotes.LOCAL_RENDER);
        return local == null ? null : Boolean.parseBoolean(local) ? "local" : "cloud";
    }

    /**
     * Jobs of every key, newest first, for the operator: filtered by status and error code when given.
     */
    List<AdminJob> listAll(JobStatus status, String errorCode, int limit) {
        StringBuilder sql = new StringBuilder("SELECT " + ROW_COLUMNS + " FROM jobs WHERE 1 = 1");
        if (status != null) sql.append(" AND status = :status");
        if (errorCode != null) sql.append(" AND error_code = :code");
        sql.append(" ORDER BY created_at DESC, id DESC LIMIT :limit");
        return jdbi.withHandle(h -> {
            Query q = h.createQuery(sql.toString()).bind("limit", limit);
            if (status != null) q.bind("status", status.name());
            if (errorCode != null) q.bind("code", errorCode);
            return q.map(this::row).map(AdminJob::of).list();
        });
    }

    /** Empty when the job no longer exists (deleted), else whether cancellation was requested. */
    Optional<Boolean> cancelRequested(String id) {
        return jdbi.withHandle(h -> h.createQuery("SELECT cancel_requested FROM jobs WHERE id = :id")
                .bind("id", id).mapTo(Boolean.class).findOne());
    }

    private Row row(ResultSet rs, StatementContext ctx) throws SQLException {
        Job job = new Job(
                rs.getString("id"), rs.getString("owner_key_id"), rs.getString("surface"), rs.getString("model"),
                JobStatus.valueOf(rs.getString("status")), rs.getInt("progress"), rs.getString("prompt"),
                (Integer) rs.getObject("duration_seconds", Integer.class), rs.getString("video_size"),
                rs.getString("error_code"), rs.getString("error_message"),
                instant(rs, "created_at"), instant(rs, "started_at"), instant(rs, "completed_at"),
                instant(rs, "expires_at"), rs.getString("backend"), read(rs.getString("notes_json")),
                rs.getInt("number_of_videos"), rs.getString("remixed_from"), rs.getString("extended_from"),
                read(rs.getString("attributes_json")));
        Long lease = rs.getObject("lease_expires_at", Long.class);
        return new Row(job, rs.getString("request_json"), rs.getString("request_hash"), rs.getString("checkpoint"),
                rs.getString("idempotency_key"), rs.getInt("attempts"), rs.getBoolean("cancel_requested"),
                rs.getString("lease_owner"), lease, rs.getLong("lease_epoch"), rs.getObject("next_poll_at", Long.class),
                rs.getObject("poll_interval_ms", Long.class), rs.getInt("polls"), rs.getInt("download_attempts"));
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        Long v = rs.getObject(column, Long.class);
        return v == null ? null : Instant.ofEpochMilli(v);
    }

    String write(Map<String, String> map) {
        try {
            return json.writeValueAsString(new TreeMap<>(map));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    Map<String, String> read(String text) {
        if (text == null || text.isEmpty()) return Map.of();
        try {
            return json.readValue(text, STRING_MAP);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("corrupt JSON map in the job table: " + text, e);
        }
    }
}
