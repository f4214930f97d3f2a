package io.framegate.server.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.POJONode;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Turns multipart (or url-encoded) fields with the SDKs' bracketed keys ({@code input_reference[image_url]},
 * {@code frame_images[0][frame_type]}, {@code input_references[]}) into the same JSON tree a JSON body gives, so
 * one parser reads both. Uploaded files become {@link POJONode}s holding an {@link Upload}.
 */
final class FormTree {
    private FormTree() {
    }

    /** An uploaded file part. */
    record Upload(String field, String fileName, String contentType, byte[] bytes) {
    }

    static ObjectNode build(Map<String, List<String>> fields, List<Upload> files) {
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        for (Map.Entry<String, List<String>> e : fields.entrySet()) {
            for (String v : e.getValue()) put(root, e.getKey(), JsonNodeFactory.instance.textNode(v));
        }
        for (Upload u : files) put(root, u.field(), new POJONode(u));
        return (ObjectNode) arrays(root);
    }

    /** Puts a value at the path of a bracketed key; {@code []} appends. */
    private static void put(ObjectNode root, String key, JsonNode value) {
        List<String> path = parse(key);
        ObjectNode node = root;
        for (int i = 0; i < path.size() - 1; i++) {
            String seg = segment(node, path.get(i));
            JsonNode child = node.get(seg);
            if (!(child instanceof ObjectNode)) {
                if (child != null) throw OpenAiError.invalid(key, "invalid_multipart",
                        "Multipart field '" + key + "' conflicts with another field of the same name.");
                child = node.putObject(seg);
            }
            node = (ObjectNode) child;
        }
        String last = segment(node, path.get(path.size() - 1));
        if (value instanceof POJONode && node.get(last) instanceof ObjectNode obj && !obj.has("file")) {
            // a file part named as the object its other fields fill (frame_images[0] beside
            // frame_images[0][frame_type]) is that object's file, as frame_images[0][file] would be
            obj.set("file", value);
            return;
        }
        if (node.has(last)) {
            throw OpenAiError.invalid(key, "invalid_multipart", "Multipart field '" + key + "' is given more than once.");
        }
        node.set(last, value);
    }

    /** {@code []} means "next index"; a plain name stays as it is. */
    private static String segment(ObjectNode node, String seg) {
        if (!seg.isEmpty()) return seg;
        int n = 0;
        while (node.has(String.valueOf(n))) n++;
        return String.valueOf(n);
    }

    static List<String> parse(String key) {
        List<String> out = new ArrayList<>();
        int open = key.indexOf('[');
        if (open < 0) {
            out.add(key);
            return out;
        }
        out.add(key.substring(0, open));
        int i = open;
        while (i < key.length()) {
            if (key.charAt(i) != '[') throw badKey(key);
            int close = key.indexOf(']', i);
            if (close < 0) throw badKey(key);
            out.add(key.substring(i + 1, close));
            i = close + 1;
        }
        if (out.get(0).isEmpty()) throw badKey(key);
        return out;
    }

    private static OpenAiError badKey(String key) {
        return OpenAiError.invalid(key, "invalid_multipart", "Multipart field name '" + key + "' is not a valid bracketed key.");
    }

    /** Objects whose keys are all 0..n-1 become arrays (in index order). */
    private static JsonNode arrays(JsonNode node) {
        if (!(node instanceof ObjectNode obj)) return node;
        List<String> keys = new ArrayList<>();
        obj.fieldNames().forEachRemaining(keys::add);
        for (String k : keys) obj.set(k, arrays(obj.get(k)));
        if (keys.isEmpty() || !keys.stream().allMatch(k -> k.matches("\\d{1,4}"))) return obj;
        List<String> sorted = keys.stream().sorted(Comparator.comparingInt(Integer::parseInt)).toList();
        for (int i = 0; i < sorted.size(); i++) {
            if (Integer.parseInt(sorted.get(i)) != i) return obj;
        }
        ArrayNode arr = JsonNodeFactory.instance.arrayNode();
        for (Iterator<String> it = sorted.iterator(); it.hasNext(); ) arr.add(obj.get(it.next()));
        return arr;
    }
}
