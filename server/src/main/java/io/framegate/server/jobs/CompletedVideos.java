package io.framegate.server.jobs;

import io.framegate.domain.JobStatus;

import java.util.Locale;

/** The one "only a completed video" rule that remixes and extensions on every surface share. */
public final class CompletedVideos {
    private CompletedVideos() {
    }

    /**
     * @param verb what is being done to it, e.g. {@code remixed} or {@code extended}
     * @throws JobStateException the video is not completed
     */
    public static Job require(Job source, String verb) {
        if (source.status() != JobStatus.COMPLETED) {
            throw new JobStateException("video " + source.id() + " is " + source.status().name().toLowerCase(Locale.ROOT)
                    + "; only a completed video can be " + verb);
        }
        return source;
    }
}
