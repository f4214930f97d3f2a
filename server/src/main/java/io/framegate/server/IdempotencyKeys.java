package io.framegate.server;

import io.javalin.http.Context;

/** The {@code Idempotency-Key} header, checked the same way on every surface before anything else happens. */
public final class IdempotencyKeys {
    public static final String HEADER = "Idempotency-Key";
    /** The database column holds this many characters. */
    public static final int MAX_LENGTH = 255;

    private IdempotencyKeys() {
    }

    /**
     * The trimmed key, or null when none was sent.
     *
     * @throws BadHeaderException the key is longer than {@value #MAX_LENGTH} characters or holds control characters
     */
    public static String read(Context c) {
        String k = c.header(HEADER);
        if (k == null || k.isBlank()) return null;
        k = k.trim();
        if (k.length() > MAX_LENGTH) {
            throw new BadHeaderException(HEADER, "The " + HEADER + " header is " + k.length() + " characters long; at most "
                    + MAX_LENGTH + " are allowed.");
        }
        if (k.chars().anyMatch(ch -> ch < 0x20 || ch == 0x7f)) {
            throw new BadHeaderException(HEADER, "The " + HEADER + " header holds control characters; use printable text.");
        }
        return k;
    }
}
