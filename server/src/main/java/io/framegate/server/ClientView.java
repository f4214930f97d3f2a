package io.framegate.server;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * What of a job's internals a client may see, for every surface: a whitelist of notes (never upstream bodies,
 * retries' messages, channel credentials or internal hosts, which backends also note) and error messages without
 * exception class names or file paths.
 */
public final class ClientView {
    /** The notes a client sees; everything else a backend notes stays in the database and the log. */
    public static final Set<String> VISIBLE_NOTES = Set.of("requested_model", "upstream_model", "provider",
            "engine_mode", "engine_motion", "fit", "translation", "submitted_at", "completed_at", "upstream_seconds",
            "videos_delivered", "polls", "download_ms", "upstream_id", "resumed");
    private static final String FALLBACK = "the video could not be made";
    private static final Pattern CLASS_NAME = Pattern.compile(
            "\\b(?:[a-z][a-z0-9_]*\\.)*[A-Z][A-Za-z0-9_$]*(?:Exception|Error)\\b:?\\s*");
    private static final Pattern UNIX_PATH = Pattern.compile("(?<![\\w:/.])/(?:[\\w.@+-]+/)+[\\w.@+-]*");
    private static final Pattern WINDOWS_PATH = Pattern.compile("\\b[A-Za-z]:\\\\(?:[^\\\\\\s]+\\\\)*[^\\\\\\s]*");
    private static final int MAX_MESSAGE = 500;

    private ClientView() {
    }

    /** The whitelisted notes, sorted by key. */
    public static Map<String, String> notes(Map<String, String> notes) {
        Map<String, String> out = new TreeMap<>();
        notes.forEach((k, v) -> {
            if (VISIBLE_NOTES.contains(k)) out.put(k, v);
        });
        return out;
    }

    /**
     * A dollar note ({@code 3.2000}, {@code 0.123456}) as an exact decimal for JSON (never through a double, so
     * {@code 0.123456} stays {@code 0.123456}); null for null or a note that is not a decimal.
     */
    public static java.math.BigDecimal usd(String note) {
        if (note == null) return null;
        try {
            java.math.BigDecimal d = new java.math.BigDecimal(note.strip()).stripTrailingZeros();
            return d.scale() < 1 ? d.setScale(1) : d;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** A job's error message fit for a client, or null for null. */
    public static String errorMessage(String message) {
        if (message == null) return null;
        String s = CLASS_NAME.matcher(message).replaceAll("");
        s = UNIX_PATH.matcher(s).replaceAll("a file");
        s = WINDOWS_PATH.matcher(s).replaceAll("a file").strip();
        if (s.length() > MAX_MESSAGE) s = s.substring(0, MAX_MESSAGE - 3) + "...";
        return s.isBlank() || s.equals(":") ? FALLBACK : s;
    }
}
