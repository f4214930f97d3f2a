package io.framegate.domain;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * What an input image is for. Sora 2 takes one {@link #REFERENCE} that guides the look (not forced to be the first
 * frame); Veo 3.1 takes keyframes ({@link #FIRST_FRAME}, {@link #LAST_FRAME}) and subject/style references
 * ({@link #ASSET}, {@link #STYLE}).
 */
public enum ImageRole {
    REFERENCE("reference"),
    FIRST_FRAME("first_frame"),
    LAST_FRAME("last_frame"),
    ASSET("asset"),
    STYLE("style");

    private final String wireName;

    ImageRole(String wireName) {
        this.wireName = wireName;
    }

    /** The lower-case name used in catalogs, errors and the CLI, e.g. {@code first_frame}. */
    @JsonValue
    public String wireName() {
        return wireName;
    }

    /** Parses {@code first_frame}, {@code FIRST_FRAME}, {@code first-frame} or {@code firstFrame}. */
    public static Optional<ImageRole> parse(String text) {
        return Optional.ofNullable(parseOrNull(text));
    }

    @JsonCreator
    static ImageRole parseOrNull(String text) {
        if (text == null) return null;
        String norm = text.trim().replace('-', '_').replaceAll("([a-z])([A-Z])", "$1_$2").toLowerCase(Locale.ROOT);
        return Arrays.stream(values()).filter(r -> r.wireName.equals(norm)).findFirst().orElse(null);
    }

    @Override
    public String toString() {
        return wireName;
    }
}
