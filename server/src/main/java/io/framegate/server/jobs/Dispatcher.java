package io.framegate.server.jobs;

import io.framegate.domain.GenerationBackend;

import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Decides which queued jobs start now. Each lane reads the queue on its own (so thousands of queued cloud jobs cannot
 * hide a local one), in turns across keys (round-robin: one key's backlog cannot delay another key's first job by
 * more than one job), in two passes: the first keeps every route and key within its share
 * ({@link WorkerSettings#routeCap()}, {@link WorkerSettings#keyCap}); the second lets what still waits (nobody else
 * needed those slots) go past its share but always leaves one slot free, so a job of another key or route that
 * arrives later starts at once instead of waiting behind a hung upstream or a long batch.
 */
final class Dispatcher {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Dispatcher.class);
    /** How many jobs one query reads; a lane pages on while it has free slots. */
    private static final int PAGE = 50;
    /** Pages per lane and pass at most: the rest waits for the next round (every poll interval or wake-up). */
    private static final int MAX_PAGES = 20;

    /** A job this process runs now: which lane, key and route it holds a share of. */
    record Running(Lane lane, String ownerKeyId, String route, HeldLease lease) {
    }

    /** Runs a claimed job on its lane (and frees its slot and entry in the running jobs when it ends). */
    interface Launcher {
        void launch(String jobId, GenerationBackend backend, Lane lane);
    }

    private final JobStore store;
    private final Routes routes;
    private final LeaseHeartbeat heartbeat;
    private final WorkerSettings settings;
    private final Clock clock;
    private final String leaseOwner;
    private final Lane local;
    private final Lane cloud;
    private final Map<String, Running> running;
    private final AtomicBoolean shuttingDown;
    private final Launcher launcher;
    /** When (a sequence number) this process last started a job of each key, for the round-robin within a turn. */
    private final Map<String, Long> lastStarted = new java.util.concurrent.ConcurrentHashMap<>();
    private long starts;

    Dispatcher(JobStore store, Routes routes, LeaseHeartbeat heartbeat, WorkerSettings settings, Clock clock,
               String leaseOwner, Lane local, Lane cloud, Map<String, Running> running, AtomicBoolean shuttingDown,
               Launcher launcher) {
        this.store = store;
        this.routes = routes;
        this.heartbeat = heartbeat;
        this.settings = settings;
        this.clock = clock;
        this.leaseOwner = leaseOwner;
        this.local = local;
        this.cloud = cloud;
        this.running = running;
        this.shuttingDown = shuttingDown;
        this.launcher = launcher;
    }

    /** One round: fills the free slots of the lanes asked for (see {@link JobSignals.LaneBell}). */
    void dispatch(boolean localLane, boolean cloudLane) {
        if (localLane) dispatchLane(local);
        if (cloudLane) dispatchLane(cloud);
    }

    private void dispatchLane(Lane lane) {
        boolean heldBack = fill(lane, true);
        if (heldBack && lane.slots.availablePermits() > 1) fill(lane, false);
    }

    private int keyCap(Lane lane, boolean share) {
        return share ? settings.keyCap(lane.size) : Math.max(1, lane.size - 1);
    }

    private int routeCap(boolean share) {
        return share ? settings.routeCap() : Math.max(1, cloud.size - 1);
    }

    /**
     * One pass over the lane's queue in turns across keys (see {@link #inTurns}), leaving out jobs whose route or key
     * is at its cap; true when a cap may have held a job back (only then is a second pass worth a query).
     */
    private boolean fill(Lane lane, boolean share) {
        int keep = share ? 0 : 1;
        if (lane.slots.availablePermits() <= keep || shuttingDown.get()) return false;
        long now = clock.millis();
        List<String> fullRoutes = lane == cloud ? atCap(lane, Running::route, routeCap(share)) : List.of();
        List<String> fullKeys = atCap(lane, Running::ownerKeyId, keyCap(lane, share));
        boolean heldBack = !fullRoutes.isEmpty() || !fullKeys.isEmpty();
        List<JobLeases.Claimable> batch = inTurns(store.leases().findClaimableInTurns(now, lane.name, fullRoutes, fullKeys,
                Math.max(1, lane.size), PAGE * MAX_PAGES));
        for (JobLeases.Claimable r : batch) {
            if (shuttingDown.get() || lane.slots.availablePermits() <= keep) return heldBack;
            heldBack |= !tryStart(r, lane, share, now);
        }
        return heldBack;
    }

    /**
     * Round-robin across keys: the store answers every key's first waiting job, then every key's second, ...; within
     * each turn the key this process started a job for least recently goes first. So a key with a long backlog never
     * delays another key's first job by more than the one job already running.
     */
    private List<JobLeases.Claimable> inTurns(List<JobLeases.Claimable> byTurn) {
        Map<String, Integer> seen = new HashMap<>();
        List<JobLeases.Claimable> out = new java.util.ArrayList<>(byTurn.size());
        List<JobLeases.Claimable> turn = new java.util.ArrayList<>();
        int current = 1;
        for (JobLeases.Claimable r : byTurn) {
            int t = seen.merge(r.ownerKeyId(), 1, Integer::sum);
            if (t != current) {
                flushTurn(turn, out);
                current = t;
            }
            turn.add(r);
        }
        flushTurn(turn, out);
        return out;
    }

    private void flushTurn(List<JobLeases.Claimable> turn, List<JobLeases.Claimable> out) {
        turn.sort(java.util.Comparator.comparingLong(r -> lastStarted.getOrDefault(r.ownerKeyId(), 0L)));
        out.addAll(turn);
        turn.clear();
    }

    /** The routes or keys ({@code by}) that hold {@code cap} or more of the lane's running jobs. */
    private List<String> atCap(Lane lane, Function<Running, String> by, int cap) {
        Map<String, Integer> n = new HashMap<>();
        for (Running r : running.values()) if (r.lane() == lane) n.merge(by.apply(r), 1, Integer::sum);
        return n.entrySet().stream().filter(e -> e.getValue() >= cap).map(Map.Entry::getKey).toList();
    }

    private int holding(Lane lane, Predicate<Running> which) {
        return (int) running.values().stream().filter(r -> r.lane() == lane && which.test(r)).count();
    }

    /** Fails a job nobody runs; when that does not take (a live worker holds it), says so instead of acting on it. */
    private boolean failUnclaimed(JobLeases.Claimable r, String code, String message, long now) {
        if (!store.endings().failUnclaimed(r.id(), code, message, now)) {
            LOG.warn("job {} was not failed with {}: a live worker holds it or it already ended", r.id(), code);
            return false;
        }
        return true;
    }

    /**
     * Claims and launches one job if its lane, route and key have room; otherwise leaves it queued. False only when
     * a share (of its key or route) held it back.
     */
    private boolean tryStart(JobLeases.Claimable r, Lane queried, boolean share, long now) {
        if (running.containsKey(r.id())) return true;
        // routed once, at submission: the job runs on the backend its row records
        Routes.Resolved resolved = routes.resolve(r.model(), r.route());
        if ("unknown_model".equals(resolved.problem())) {
            failUnclaimed(r, "unknown_model", "model " + r.model() + " is no longer in the catalog", now);
            return true;
        }
        if (resolved.backend() == null) {
            failUnclaimed(r, "no_backend", "no backend serves model " + r.model(), now);
            return true;
        }
        GenerationBackend backend = resolved.backend();
        if (resolved.changed()) {
            // the config changed since submission: what was reserved does not price this backend, so it must not run;
            // nor can a job sent upstream be followed anywhere but on its route (a route's id is its model's, so a
            // sent job's backend changed only when its model left every route)
            boolean sent = store.sentUpstream(r.id());
            if (failUnclaimed(r, "route_changed", "the server's routing changed since this video was accepted: model "
                    + r.model() + " now goes to " + backend.id() + " instead of " + r.route() + "; create it again", now)
                    && sent) {
                // no route is left to follow it or to ask its upstream to cancel it
                LOG.warn("job {} was sent upstream on {}, but model {} now goes to {}: it ended route_changed without "
                        + "its result and no cancel could be sent; its upstream job may still be billed (check the "
                        + "provider's console)", r.id(), r.route(), r.model(), backend.id());
            }
            return true;
        }
        Lane lane = backend.isLocal() ? local : cloud;
        if (lane != queried && r.lane() != null) store.leases().setLane(r.id(), lane.name); // routed elsewhere since submission
        if (holding(lane, x -> x.ownerKeyId().equals(r.ownerKeyId())) >= keyCap(lane, share)) return false;
        if (lane == cloud && holding(lane, x -> x.route().equals(backend.id())) >= routeCap(share)) return false;
        if (lane != queried && lane.slots.availablePermits() <= (share ? 0 : 1)) return true;
        String blocked = store.ownerBlocked(r.id(), r.ownerKeyId(), clock.millis());
        if (blocked != null) {
            // a revoked or expired key (or disabled account) spends nothing more: its jobs not yet sent upstream end
            // and are released; one already sent (checkpoint) resumes, as the upstream bills it anyway
            failUnclaimed(r, blocked, switch (blocked) {
                case "key_revoked" -> "the API key of this video was revoked before it started";
                case "key_expired" -> "the API key of this video expired before it started";
                default -> "the account of this video's API key was disabled before it started";
            }, now);
            return true;
        }
        if (!lane.slots.tryAcquire()) return true;
        long asked = System.nanoTime();
        long epoch = store.leases().claimLease(r.id(), leaseOwner, backend.id(), settings.lease().toMillis(), now);
        if (epoch == 0) {
            lane.slots.release();
            return true;
        }
        HeldLease held = new HeldLease(new Lease(leaseOwner, epoch), asked);
        running.put(r.id(), new Running(lane, r.ownerKeyId(), backend.id(), held));
        heartbeat.track(r.id(), held);
        lastStarted.put(r.ownerKeyId(), ++starts);
        launcher.launch(r.id(), backend, lane);
        return true;
    }
}
