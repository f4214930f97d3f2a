package io.framegate.server.config;

import java.time.Duration;

/**
 * The {@code retention} section of {@code framegate.yaml}: how long a job's files are kept. The job row itself stays
 * (a client asking for expired content gets 410, not 404).
 *
 * @param results       a job's videos and previews are deleted this long after the job was created
 *                      (its {@code expires_at})
 * @param inputsGrace   a job's input images (and an extension's copy of its source video) are deleted this long after
 *                      the job ended
 * @param sweepInterval how often the server looks for files to delete
 * @param orphanAge     scratch and temporary files no job owns are deleted once they are this old
 */
public record RetentionConfig(Duration results, Duration inputsGrace, Duration sweepInterval, Duration orphanAge) {
    public static final RetentionConfig DEFAULTS = new RetentionConfig(Duration.ofDays(7), Duration.ofHours(1),
            Duration.ofMinutes(10), Duration.ofHours(1));
}
