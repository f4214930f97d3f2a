package io.framegate.provider;

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
 */
public record LimitsConfig(long localPixelFrames, int maxExtensionChain, Duration localRenderDeadline,
                           long minFreeDiskBytes) {
    /**
     * The engine renders about 2.5e7 pixel-frames a second on a 2-core machine (measured at 720p and 1080p), so 3e9
     * is about two minutes: 1920x1080 x 24 fps x 60 s (2.99e9) fits, 4K for 60 s does not.
     */
    public static final LimitsConfig DEFAULTS = new LimitsConfig(3_000_000_000L, 5, Duration.ofMinutes(5), 1L << 30);
}
