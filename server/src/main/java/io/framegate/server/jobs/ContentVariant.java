package io.framegate.server.jobs;

import java.util.Locale;
import java.util.Optional;

/** The files each produced video has: the MP4 and two previews (the OpenAI content variants). */
public enum ContentVariant {
    VIDEO("video.mp4", "video/mp4"),
    THUMBNAIL("thumbnail.webp", "image/webp"),
    SPRITESHEET("spritesheet.jpg", "image/jpeg");

    private final String fileName;
    private final String mediaType;

    ContentVariant(String fileName, String mediaType) {
        this.fileName = fileName;
        this.mediaType = mediaType;
    }

    public String fileName() {
        return fileName;
    }

    public String mediaType() {
        return mediaType;
    }

    /** The stored name of this variant of video {@code index}: {@code 0/video.mp4}. */
    public String storedName(int index) {
        return index + "/" + fileName;
    }

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<ContentVariant> parse(String text) {
        if (text == null) return Optional.empty();
        for (ContentVariant v : values()) if (v.wireName().equalsIgnoreCase(text.trim())) return Optional.of(v);
        return Optional.empty();
    }
}
