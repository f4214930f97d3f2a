package io.framegate.server.jobs;

import java.time.Duration;

/**
 * How the worker pool runs jobs.
 *
 * @param localSlots    jobs rendered on this machine at once (CPU-bound: 1 by default)
 * @param cloudSlots    cloud jobs submitted or downloaded at once; a job waiting on its upstream between polls
 *                      holds no slot (and no thread)
 * @param lease         how long a claim lasts without a heartbeat; another process may take the job after that
 * @param pollInterval  how often to look for queued jobs when nothing wakes the pool
 * @param shutdownGrace how long shutdown waits for running jobs to stop before releasing them (the server makes it
 *                      at least the providers' request timeout, so an upstream call in flight ends and its
 *                      checkpoint is written before anything is interrupted)
 * @param maxAttempts   attempts a job gets until its upstream accepts it; an attempt counts from its claim (so a
 *                      process that dies with the job counts too) and a graceful release at shutdown gives it back
 * @param retryBackoff  wait before the second attempt after a worker crash; doubles for each further attempt. Also
 *                      the wait (cut to the job's deadline) before a poll that failed inside the server is tried again
 * @param routeSlots    cloud slots one route (backend) may hold while other routes' jobs wait, so a hung upstream
 *                      cannot take the whole lane; 0 means half the cloud lane (at least 1). When nothing else
 *                      waits a route may go past it, but never takes the lane's last free slot
 * @param keySlots      slots of a lane one API key may hold while other keys' jobs wait; 0 means half the lane
 *                      (at least 1); past it as for routes
 * @param maxDownloadAttempts attempts a job the upstream accepted gets to collect its video (a poll and the download),
 *                      counted as above from the claims made since it was accepted. Its own, larger bound: the
 *                      upstream bills the video whether or not it is collected, so a process killed during downloads
 *                      must not abandon it as soon as a submit would be given up
 * @param maxInternalPollFailures polls of a waiting job in a row that may fail inside the server (an unexpected
 *                      exception, not an upstream's answer) before it fails {@code internal_error}; polls count no
 *                      attempt, so this bound is the poller's own
 */
public record WorkerSettings(int localSlots, int cloudSlots, Duration lease, Duration pollInterval, Duration shutdownGrace,
                             int maxAttempts, Duration retryBackoff, int routeSlots, int keySlots, int maxDownloadAttempts,
                             int maxInternalPollFailures) {
    public static final int DEFAULT_MAX_ATTEMPTS = 3;
    public static final int DEFAULT_MAX_DOWNLOAD_ATTEMPTS = 10;
    /** The bound the poller borrowed from {@link #DEFAULT_MAX_DOWNLOAD_ATTEMPTS} before it had its own. */
    public static final int DEFAULT_MAX_INTERNAL_POLL_FAILURES = 10;
    public static final Duration DEFAULT_RETRY_BACKOFF = Duration.ofSeconds(10);
    public static final WorkerSettings DEFAULT = new WorkerSettings(1, 8, Duration.ofSeconds(30), Duration.ofSeconds(1),
            Duration.ofSeconds(10));

    public WorkerSettings {
        if (localSlots < 1) throw new IllegalArgumentException("local worker slots must be at least 1: " + localSlots);
        if (cloudSlots < 1) throw new IllegalArgumentException("cloud worker slots must be at least 1: " + cloudSlots);
        if (maxAttempts < 1) throw new IllegalArgumentException("max attempts must be at least 1: " + maxAttempts);
        if (maxDownloadAttempts < 1) {
            throw new IllegalArgumentException("max download attempts must be at least 1: " + maxDownloadAttempts);
        }
        if (maxInternalPollFailures < 1) {
            throw new IllegalArgumentException("max internal poll failures must be at least 1: " + maxInternalPollFailures);
        }
        if (routeSlots < 0 || keySlots < 0) throw new IllegalArgumentException("route and key slots must be >= 0");
    }

    /** Default attempts, backoff and per-route/per-key caps. */
    public WorkerSettings(int localSlots, int cloudSlots, Duration lease, Duration pollInterval, Duration shutdownGrace) {
        this(localSlots, cloudSlots, lease, pollInterval, shutdownGrace, DEFAULT_MAX_ATTEMPTS, DEFAULT_RETRY_BACKOFF, 0, 0,
                DEFAULT_MAX_DOWNLOAD_ATTEMPTS, DEFAULT_MAX_INTERNAL_POLL_FAILURES);
    }

    public WorkerSettings withSlots(int local, int cloud) {
        return new WorkerSettings(local, cloud, lease, pollInterval, shutdownGrace, maxAttempts, retryBackoff, routeSlots, keySlots,
                maxDownloadAttempts, maxInternalPollFailures);
    }

    public WorkerSettings withAttempts(int max, Duration backoff) {
        return new WorkerSettings(localSlots, cloudSlots, lease, pollInterval, shutdownGrace, max, backoff, routeSlots, keySlots,
                maxDownloadAttempts, maxInternalPollFailures);
    }

    public WorkerSettings withDownloadAttempts(int max) {
        return new WorkerSettings(localSlots, cloudSlots, lease, pollInterval, shutdownGrace, maxAttempts, retryBackoff,
                routeSlots, keySlots, max, maxInternalPollFailures);
    }

    public WorkerSettings withInternalPollFailures(int max) {
        return new WorkerSettings(localSlots, cloudSlots, lease, pollInterval, shutdownGrace, maxAttempts, retryBackoff,
                routeSlots, keySlots, maxDownloadAttempts, max);
    }

    public WorkerSettings withCaps(int route, int key) {
        return new WorkerSettings(localSlots, cloudSlots, lease, pollInterval, shutdownGrace, maxAttempts, retryBackoff, route, key,
                maxDownloadAttempts, maxInternalPollFailures);
    }

    public WorkerSettings withShutdownGrace(Duration grace) {
        return new WorkerSettings(localSlots, cloudSlots, lease, pollInterval, grace, maxAttempts, retryBackoff, routeSlots, keySlots,
                maxDownloadAttempts, maxInternalPollFailures);
    }

    /**
     * Threads that make the polls of jobs waiting on their upstream (one short call each; between polls no thread
     * waits): twice the cloud slots, 4 to 64.
     */
    public int pollThreads() {
        return Math.max(4, Math.min(64, 2 * cloudSlots));
    }

    /** Cloud slots one route may hold. */
    int routeCap() {
        return routeSlots > 0 ? Math.min(routeSlots, cloudSlots) : Math.max(1, (cloudSlots + 1) / 2);
    }

    /** Slots of a lane of {@code laneSize} one key may hold. */
    int keyCap(int laneSize) {
        return keySlots > 0 ? Math.min(keySlots, laneSize) : Math.max(1, (laneSize + 1) / 2);
    }

    /** Wait before attempt {@code next} (2, 3, ...) after a crash: the backoff, doubled per further attempt, at most 1 h. */
    Duration backoffBefore(int next) {
        int doublings = Math.max(0, Math.min(20, next - 2));
        Duration d = retryBackoff.multipliedBy(1L << doublings);
        return d.compareTo(Duration.ofHours(1)) > 0 ? Duration.ofHours(1) : d;
    }
}
