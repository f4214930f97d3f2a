package io.framegate.provider;

/**
 * A credential read from the environment or a file. Its {@link #toString} never shows the value, so it cannot leak
 * into logs, exceptions or an endpoint that prints config; only {@link #reveal} gives it, to put on the wire.
 */
public final class Secret {
    private final String value;
    private final String origin;

    /** @param origin where it came from, e.g. {@code env GEMINI_API_KEY} (shown instead of the value) */
    public Secret(String value, String origin) {
        if (value == null || value.isBlank()) throw new IllegalArgumentException("empty secret from " + origin);
        this.value = value.strip();
        this.origin = origin;
    }

    public String reveal() {
        return value;
    }

    public String origin() {
        return origin;
    }

    @Override
    public String toString() {
        return "***(" + origin + ")";
    }
}
