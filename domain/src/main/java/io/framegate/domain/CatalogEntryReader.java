package io.framegate.domain;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Maps one catalog entry (a JSON tree) to its {@link ModelSpec}, field by field. Jackson's data binding did this
 * before; building its deserializers for the records cost 130-170 ms on the first entry of every process, on the
 * critical path of every {@code generate} (the request is validated against the catalog). The tree is still Jackson's.
 * As strict as the binding was: an unknown field, or a value of the wrong type, is refused with the field's path.
 * ({@code CatalogEntryReaderTest} checks that every built-in entry reads as the binding reads it, and that every
 * record component has a field here.)
 */
final class CatalogEntryReader {
    static final Set<String> MODEL_FIELDS = Set.of("id", "aliases", "provider", "kind", "description", "roles",
            "minImages", "seconds", "secondsRange", "defaultSeconds", "sizes", "sizeRange", "defaultSize", "fps",
            "fpsRange", "defaultFps", "maxVideos", "seed", "negativePrompt", "promptRequired", "audio", "exactFrames",
            "pricePerSecond", "rules", "lifecycle", "priceNote", "pricePerVideo", "wire");
    static final Set<String> RULE_FIELDS = Set.of("when", "then", "requireRoles", "forbidRoles", "because");
    static final Set<String> LIFECYCLE_FIELDS = Set.of("status", "shutdown", "replacement", "note");
    static final Set<String> WIRE_FIELDS = Set.of("fields", "formats", "constants", "images");
    static final Set<String> RANGE_FIELDS = Set.of("min", "max");

    private CatalogEntryReader() {
    }

    static ModelSpec modelSpec(JsonNode n) throws IOException {
        object(n, "", MODEL_FIELDS);
        return new ModelSpec(text(n, "id"), list(n, "aliases", CatalogEntryReader::asText), text(n, "provider"),
                text(n, "kind"), text(n, "description"), roles(n.get("roles")), integer(n, "minImages"),
                list(n, "seconds", CatalogEntryReader::asInt), range(n, "secondsRange"), integer(n, "defaultSeconds"),
                list(n, "sizes", CatalogEntryReader::asText), range(n, "sizeRange"), text(n, "defaultSize"),
                list(n, "fps", CatalogEntryReader::asInt), range(n, "fpsRange"), integer(n, "defaultFps"),
                integer(n, "maxVideos"), bool(n, "seed"), bool(n, "negativePrompt"), bool(n, "promptRequired"),
                text(n, "audio"), bool(n, "exactFrames"), map(n, "pricePerSecond", CatalogEntryReader::asDouble),
                list(n, "rules", CatalogEntryReader::rule), lifecycle(n.get("lifecycle")), text(n, "priceNote"),
                map(n, "pricePerVideo", CatalogEntryReader::asDouble), wire(n.get("wire")));
    }

    private static Rule rule(JsonNode n, String path) throws IOException {
        object(n, path + ".", RULE_FIELDS);
        Reader<List<String>> texts = (v, p) -> listOf(v, p, CatalogEntryReader::asText);
        Reader<ImageRole> role = CatalogEntryReader::role;
        return new Rule(map(n, "when", texts), map(n, "then", texts), list(n, "requireRoles", role),
                list(n, "forbidRoles", role), text(n, "because"));
    }

    private static Lifecycle lifecycle(JsonNode n) throws IOException {
        if (absent(n)) return null;
        object(n, "lifecycle.", LIFECYCLE_FIELDS);
        String shutdown = text(n, "shutdown");
        try {
            return new Lifecycle(text(n, "status"), shutdown == null ? null : LocalDate.parse(shutdown),
                    text(n, "replacement"), text(n, "note"));
        } catch (DateTimeParseException e) {
            throw new IOException("lifecycle.shutdown: " + shutdown + " is not a date (YYYY-MM-DD)");
        }
    }

    private static WireFields wire(JsonNode n) throws IOException {
        if (absent(n)) return null;
        object(n, "wire.", WIRE_FIELDS);
        return new WireFields(map(n, "fields", CatalogEntryReader::asText), map(n, "formats", CatalogEntryReader::asText),
                map(n, "constants", (v, p) -> plain(v)), list(n, "images", CatalogEntryReader::asText));
    }

    private static Map<ImageRole, Integer> roles(JsonNode n) throws IOException {
        if (absent(n)) return null;
        if (!n.isObject()) throw new IOException("roles: expected an object, got " + n);
        Map<ImageRole, Integer> out = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : n.properties()) {
            ImageRole r = ImageRole.parseOrNull(e.getKey());
            if (r == null) throw new IOException("roles." + e.getKey() + ": not an image role");
            out.put(r, asInt(e.getValue(), "roles." + e.getKey()));
        }
        return out;
    }

    private static Range range(JsonNode parent, String field) throws IOException {
        JsonNode n = parent.get(field);
        if (absent(n)) return null;
        object(n, field + ".", RANGE_FIELDS);
        if (!n.has("min") || !n.has("max")) throw new IOException(field + ": needs min and max");
        return new Range(asInt(n.get("min"), field + ".min"), asInt(n.get("max"), field + ".max"));
    }

    // --- the tree's values --------------------------------------------------------------------------------------

    @FunctionalInterface
    private interface Reader<T> {
        T read(JsonNode value, String path) throws IOException;
    }

    /** Refuses a non-object and any field not in {@code known} (the binding failed on unknown properties). */
    private static void object(JsonNode n, String prefix, Set<String> known) throws IOException {
        if (!n.isObject()) {
            throw new IOException((prefix.isEmpty() ? "an entry" : prefix) + ": expected an object, got " + n);
        }
        for (Map.Entry<String, JsonNode> e : n.properties()) {
            if (!known.contains(e.getKey())) throw new IOException("unknown field " + prefix + e.getKey());
        }
    }

    private static boolean absent(JsonNode n) {
        return n == null || n.isNull() || n.isMissingNode();
    }

    private static String text(JsonNode parent, String field) throws IOException {
        JsonNode n = parent.get(field);
        return absent(n) ? null : asText(n, field);
    }

    private static Integer integer(JsonNode parent, String field) throws IOException {
        JsonNode n = parent.get(field);
        return absent(n) ? null : asInt(n, field);
    }

    private static Boolean bool(JsonNode parent, String field) throws IOException {
        JsonNode n = parent.get(field);
        if (absent(n)) return null;
        if (!n.isBoolean()) throw new IOException(field + ": expected true or false, got " + n);
        return n.booleanValue();
    }

    private static <T> List<T> list(JsonNode parent, String field, Reader<T> item) throws IOException {
        JsonNode n = parent.get(field);
        return absent(n) ? null : listOf(n, field, item);
    }

    private static <T> List<T> listOf(JsonNode n, String path, Reader<T> item) throws IOException {
        if (!n.isArray()) throw new IOException(path + ": expected a list, got " + n);
        List<T> out = new ArrayList<>(n.size());
        for (int i = 0; i < n.size(); i++) out.add(item.read(n.get(i), path + "[" + i + "]"));
        return out;
    }

    private static <T> Map<String, T> map(JsonNode parent, String field, Reader<T> value) throws IOException {
        JsonNode n = parent.get(field);
        if (absent(n)) return null;
        if (!n.isObject()) throw new IOException(field + ": expected an object, got " + n);
        Map<String, T> out = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : n.properties()) {
            out.put(e.getKey(), absent(e.getValue()) ? null : value.read(e.getValue(), field + "." + e.getKey()));
        }
        return out;
    }

    private static String asText(JsonNode n, String path) throws IOException {
        // a number where text is expected reads as its text, as the binding read it ("seconds": [8] in a rule)
        if (n.isTextual() || n.isNumber() || n.isBoolean()) return n.asText();
        throw new IOException(path + ": expected text, got " + n);
    }

    private static int asInt(JsonNode n, String path) throws IOException {
        if (n.isIntegralNumber() && n.canConvertToInt()) return n.intValue();
        throw new IOException(path + ": expected a whole number, got " + n);
    }

    private static Double asDouble(JsonNode n, String path) throws IOException {
        if (n.isNumber()) return n.doubleValue();
        throw new IOException(path + ": expected a number, got " + n);
    }

    private static ImageRole role(JsonNode n, String path) throws IOException {
        ImageRole r = n.isTextual() ? ImageRole.parseOrNull(n.textValue()) : null;
        if (r == null) throw new IOException(path + ": " + n + " is not an image role");
        return r;
    }

    /** A constant as plain Java values: text, numbers, booleans, lists and maps (what the binding made of Object). */
    private static Object plain(JsonNode n) {
        if (absent(n)) return null;
        if (n.isTextual()) return n.textValue();
        if (n.isBoolean()) return n.booleanValue();
        // Integer, Long or BigInteger as the number needs, Double for a fraction: what the binding made of them
        if (n.isNumber()) return n.numberValue();
        if (n.isArray()) {
            List<Object> out = new ArrayList<>(n.size());
            for (JsonNode v : n) out.add(plain(v));
            return out;
        }
        Map<String, Object> out = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : n.properties()) out.put(e.getKey(), plain(e.getValue()));
        return out;
    }
}
