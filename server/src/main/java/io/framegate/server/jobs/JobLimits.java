package io.framegate.server.jobs;

import io.framegate.domain.RenderPlan;
import io.framegate.domain.ValidationException;
import io.framegate.domain.Violation;
import io.framegate.server.config.LimitsConfig;
import io.framegate.server.config.RetentionConfig;
import io.framegate.server.storage.DiskSpace;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Instant;
import java.util.Locale;

/**
 * What a new job must fit before {@link JobService#submit} stores anything: the local work it asks for
 * (pixel-frames, extension chain) and the free disk space to hold it. Also dates each job's {@code expires_at}.
 */
public final class JobLimits {
    private static final Logger LOG = LoggerFactory.getLogger(JobLimits.class);

    /** No limits and no expiry (a job service built without a config). */
    public static final JobLimits NONE = new JobLimits(
            new LimitsConfig(Long.MAX_VALUE, Integer.MAX_VALUE, null, 0), null, DiskSpace.UNLIMITED);

    private final LimitsConfig limits;
    private final RetentionConfig retention;
    private final DiskSpace disk;

    /** @param retention null for jobs that never expire */
    public JobLimits(LimitsConfig limits, RetentionConfig retention, DiskSpace disk) {
        this.limits = limits;
        this.retention = retention;
        this.disk = disk;
    }

    public LimitsConfig limits() {
        return limits;
    }

    /**
     * Refuses a local render bigger than {@code limits.local_pixel_frames}: width x height x frames x videos, where
     * frames = fps x seconds (or the exact {@code num_frames}).
     */
    void checkLocalRender(RenderPlan plan) {
        double pixelFrames = (double) plan.size().width() * plan.size().height() * plan.frameCount() * plan.numberOfVideos();
        if (pixelFrames <= limits.localPixelFrames()) return;
        String frames = plan.request().numFrames() != null ? plan.frameCount() + " frames"
                : plan.frameCount() + " frames (" + plan.fps() + " fps x " + plan.seconds() + " s)";
        String message = String.format(Locale.ROOT, "this local render asks for %s x %s x %d video%s = %,.0f pixel-frames "
                        + "(width x height x fps x seconds x videos); this server renders at most %,d pixel-frames per "
                        + "local job (limits.local_pixel_frames, about two minutes of work); lower the size, fps, "
                        + "seconds or number of videos",
                plan.size(), frames, plan.numberOfVideos(), plan.numberOfVideos() == 1 ? "" : "s", pixelFrames,
                limits.localPixelFrames());
        throw new ValidationException(new Violation("seconds", String.format(Locale.ROOT, "%.0f", pixelFrames), message));
    }

    /**
     * The place in its chain of an extension of {@code source} (1 for an extension of an original video), refused
     * above {@code limits.extension_chain}. Each job records its place, so deleting a link does not reset the count.
     */
    int extensionDepth(Job source) {
        String noted = source.notes().get(JobNotes.EXTENSION_DEPTH);
        int sourceDepth;
        try {
            sourceDepth = noted != null ? Integer.parseInt(noted) : source.extendedFrom() != null ? 1 : 0;
        } catch (NumberFormatException e) {
            sourceDepth = source.extendedFrom() != null ? 1 : 0;
        }
        int depth = sourceDepth + 1;
        if (depth > limits.maxExtensionChain()) {
            throw new ValidationException(new Violation("video", source.id(), "video " + source.id() + " is extension "
                    + sourceDepth + " of a chain; this server allows at most " + limits.maxExtensionChain()
                    + " extension" + (limits.maxExtensionChain() == 1 ? "" : "s") + " in a chain (limits.extension_chain)"));
        }
        return depth;
    }

    /** Refuses a new job (nothing written yet) while free space minus what it brings is under the threshold. */
    void checkFreeSpace(long incomingBytes) {
        if (limits.minFreeDiskBytes() <= 0) return;
        long free;
        try {
            free = disk.usableBytes();
        } catch (IOException | RuntimeException e) {
            LOG.warn("cannot measure the free disk space of the data directory; accepting the job", e);
            return;
        }
        if (free - incomingBytes < limits.minFreeDiskBytes()) {
            LOG.warn("refusing a new job: {} bytes free, {} incoming, limits.min_free_disk is {} bytes",
                    free, incomingBytes, limits.minFreeDiskBytes());
            throw new InsufficientStorageException();
        }
    }

    /** When a job created at {@code created} expires (its results are deleted), or null if never. */
    Instant expiresAt(Instant created) {
        return retention == null ? null : created.plus(retention.results());
    }
}
