package io.framegate.server.veo;

import com.fasterxml.jackson.databind.JsonNode;
import io.framegate.server.Base64Text;
import io.framegate.server.WholeNumber;
import io.framegate.server.veo.GoogleApiException.FieldViolation;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/** Reads a Veo body's fields by type and gathers every problem, so that one 400 lists them all. */
final class VeoFields {
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

    /**
     * A whole number (a JSON number or a string of digits) from {@code min} to {@code max}; else a problem echoing the
     * value and saying the rule: a whole number beyond the bounds is out of range, with {@code allowed} (e.g.
     * {@code 0..4294967295}), never "not a whole number".
     */
    Long longValue(JsonNode parent, String name, String field, long min, long max, String allowed) {
        JsonNode n = present(parent, name);
        if (n == null) return null;
        WholeNumber w = WholeNumber.read(n, min, max);
        if (w.value() != null) return w.value();
        if (w.outOfRange()) add(field, field + "=" + w.sent() + " is out of range; allowed: " + allowed);
        else add(field, field + " must be a whole number (as a number or a string of digits); got " + n + "; allowed: "
                + allowed);
        return null;
    }

    /** {@link #longValue} within an int. */
    Integer integer(JsonNode parent, String name, String field, String allowed) {
        Long v = longValue(parent, name, field, Integer.MIN_VALUE, Integer.MAX_VALUE, allowed);
        return v == null ? null : v.intValue();
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
        try {
            return Base64Text.decode(text, true);
        } catch (Base64Text.Invalid e) {
            add(field, field + " is not valid base64: " + e.getMessage());
            return null;
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
