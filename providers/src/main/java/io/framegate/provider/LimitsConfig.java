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
    /** 1280x720 x 24 fps x 60 s x 1 video is 1.33e9: a minute of 720p fits, 4K for a minute does not. */
    public static final LimitsConfig DEFAULTS = new LimitsConfig(2_000_000_000L, 5, Duration.ofMinutes(5), 1L << 30);
}
