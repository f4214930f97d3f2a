package io.framegate.server.jobs;

import java.util.Locale;
import java.util.Optional;

/** Sort order of a job listing by creation time. */
public enum ListOrder {
    ASC, DESC;

    public static Optional<ListOrder> parse(String text) {
        if (text == null) return Optional.empty();
        return switch (text.trim().toLowerCase(Locale.ROOT)) {
            case "asc" -> Optional.of(ASC);
            case "desc" -> Optional.of(DESC);
            default -> Optional.empty();
        };
    }
}
