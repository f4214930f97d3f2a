package io.framegate.server.jobs;

import java.time.Duration;

/**
 * How the worker pool runs jobs.
 *
 * @param localSlots    jobs rendered on this machine at once (CPU-bound: 1 by default)
 * @param cloudSlots    jobs served by cloud backends at once (they mostly wait)
 * @param lease         how long a claim lasts without a heartbeat; another process may take the job after that
 * @param pollInterval  how often to look for queued jobs when nothing wakes the pool
 * @param shutdownGrace how long shutdown waits for running jobs to stop before releasing them
 */
public record WorkerSettings(int localSlots, int cloudSlots, Duration lease, Duration pollInterval, Duration shutdownGrace) {
    public static final WorkerSettings DEFAULT = new WorkerSettings(1, 8, Duration.ofSeconds(30), Duration.ofSeconds(1),
            Duration.ofSeconds(10));

    public WorkerSettings {
        if (localSlots < 1) throw new IllegalArgumentException("local worker slots must be at least 1: " + localSlots);
        if (cloudSlots < 1) throw new IllegalArgumentException("cloud worker slots must be at least 1: " + cloudSlots);
    }

    public WorkerSettings withSlots(int local, int cloud) {
        return new WorkerSettings(local, cloud, lease, pollInterval, shutdownGrace);
    }
}
