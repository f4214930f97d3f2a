package io.framegate.provider;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * What of an upstream's words may reach a job's notes, a client or a log. An error body is never copied: at most a
 * short error code or status token ({@code RESOURCE_EXHAUSTED}, {@code invalid_request_error}) is kept, and only when
 * it cannot be a credential. Free text the upstream reports as a job's outcome (a failure or safety message) is kept
 * with anything token-like blanked out, since an upstream may echo the credential it was sent.
 */
public final class SafeText {
    private static final Pattern CODE = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
    /** Prefixes of common credentials: OpenAI keys, Google OAuth tokens and API keys, JWTs, GitHub, Slack, AWS. */
    private static final Pattern SECRET_PREFIX = Pattern.compile("(?i)^(sk-|sk_|ya29|aiza|eyj|ghp_|gho_|xox|akia|bearer)");
    /** A run that looks like a key or token: long, mixing letters and digits, or with a credential prefix. */
    private static final Pattern TOKENISH = Pattern.compile(
            "(?i)\\b(bearer\\s+)?(sk-|sk_|ya29\\.|aiza|eyj|ghp_|gho_|xox[a-z]-|akia)[A-Za-z0-9._~+/=-]*"
                    + "|[A-Za-z0-9._~+/=-]{20,}");
    private static final int MAX_TEXT = 500;
    /**
     * Terminal escape sequences (ANSI CSI, 7- and 8-bit, OSC up to its terminator, any other ESC pair): upstream text
     * reaches clients and the server log, where they would recolour, clear or retitle an operator's terminal.
     */
    private static final Pattern TERMINAL_ESCAPE = Pattern.compile(
            "\\u001B\\[[0-?]*[ -/]*[@-~]|\\u009B[0-?]*[ -/]*[@-~]|\\u001B\\][^\\u0007\\u001B]*(\\u0007|\\u001B\\\\)?|\\u001B.?");
    /** Control characters and invisible format characters (bidi overrides, zero-width): a space each. */
    private static final Pattern INVISIBLE = Pattern.compile("[\\p{Cc}\\p{Cf}]");

    private SafeText() {
    }

    /**
     * The upstream's error code from a JSON error body ({@code error.status} of Google, {@code error.code} or
     * {@code error.type} of OpenAI, fal's {@code detail[0].type} or {@code error_type}), or null when there is none
     * that is safe to show.
     */
    public static String errorCode(byte[] body) {
        if (body == null || body.length == 0) return null;
        try {
            JsonNode root = Http.JSON.readTree(body);
            JsonNode err = root.path("error");
            for (String field : new String[]{"status", "code", "type"}) {
                JsonNode v = err.path(field);
                if (v.isTextual()) {
                    String safe = code(v.asText());
                    if (safe != null) return safe;
                }
            }
            // fal: {"detail": [{"type": ...}]} for model errors, {"error_type": ...} for request errors
            for (JsonNode v : new JsonNode[]{root.path("detail").path(0).path("type"), root.path("error_type")}) {
                if (v.isTextual() && code(v.asText()) != null) return code(v.asText());
            }
            // DashScope: {"request_id", "code", "message"}
            JsonNode top = root.path("code");
            if (top.isTextual() && code(top.asText()) != null) return code(top.asText());
        } catch (Exception notJson) {
            // nothing safe to take from it
        }
        return null;
    }

    /** {@code s} when it is a plain code token that cannot be a credential; otherwise null. */
    public static String code(String s) {
        if (s == null || !CODE.matcher(s).matches()) return null;
        if (SECRET_PREFIX.matcher(s).find()) return null;
        boolean digit = s.chars().anyMatch(Character::isDigit);
        boolean letter = s.chars().anyMatch(Character::isLetter);
        if (digit && letter && s.length() >= 12) return null;
        return s;
    }

    /**
     * Free upstream text with anything token-like replaced by {@code [redacted]}, on one line without terminal escapes
     * or control characters, at most 500 chars.
     */
    public static String redact(String text) {
        if (text == null) return null;
        String s = INVISIBLE.matcher(TERMINAL_ESCAPE.matcher(text).replaceAll("")).replaceAll(" ")
                .replaceAll("\\s+", " ").strip();
        s = TOKENISH.matcher(s).replaceAll(m -> looksSecret(m.group()) ? "[redacted]" : m.group().replace("$", "\\$"));
        return s.length() > MAX_TEXT ? s.substring(0, MAX_TEXT) + "..." : s;
    }

    private static boolean looksSecret(String run) {
        String lower = run.toLowerCase(Locale.ROOT);
        if (lower.startsWith("bearer") || SECRET_PREFIX.matcher(run).find()) return true;
        // a long run of one kind of character (a URL path, a word) is not a secret; a key mixes letters and digits
        return run.chars().anyMatch(Character::isDigit) && run.chars().anyMatch(Character::isLetter);
    }

    /**
     * A failed HTTP call in words, with the status and the upstream's code when it has a safe one, e.g.
     * {@code Gemini operation: the upstream refused the credential (HTTP 401 UNAUTHENTICATED)}.
     */
    public static String httpFailure(String what, int status, String code) {
        String meaning;
        if (status == 401 || status == 403) meaning = "the upstream refused the credential";
        else if (status == 429) meaning = "the upstream is rate limiting";
        else if (status == 503) meaning = "the upstream is unavailable";
        else if (status >= 500) meaning = "the upstream failed";
        else if (status == 404 || status == 410) meaning = "the upstream does not know it";
        else meaning = "the upstream rejected the request";
        return what + ": " + meaning + " (HTTP " + status + (code != null ? " " + code : "") + ")";
    }
}
