package io.framegate.domain;

import java.util.List;
import java.util.Locale;

/**
 * How an input frame image is fitted to the video's frame when their shapes differ; the same on every route (the
 * offline engine and each cloud upstream get the image fitted by the engine's one fitter). The request field
 * {@code fit} (CLI {@code --fit}) takes the lower-case name or one of its aliases.
 */
public enum FitMode {
    /** Scale to cover the frame and cut the overflow where the image holds the most detail (the default). */
    CROP("cover"),
    /** Scale to fit inside the frame and fill the rest with black bars. */
    PAD("contain", "letterbox"),
    /** Scale each axis on its own to the frame (distorts). */
    STRETCH("fill");

    /** The request field's name on every surface. */
    public static final String FIELD = "fit";
    public static final FitMode DEFAULT = CROP;

    private final List<String> aliases;

    FitMode(String... aliases) {
        this.aliases = List.of(aliases);
    }

    /** The name a request uses: {@code crop}, {@code pad} or {@code stretch}. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public List<String> aliases() {
        return aliases;
    }

    @Override
    public String toString() {
        return id();
    }

    /** What a request may write, for messages and the models listing: {@code crop (cover), pad (contain, ...)}. */
    public static String allowed() {
        StringBuilder s = new StringBuilder();
        for (FitMode m : values()) {
            if (!s.isEmpty()) s.append(", ");
            s.append(m.id()).append(" (").append(String.join(", ", m.aliases)).append(')');
        }
        return s.toString();
    }

    /**
     * The mode a request names; null or blank means not given (null: the default applies).
     *
     * @throws ValidationException naming {@code fit}, the value and the allowed names
     */
    public static FitMode parse(String text) {
        if (text == null || text.isBlank()) return null;
        FitMode m = lookup(text);
        if (m == null) {
            throw new ValidationException(new Violation(FIELD, text, FIELD + "=" + text
                    + " is not a fit mode; allowed: " + allowed()));
        }
        return m;
    }

    /** The mode a name or alias stands for, or null. */
    static FitMode lookup(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        for (FitMode m : values()) {
            if (m.id().equals(t) || m.aliases.contains(t)) return m;
        }
        return null;
    }

    /** The mode to apply: {@link #DEFAULT} when none was given. */
    public static FitMode orDefault(FitMode m) {
        return m != null ? m : DEFAULT;
    }
}
