package io.framegate.server.openai;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.framegate.server.JsonBodies;
import io.framegate.server.WholeNumber;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads an OpenAI-surface request body (JSON, or multipart with the SDKs' bracketed keys) into one JSON tree, and the
 * typed field readers the handlers share; each reader's error names the field. Any other body is a 415, a URL-encoded
 * form included (what {@code curl -d} sends when no Content-Type is given).
 */
final class OpenAiBody {
    private static final Pattern FILE_FIELD = Pattern.compile(
            "input_reference|video|(frame_images|input_references)\\[\\d*](\\[(file|image_url)])?");

    private OpenAiBody() {
    }

    static ObjectNode read(Context c, ObjectMapper json, long max) throws IOException {
        long declared = c.req().getContentLengthLong();
        // multipart framing adds some bytes around the largest allowed file
        if (declared > max + 64 * 1024) throw OpenAiError.tooLarge(max);
        String type = c.contentType() == null ? "" : c.contentType().toLowerCase(Locale.ROOT);
        if (type.startsWith("multipart/form-data")) return readMultipart(c, max);
        if (type.isEmpty() || type.startsWith("application/json") || type.endsWith("+json")) {
            byte[] bytes;
            try {
                bytes = c.bodyAsBytes();
            } catch (HttpResponseException e) {
                if (e.getStatus() == 413) throw OpenAiError.tooLarge(max);
                throw e;
            }
            if (bytes.length > max) throw OpenAiError.tooLarge(max);
            if (bytes.length == 0) {
                if (type.isEmpty()) return json.createObjectNode();
                throw OpenAiError.invalid(null, "invalid_json", "The request body is empty; send a JSON object.");
            }
            JsonNode node;
            try {
                node = JsonBodies.readTree(json, bytes);
            } catch (JsonProcessingException e) {
                String twice = JsonBodies.duplicateKey(e).orElse(null);
                if (twice != null) throw OpenAiError.duplicateParameter(twice);
                String range = JsonBodies.numberOutOfRange(e).orElse(null);
                if (range != null) {
                    throw OpenAiError.invalid(null, "invalid_json", "We could not read the JSON body of your request: "
                            + range + " (its exponent is beyond what this server reads).");
                }
                throw OpenAiError.invalid(null, "invalid_json", "We could not parse the JSON body of your request "
                        + JsonBodies.problem(e) + ". Send valid JSON (or multipart/form-data).");
            }
            if (!(node instanceof ObjectNode obj)) {
                throw OpenAiError.invalid(null, "invalid_json", "The JSON body must be an object.");
            }
            return obj;
        }
        throw new OpenAiError(415, "invalid_request_error", null, "unsupported_media_type", "Content-Type '"
                + c.contentType() + "' is not supported; send application/json or multipart/form-data"
                + (type.startsWith("application/x-www-form-urlencoded") ? " (with curl -d, add -H 'Content-Type: application/json')" : "")
                + ".");
    }

    private static ObjectNode readMultipart(Context c, long max) {
        Map<String, List<String>> fields = new LinkedHashMap<>();
        List<FormTree.Upload> uploads = new ArrayList<>();
        try {
            c.uploadedFileMap(); // makes the container parse the parts with the configured limits
            for (jakarta.servlet.http.Part part : c.req().getParts()) {
                if (part.getSize() > max) throw OpenAiError.tooLarge(max);
                byte[] bytes;
                try (InputStream in = part.getInputStream()) {
                    bytes = in.readAllBytes();
                }
                String partType = part.getContentType();
                boolean file = part.getSubmittedFileName() != null || isFilePart(part.getName(), partType);
                if (file) {
                    uploads.add(new FormTree.Upload(part.getName(), part.getSubmittedFileName(), partType, bytes));
                } else {
                    fields.computeIfAbsent(part.getName(), k -> new ArrayList<>())
                            .add(new String(bytes, java.nio.charset.StandardCharsets.UTF_8));
                }
            }
        } catch (OpenAiError e) {
            throw e;
        } catch (RuntimeException | IOException | jakarta.servlet.ServletException e) {
            String msg = messages(e);
            if (msg.contains("exceeds max") || msg.contains("too large") || msg.contains("Too Large")) {
                throw OpenAiError.tooLarge(max);
            }
            throw OpenAiError.invalid(null, "invalid_multipart", "We could not parse the multipart body of your "
                    + "request; send multipart/form-data with one part per field.");
        }
        return FormTree.build(fields, uploads);
    }

    /**
     * A part without a file name is still a file when it says it is an image or video, or when it is generic
     * binary in a field that takes files (some SDKs send bytes without a name, and every value as octet-stream).
     */
    static boolean isFilePart(String name, String contentType) {
        if (contentType == null) return false;
        String t = contentType.toLowerCase(Locale.ROOT);
        if (t.startsWith("image/") || t.startsWith("video/")) return true;
        return t.startsWith("application/octet-stream") && FILE_FIELD.matcher(name).matches();
    }

    private static String messages(Throwable t) {
        StringBuilder sb = new StringBuilder();
        for (Throwable x = t; x != null; x = x.getCause()) {
            if (x.getMessage() != null && sb.indexOf(x.getMessage()) < 0) sb.append(x.getMessage()).append(' ');
        }
        return sb.toString();
    }

    /** Every field of {@code body} not in {@code known} is a problem naming it. */
    static void checkKnown(ObjectNode body, Set<String> known, String prefix, Problems problems) {
        for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!known.contains(k)) problems.add(OpenAiError.unknownParameter(prefix + k));
        }
    }

    static void checkQuery(Context c, Set<String> known) {
        for (String k : c.queryParamMap().keySet()) {
            if (!known.contains(k)) throw OpenAiError.unknownParameter(k);
        }
    }

    static JsonNode present(JsonNode body, String field) {
        JsonNode n = body.get(field);
        return n == null || n.isNull() ? null : n;
    }

    static String optText(JsonNode body, String field) {
        JsonNode n = present(body, field);
        if (n == null) return null;
        if (!n.isTextual()) throw OpenAiError.invalid(field, "invalid_type", "Invalid type for '" + field
                + "': expected a string, but got " + n.getNodeType().name().toLowerCase(Locale.ROOT) + ".");
        return n.asText();
    }

    static String required(JsonNode body, String field, String hint) {
        String v = optText(body, field);
        if (v == null) throw OpenAiError.invalid(field, "missing_required_parameter", "Missing required parameter: '"
                + field + "'" + hint + ".");
        return v;
    }

    /**
     * A whole number given as a string ({@code "4"}, as the SDKs send {@code seconds}) or as a JSON number, from
     * {@code min} to {@code max}; else a 400 echoing what was sent and saying the rule: {@code allowed}, e.g.
     * {@code allowed: 0..4294967295}. A whole number beyond the bounds is out of range, not "not a whole number".
     */
    static Long optWhole(JsonNode body, String field, long min, long max, String allowed) {
        JsonNode n = present(body, field);
        if (n == null) return null;
        WholeNumber w = WholeNumber.read(n, min, max);
        if (w.value() != null) return w.value();
        throw OpenAiError.invalid(field, "invalid_value", "Invalid value: '" + w.sent() + "'. " + field
                + (w.outOfRange() ? " is out of range; " : " must be a whole number; ") + allowed + ".");
    }

    /** {@link #optWhole} within an int. */
    static Integer optInt(JsonNode body, String field, String allowed) {
        Long v = optWhole(body, field, Integer.MIN_VALUE, Integer.MAX_VALUE, allowed);
        return v == null ? null : v.intValue();
    }

    static List<JsonNode> items(JsonNode node, String field) {
        List<JsonNode> out = new ArrayList<>();
        if (node instanceof ArrayNode arr) arr.forEach(out::add);
        else throw OpenAiError.invalid(field, "invalid_type", field + " must be an array.");
        return out;
    }
}
