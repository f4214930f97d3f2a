package io.framegate.server.veo;

import com.fasterxml.jackson.databind.JsonNode;
import io.framegate.server.veo.GoogleApiException.FieldViolation;

import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/** Reads a Veo body's fields by type and gathers every problem, so that one 400 lists them all. */
final class VeoFields {
    private static final Pattern WHOLE_NUMBER = Pattern.compile("\\s*-?\\d{1,19}\\s*");

    private final List<FieldViolation> violations = new ArrayList<>();

    void add(String field, String description) {
        violations.add(new FieldViolation(field, description));
    }

    void throwIfAny() {
        if (!violations.isEmpty()) throw GoogleApiException.invalidArgument(violations);
    }

    void unknownFields(JsonNode node, Set<String> known, String prefix) {
        List<String> unknown = new ArrayList<>();
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (!known.contains(name)) unknown.add(name);
        }
        for (String name : unknown) {
            add(prefix + name, "unknown field " + prefix + name + "; known fields here: "
                    + String.join(", ", new TreeSet<>(known)));
        }
    }

    String string(JsonNode parent, String name, String field) {
        JsonNode n = present(parent, name);
        if (n == null) return null;
        if (!n.isTextual()) {
            add(field, field + " must be a string; got " + n);
            return null;
        }
        return n.asText();
    }

    Long longValue(JsonNode parent, String name, String field) {
        JsonNode n = present(parent, name);
        if (n == null) return null;
        if (n.isIntegralNumber() && n.canConvertToLong()) return n.asLong();
        if (n.isNumber() && n.asDouble() == Math.rint(n.asDouble()) && Math.abs(n.asDouble()) < 1e18) {
            return (long) n.asDouble();
        }
        if (n.isTextual() && WHOLE_NUMBER.matcher(n.asText()).matches()) {
            try {
                return Long.parseLong(n.asText().trim());
            } catch (NumberFormatException e) {
                // falls through to the error below
            }
        }
        add(field, field + " must be a whole number (as a number or a string of digits); got " + n);
        return null;
    }

    Integer integer(JsonNode parent, String name, String field) {
        Long v = longValue(parent, name, field);
        if (v == null) return null;
        if (v > Integer.MAX_VALUE || v < Integer.MIN_VALUE) {
            add(field, field + "=" + v + " is out of range");
            return null;
        }
        return v.intValue();
    }

    Boolean bool(JsonNode parent, String name, String field) {
        JsonNode n = present(parent, name);
        if (n == null) return null;
        if (n.isBoolean()) return n.asBoolean();
        if (n.isTextual() && (n.asText().equalsIgnoreCase("true") || n.asText().equalsIgnoreCase("false"))) {
            return Boolean.parseBoolean(n.asText());
        }
        add(field, field + " must be true or false; got " + n);
        return null;
    }

    /** An enum value in either case; returned lowercase. */
    String enumValue(JsonNode parent, String name, String field, String... allowed) {
        String v = string(parent, name, field);
        if (v == null) return null;
        String norm = v.trim().toLowerCase(Locale.ROOT);
        for (String a : allowed) if (a.equals(norm)) return a;
        add(field, field + "=" + v + " is not allowed; allowed: " + String.join(", ", allowed)
                + " (either case)");
        return null;
    }

    byte[] base64(JsonNode parent, String name, String field) {
        String text = string(parent, name, field);
        if (text == null) return null;
        String compact = text.replaceAll("\\s+", "");
        try {
            return Base64.getDecoder().decode(compact);
        } catch (IllegalArgumentException standard) {
            try {
                return Base64.getUrlDecoder().decode(compact);
            } catch (IllegalArgumentException urlSafe) {
                add(field, field + " is not valid base64: " + standard.getMessage());
                return null;
            }
        }
    }

    /** The field's node, or null when it is absent or JSON null (both mean "not given"). */
    static JsonNode present(JsonNode parent, String name) {
        JsonNode n = parent.get(name);
        return n == null || n.isNull() ? null : n;
    }

    @SafeVarargs
    static <T> T firstNonNull(T... values) {
        for (T v : values) if (v != null) return v;
        return null;
    }
}
