package io.framegate.server.tenancy;

import com.fasterxml.jackson.databind.JsonNode;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the budget and limit fields of an admin request body into column values: a field given as JSON {@code null}
 * (or the string {@code "none"}) clears the limit (NULL = no limit), a field left out keeps its value.
 */
final class LimitFields {
    static final Set<String> COMMON = Set.of("budget_usd", "rpm", "max_concurrent", "video_seconds_limit");
    static final Set<String> KEY_ONLY = Set.of("expires_at", "expires_in", "models");
    private static final Pattern DURATION = Pattern.compile("(\\d{1,9})\\s*(s|m|h|d)");
    /** The latest expiry taken, 9999-12-31T23:59:59Z: the last instant ISO-8601 writes with a 4-digit year. */
    static final long MAX_EXPIRES_AT = 253_402_300_799L;
    private static final String EXPIRES_AT_RULE = "; allowed: epoch seconds 0.." + MAX_EXPIRES_AT
            + ", or an ISO-8601 instant from 1970-01-01T00:00:00Z to 9999-12-31T23:59:59Z";

    private LimitFields() {
    }

    /** Refuses a field not in {@code allowed}, naming it and what is allowed. */
    static void checkFields(JsonNode body, Set<String> allowed) {
        if (body == null || body.isNull() || body.isMissingNode()) return;
        if (!body.isObject()) throw AdminException.invalid(null, "the request body must be a JSON object");
        for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!allowed.contains(f)) {
                throw AdminException.invalid(f, "unknown field '" + f + "'; allowed: " + String.join(", ", new TreeSet<>(allowed)));
            }
        }
    }

    /** Column -> value (null clears) for every budget or limit field present in {@code body}. */
    static Map<String, Object> parse(JsonNode body, boolean forKey, Function<String, Optional<String>> modelIds, long nowMs) {
        Map<String, Object> cols = new LinkedHashMap<>();
        if (body == null || !body.isObject()) return cols;
        if (body.has("budget_usd")) cols.put("budget_micros", cleared(body.get("budget_usd")) ? null : budget(body.get("budget_usd")));
        whole(body, "rpm", 1, 1_000_000, cols);
        whole(body, "max_concurrent", 1, 1_000_000, cols);
        whole(body, "video_seconds_limit", 0, 1_000_000_000L, cols);
        if (!forKey) return cols;
        if (body.has("expires_at") && body.has("expires_in")) {
            throw AdminException.invalid("expires_in", "give expires_at or expires_in, not both");
        }
        if (body.has("expires_at")) cols.put("expires_at", cleared(body.get("expires_at")) ? null : instant(body.get("expires_at")));
        if (body.has("expires_in")) cols.put("expires_at", cleared(body.get("expires_in")) ? null : expiresIn(body.get("expires_in"), nowMs));
        if (body.has("models")) cols.put("models", cleared(body.get("models")) ? null : models(body.get("models"), modelIds));
        return cols;
    }

    private static boolean cleared(JsonNode v) {
        return v == null || v.isNull() || (v.isTextual() && v.asText().trim().equalsIgnoreCase("none"));
    }

    private static long budget(JsonNode v) {
        if (v.isTextual()) return BudgetInput.parseUsd(v.asText(), "budget_usd");
        if (v.isNumber()) return BudgetInput.micros(v.decimalValue(), "budget_usd");
        throw AdminException.invalid("budget_usd", "budget_usd must be a dollar amount such as \"12.50\", or null for no budget");
    }

    private static void whole(JsonNode body, String field, long min, long max, Map<String, Object> cols) {
        if (!body.has(field)) return;
        JsonNode v = body.get(field);
        if (cleared(v)) {
            cols.put(field, null);
            return;
        }
        String rule = "; allowed: " + min + ".." + max + ", or null for no limit";
        BigDecimal d;
        try {
            d = v.isNumber() ? v.decimalValue() : new BigDecimal(v.asText().trim());
        } catch (NumberFormatException e) {
            throw AdminException.invalid(field, field + "=" + v.asText() + " is not a whole number" + rule);
        }
        // the range first: 1e400 is a whole number, just too large
        if (d.compareTo(BigDecimal.valueOf(min)) < 0 || d.compareTo(BigDecimal.valueOf(max)) > 0) {
            throw AdminException.invalid(field, field + "=" + v.asText() + " is out of range" + rule);
        }
        long n;
        try {
            n = d.longValueExact();
        } catch (ArithmeticException e) {
            throw AdminException.invalid(field, field + "=" + v.asText() + " is not a whole number" + rule);
        }
        cols.put(field, field.equals("video_seconds_limit") ? (Object) n : (Object) (int) n);
    }

    /**
     * Epoch seconds, or an ISO-8601 instant such as {@code 2026-12-31T00:00:00Z}, up to {@link #MAX_EXPIRES_AT}; past
     * times expire the key now. Judged exactly: a number's long value would read 1e400 as 0, i.e. "expire now".
     */
    private static long instant(JsonNode v) {
        if (v.isNumber()) {
            BigDecimal d = v.decimalValue();
            if (d.signum() < 0 || d.compareTo(BigDecimal.valueOf(MAX_EXPIRES_AT)) > 0) {
                throw AdminException.invalid("expires_at", "expires_at=" + v.asText() + " is out of range" + EXPIRES_AT_RULE);
            }
            try {
                return d.longValueExact() * 1000L;
            } catch (ArithmeticException e) {
                throw AdminException.invalid("expires_at", "expires_at=" + v.asText() + " is not a whole number of seconds"
                        + EXPIRES_AT_RULE);
            }
        }
        Instant t;
        try {
            t = Instant.parse(v.asText().trim());
        } catch (DateTimeParseException e) {
            throw AdminException.invalid("expires_at", "expires_at=" + v.asText() + " is not a time" + EXPIRES_AT_RULE);
        }
        if (t.getEpochSecond() < 0 || t.getEpochSecond() > MAX_EXPIRES_AT) {
            throw AdminException.invalid("expires_at", "expires_at=" + v.asText() + " is out of range" + EXPIRES_AT_RULE);
        }
        return t.toEpochMilli();
    }

    /** When a key given {@code expires_in} expires: no later than {@code expires_at} may say. */
    private static long expiresIn(JsonNode v, long nowMs) {
        long at = nowMs + duration(v);
        if (at / 1000 > MAX_EXPIRES_AT) {
            throw AdminException.invalid("expires_in", "expires_in=" + v.asText() + " is out of range: it ends after "
                    + "9999-12-31T23:59:59Z, the latest expiry a key can have");
        }
        return at;
    }

    /** {@code 30d}, {@code 12h}, {@code 90m}, {@code 45s} in milliseconds. */
    static long duration(JsonNode v) {
        Matcher m = DURATION.matcher(v.asText().trim().toLowerCase(Locale.ROOT));
        if (!m.matches() || Long.parseLong(m.group(1)) == 0) {
            throw AdminException.invalid("expires_in", "expires_in=" + v.asText() + " is not a duration; write it like 30d, 12h, 90m or 45s");
        }
        long n = Long.parseLong(m.group(1));
        Duration d = switch (m.group(2)) {
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
        };
        return d.toMillis();
    }

    /** Catalog ids, comma-separated (aliases resolved to the model they stand for); an unknown name is refused. */
    private static String models(JsonNode v, Function<String, Optional<String>> modelIds) {
        List<String> names = new ArrayList<>();
        if (v.isArray()) v.forEach(n -> names.add(n.asText()));
        else for (String s : v.asText().split(",")) names.add(s);
        Set<String> ids = new java.util.LinkedHashSet<>();
        for (String raw : names) {
            String name = raw.trim();
            if (name.isEmpty()) continue;
            ids.add(modelIds.apply(name).orElseThrow(() -> AdminException.invalid("models", "models: '" + name
                    + "' is not a model of this server's catalog or an alias of its config; see `framegate models`")));
        }
        if (ids.isEmpty()) throw AdminException.invalid("models", "models is empty; give model ids, or null for every model");
        String joined = String.join(",", ids);
        if (joined.length() > 4000) throw AdminException.invalid("models", "models is longer than 4000 characters");
        return joined;
    }
}
