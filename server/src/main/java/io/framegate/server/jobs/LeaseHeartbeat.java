package io.framegate.server.jobs;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Renews the leases this process holds (jobs in a worker slot and polls in flight) by the database clock. A job the
 * database no longer shows under this owner and epoch was taken over: its attempt is told to stop at once. When
 * renewals fail (database unreachable), an attempt whose lease has run out since its last confirmation stops too,
 * since another instance may hold it by now.
 */
final class LeaseHeartbeat implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LeaseHeartbeat.class);

    private final JobStore store;
    private final String owner;
    private final WorkerSettings settings;
    private final Map<String, HeldLease> held = new ConcurrentHashMap<>();
    private ScheduledExecutorService timer;

    LeaseHeartbeat(JobStore store, String owner, WorkerSettings settings) {
        this.store = store;
        this.owner = owner;
        this.settings = settings;
    }

    synchronized void start() {
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "framegate-lease-heartbeat");
            t.setDaemon(true);
            return t;
        });
        long every = intervalMillis(settings);
        timer.scheduleAtFixedRate(this::renew, every, every, TimeUnit.MILLISECONDS);
    }

    /** How often the leases are renewed: every third of the lease (at least every 100 ms). */
    static long intervalMillis(WorkerSettings settings) {
        return Math.max(100, settings.lease().toMillis() / 3);
    }

    void track(String jobId, HeldLease lease) {
        held.put(jobId, lease);
    }

    void untrack(String jobId) {
        held.remove(jobId);
    }

    /** The leases held now, by job. */
    Map<String, HeldLease> held() {
        return Map.copyOf(held);
    }

    void renew() {
        Map<String, HeldLease> now = Map.copyOf(held);
        // also while shutting down: jobs finishing within the grace still hold their claim
        if (now.isEmpty()) return;
        long asked = System.nanoTime();
        try {
            Map<String, Long> epochs = store.leases().renewLeases(owner, new ArrayList<>(now.keySet()), settings.lease().toMillis());
            now.forEach((id, lease) -> {
                Long epoch = epochs.get(id);
                if (epoch != null && epoch == lease.lease().epoch()) {
                    lease.confirmed(asked);
                } else if (!lease.isLost()) {
                    lease.lose();
                    // missing: the attempt just finished (or the job was deleted); else another instance took it
                    if (epoch != null) LOG.warn("job {}: lease taken over elsewhere; stopping this attempt", id);
                }
            });
        } catch (RuntimeException e) {
            LOG.warn("renewing job leases failed", e);
            long t = System.nanoTime();
            now.forEach((id, lease) -> {
                boolean was = lease.isLost();
                lease.expireIfUnconfirmed(t, settings.lease().toNanos());
                if (!was && lease.isLost()) {
                    LOG.warn("job {}: lease not renewed for {} ms; stopping this attempt", id, settings.lease().toMillis());
                }
            });
        }
    }

    @Override
    public synchronized void close() {
        if (timer != null) timer.shutdownNow();
    }
}
