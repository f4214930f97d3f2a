package io.framegate.engine;

import io.framegate.domain.GenerationException;

import java.util.Locale;

/** How an input image is fitted to the output frame when their aspect ratios differ. */
public enum FitMode {
    /** Scale to cover the frame and cut the overflow, keeping the centre (the default). */
    CROP,
    /** Scale to fit inside the frame and fill the rest with black bars. */
    PAD,
    /** Scale each axis separately to the frame (distorts). */
    STRETCH;

    /** Parses the {@code fit} option; null or blank means {@link #CROP}. */
    public static FitMode parse(String text) throws GenerationException {
        if (text == null || text.isBlank()) return CROP;
        return switch (text.trim().toLowerCase(Locale.ROOT)) {
            case "crop", "cover" -> CROP;
            case "pad", "contain", "letterbox" -> PAD;
            case "stretch", "fill" -> STRETCH;
            default -> throw new GenerationException("invalid_option",
                    "fit=" + text + " is not allowed; allowed: crop, pad, stretch");
        };
    }
}
