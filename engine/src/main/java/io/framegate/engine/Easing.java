package io.framegate.engine;

import io.framegate.domain.GenerationException;

import java.util.Locale;

/** The time curve of a move: how far along (0..1) the motion is at a point (0..1) of the clip. */
public enum Easing {
    LINEAR,
    /** Smooth start and stop (cubic smoothstep), the default: reads as a deliberate camera or transition. */
    EASE_IN_OUT;

    public double apply(double t) {
        double x = Math.clamp(t, 0.0, 1.0);
        return switch (this) {
            case LINEAR -> x;
            case EASE_IN_OUT -> x * x * (3 - 2 * x);
        };
    }

    /** Parses the {@code easing} option; null or blank means {@link #EASE_IN_OUT}. */
    public static Easing parse(String text) throws GenerationException {
        if (text == null || text.isBlank()) return EASE_IN_OUT;
        return switch (text.trim().toLowerCase(Locale.ROOT).replace('_', '-')) {
            case "linear", "none" -> LINEAR;
            case "ease", "ease-in-out", "smooth", "smoothstep" -> EASE_IN_OUT;
            default -> throw new GenerationException("invalid_option",
                    "easing=" + text + " is not allowed; allowed: linear, ease-in-out");
        };
    }
}
