package io.framegate.provider;

import com.fasterxml.jackson.databind.JsonNode;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What of an upstream's words may reach a job's notes, a client or a log. An error body is never copied: at most a
 * short error code or status token ({@code RESOURCE_EXHAUSTED}, {@code invalid_request_error}) is kept, and only when
 * it cannot be a credential. Free text the upstream reports as a job's outcome (a failure or safety message) is kept
 * with anything token-like blanked out, since an upstream may echo the credential it was sent. Besides the patterns of
 * common credentials, the literal values of the channels' configured credentials (registered through {@link #secret}
 * as {@link ProviderSection#secret} reads them) are blanked out, whatever their shape: a key of letters only, fal's
 * {@code key_id:key_secret} or a provider's format no pattern knows.
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

    /**
     * The shortest credential value (or part of one) redacted literally: a shorter one would blank out ordinary words.
     */
    static final int MIN_SECRET = 8;
    private static final Object SECRETS_LOCK = new Object();
    /** Every form registered so far (see {@link #secret}); only grows. */
    private static final Set<String> SECRET_FORMS = new LinkedHashSet<>();
    /** All of {@link #SECRET_FORMS}, longest first, as one case-insensitive alternation; null while there are none. */
    private static volatile Pattern secrets;

    private SafeText() {
    }

    /**
     * Registers a configured credential's value, so that {@link #redact} blanks it out and {@link #code} refuses it
     * wherever an upstream echoes it. Also registered: each {@code :}-separated part (fal's key id and secret, a
     * user:password pair), the value percent-encoded, and its base64 and base64url (as in a Basic authorization),
     * each form from {@value #MIN_SECRET} characters on. Matching ignores case (hex escapes come in either).
     */
    public static void secret(String value) {
        if (value == null) return;
        Set<String> forms = new LinkedHashSet<>();
        forms.add(value);
        for (String part : value.split(":")) forms.add(part);
        forms.add(URLEncoder.encode(value, StandardCharsets.UTF_8));
        byte[] raw = value.getBytes(StandardCharsets.UTF_8);
        forms.add(Base64.getEncoder().withoutPadding().encodeToString(raw));
        forms.add(Base64.getUrlEncoder().withoutPadding().encodeToString(raw));
        forms.removeIf(f -> f.strip().length() < MIN_SECRET);
        synchronized (SECRETS_LOCK) {
            if (!SECRET_FORMS.addAll(forms)) return;
            List<String> sorted = new ArrayList<>(SECRET_FORMS);
            sorted.sort(Comparator.comparingInt(String::length).reversed());
            StringBuilder alt = new StringBuilder();
            for (String f : sorted) alt.append(alt.isEmpty() ? "" : "|").append(Pattern.quote(f));
            secrets = Pattern.compile(alt.toString(), Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE);
        }
    }

    /** {@code s} with every registered credential form ({@link #secret}) replaced by {@code [redacted]}. */
    public static String withoutSecrets(String s) {
        Pattern p = secrets;
        if (s == null || p == null) return s;
        return p.matcher(s).replaceAll("[redacted]");
    }

    /** Whether {@code s} holds a registered credential form, or is itself a piece of one (from 8 chars on). */
    static boolean holdsSecret(String s) {
        Pattern p = secrets;
        if (s == null || p == null) return false;
        if (p.matcher(s).find()) return true;
        if (s.length() < MIN_SECRET) return false;
        String lower = s.toLowerCase(Locale.ROOT);
        synchronized (SECRETS_LOCK) {
            for (String f : SECRET_FORMS) if (f.toLowerCase(Locale.ROOT).contains(lower)) return true;
        }
        return false;
    }

    /**
     * {@code cause} as it may be kept in an exception that is shown or logged: unchanged, unless its chain holds an
     * upstream's words, that is a parser's exception (Jackson quotes the text it could not read) or a message holding a
     * registered credential; then a copy of the chain with each message {@link #redact}ed, each link naming the
     * original class, with the original stack traces.
     */
    public static Throwable scrubbed(Throwable cause) {
        boolean quotes = false;
        for (Throwable c = cause; c != null && !quotes; c = c.getCause()) {
            quotes = c instanceof com.fasterxml.jackson.core.JacksonException || holdsSecret(c.getMessage());
        }
        return quotes ? copy(cause, 0) : cause;
    }

    private static Throwable copy(Throwable t, int depth) {
        if (t == null || depth > 20) return null;
        Throwable c = new Scrubbed(t.getClass().getName() + (t.getMessage() != null ? ": " + redact(t.getMessage()) : ""),
                copy(t.getCause(), depth + 1));
        c.setStackTrace(t.getStackTrace());
        return c;
    }

    /** A link of a {@link #scrubbed} chain: the original class's name and its message without an upstream's secrets. */
    public static final class Scrubbed extends Exception {
        Scrubbed(String message, Throwable cause) {
            super(message, cause, false, true);
        }

        @Override
        public String toString() {
            return getMessage(); // already names the original class
        }
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
        if (SECRET_PREFIX.matcher(s).find() || holdsSecret(s)) return null;
        boolean digit = s.chars().anyMatch(Character::isDigit);
        boolean letter = s.chars().anyMatch(Character::isLetter);
        if (digit && letter && s.length() >= 12) return null;
        return s;
    }

    /**
     * Free upstream text with the configured credentials ({@link #secret}) and anything token-like replaced by
     * {@code [redacted]}, on one line without terminal escapes or control characters, at most 500 chars.
     */
    public static String redact(String text) {
        if (text == null) return null;
        String s = INVISIBLE.matcher(TERMINAL_ESCAPE.matcher(text).replaceAll("")).replaceAll(" ")
                .replaceAll("\\s+", " ").strip();
        s = withoutSecrets(s);
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
