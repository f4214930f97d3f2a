package io.framegate.server.config;

import java.time.Duration;

/**
 * The {@code limits} section of {@code framegate.yaml}: how much local work one job may ask for, and when the server
 * stops taking new jobs. Checked when a job is created, before anything is stored.
 *
 * @param localPixelFrames    largest width x height x frames x videos (frames = fps x seconds) of one local render;
 *                            the default is about two minutes of this project's reference 2-core machine
 * @param maxExtensionChain   longest chain of extensions: 1 allows extending an original video, not an extension
 * @param localRenderDeadline a local render still running after this long fails with code {@code timeout}
 * @param minFreeDiskBytes    new jobs are refused (507 {@code insufficient_storage}) while the data directory's disk
 *                            has less free space than this
 * @param maxQueuedJobs       new jobs are refused (429 {@code queue_full}) while this many wait in the queue; 0 = no bound
 */
public record LimitsConfig(long localPixelFrames, int maxExtensionChain, Duration localRenderDeadline,
                           long minFreeDiskBytes, int maxQueuedJobs) {
    public static final int DEFAULT_MAX_QUEUED_JOBS = 1000;

    public LimitsConfig(long localPixelFrames, int maxExtensionChain, Duration localRenderDeadline, long minFreeDiskBytes) {
        this(localPixelFrames, maxExtensionChain, localRenderDeadline, minFreeDiskBytes, DEFAULT_MAX_QUEUED_JOBS);
    }

    /**
     * Measured on the project's 2-core machine (shared with other builds): the engine renders 1.4e7 (keyframes at
     * 1080p, the slowest mode) to 3.4e7 pixel-frames a second, so 1.5e9 is at most about two minutes: 720p x 24 fps
     * x 60 s (1.33e9) fits, 1080p for 60 s (2.99e9) does not. The deadline leaves room for a machine busy with other
     * work (5e6 pixel-frames a second seen under heavy contention: 300 s for the full budget).
     */
    public static final LimitsConfig DEFAULTS = new LimitsConfig(1_500_000_000L, 5, Duration.ofMinutes(6), 1L << 30);
}
