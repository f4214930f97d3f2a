package io.framegate.server.jobs;

import io.framegate.server.storage.StoredObject;

/** A file of a finished job, ready to stream (with byte ranges via {@link StoredObject#openRange}). */
public record JobContent(Job job, ContentVariant variant, int index, StoredObject object) {
    public String mediaType() {
        return variant.mediaType();
    }

    /** A download name such as {@code video_abc.mp4} or {@code video_abc-1.mp4} for the second video. */
    public String fileName() {
        String ext = variant.fileName().substring(variant.fileName().lastIndexOf('.'));
        String base = variant == ContentVariant.VIDEO ? job.id() : job.id() + "-" + variant.wireName();
        return (index == 0 ? base : base + "-" + index) + ext;
    }
}
