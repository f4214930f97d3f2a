package io.framegate.server;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;

import java.io.IOException;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Client request bodies as JSON, for every surface: read strictly (a key given twice in one object is refused, never
 * taken last-wins), and what is wrong with one that is refused, said for the client: where it broke, and the parser's
 * own description without the parts that name the parser's settings and classes (its "start marker at
 * [Source: ...]" and {@code StreamReadConstraints} texts). Only client bodies are read this strictly: an upstream
 * provider's answer is its own business.
 */
public final class JsonBodies {
    private static final Pattern START_MARKER = Pattern.compile(
            " \\(start marker at \\[Source: .*?line: (\\d+), column: (\\d+)\\]\\)");

    /** Jackson's message when {@link JsonParser.Feature#STRICT_DUPLICATE_DETECTION} finds a key given twice. */
    private static final String DUPLICATE = "Duplicate field '";

    private JsonBodies() {
    }

    /**
     * A client's body as a tree, with {@code json}'s settings plus duplicate keys refused, and numbers with a fraction
     * or an exponent kept exact as written ({@code 1e400} stays that number, not a double's {@code Infinity};
     * {@code 4.0} keeps its zero), so an error can echo what was sent.
     */
    public static JsonNode readTree(ObjectMapper json, byte[] body) throws IOException {
        ObjectReader reader = reader(json);
        try {
            return reader.readTree(body);
        } catch (NumberFormatException | ArithmeticException e) {
            throw outOfRange(reader.createParser(body), e);
        }
    }

    /** As {@link #readTree(ObjectMapper, byte[])}, for a body read as text. */
    public static JsonNode readTree(ObjectMapper json, String body) throws IOException {
        ObjectReader reader = reader(json);
        try {
            return reader.readTree(body);
        } catch (NumberFormatException | ArithmeticException e) {
            throw outOfRange(reader.createParser(body), e);
        }
    }

    /**
     * A number no exact decimal holds ({@code 1.0e-2147483647}: its scale is beyond an int), where a client error is
     * due rather than the parser's unchecked exception: a {@link JsonProcessingException} like any other unreadable
     * body, located at the first such number (found again by reading the body's tokens, each number as a decimal).
     */
    private static NumberOutOfRangeException outOfRange(JsonParser p, RuntimeException cause) {
        try (p) {
            for (JsonToken t = p.nextToken(); t != null; t = p.nextToken()) {
                if (!t.isNumeric()) continue;
                try {
                    p.getDecimalValue();
                } catch (NumberFormatException | ArithmeticException e) {
                    return new NumberOutOfRangeException(p.currentTokenLocation(), e);
                }
            }
        } catch (IOException | RuntimeException e) {
            // the tree's reading failed on a number before this; where, this reading cannot say
        }
        return new NumberOutOfRangeException(null, cause);
    }

    /** A number in a client's body beyond what an exact decimal holds; {@link #problem} says where. */
    static final class NumberOutOfRangeException extends JsonProcessingException {
        NumberOutOfRangeException(JsonLocation where, RuntimeException cause) {
            super("a number is out of range", where, cause);
        }
    }

    private static ObjectReader reader(ObjectMapper json) {
        return json.reader().with(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
                .with(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
                .without(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES);
    }

    /**
     * The key a body gave twice in one object, as its path from the body's root ({@code model},
     * {@code input_reference.image_url}, {@code instances[0].prompt}); empty when {@code e} is about something else.
     */
    public static Optional<String> duplicateKey(JsonProcessingException e) {
        if (e.getOriginalMessage() == null || !e.getOriginalMessage().startsWith(DUPLICATE)) return Optional.empty();
        if (!(e.getProcessor() instanceof JsonParser parser)) return Optional.empty();
        // the parser stopped at the second occurrence: its context is the object holding the key, named as current
        return Optional.of(path(parser.getParsingContext()));
    }

    /**
     * What is wrong with a body holding a number no exact decimal holds (its exponent beyond an int's range, as in
     * {@code 1.0e-2147483647}): {@code a number at line 1, column 36 is out of range}; empty when {@code e} is about
     * something else. The body is valid JSON, so this is said instead of {@link #problem}'s "not valid JSON" texts.
     */
    public static Optional<String> numberOutOfRange(JsonProcessingException e) {
        if (!(e instanceof NumberOutOfRangeException)) return Optional.empty();
        if (e.getLocation() == null || e.getLocation().getLineNr() < 0) return Optional.of("a number is out of range");
        return Optional.of("a number at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr()
                + " is out of range");
    }

    /** Object keys joined with dots, array positions in brackets: {@code instances[0].image.mimeType}. */
    private static String path(JsonStreamContext context) {
        java.util.ArrayDeque<JsonStreamContext> steps = new java.util.ArrayDeque<>();
        for (JsonStreamContext c = context; c != null && !c.inRoot(); c = c.getParent()) steps.push(c);
        StringBuilder out = new StringBuilder();
        for (JsonStreamContext c : steps) {
            if (c.inArray()) out.append('[').append(c.getCurrentIndex()).append(']');
            else out.append(out.isEmpty() ? "" : ".").append(c.getCurrentName());
        }
        return out.toString();
    }

    /** E.g. {@code at line 1, column 2: Unexpected end-of-input: expected close marker for Object (opened at line 1, column 1)}. */
    public static String problem(JsonProcessingException e) {
        if (e instanceof NumberOutOfRangeException) return numberOutOfRange(e).orElseThrow();
        String where = e.getLocation() == null || e.getLocation().getLineNr() < 0 ? ""
                : "at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ": ";
        return where + what(e);
    }

    private static String what(JsonProcessingException e) {
        String message = e.getOriginalMessage() == null ? "" : e.getOriginalMessage();
        if (e instanceof StreamConstraintsException) {
            if (message.contains("nesting depth")) return "arrays and objects nest more than 1000 levels deep";
            if (message.contains("Number value length")) return "a number has too many digits";
            if (message.contains("String value length")) return "a string is longer than this server reads";
            return "the body exceeds what this server reads";
        }
        return START_MARKER.matcher(message).replaceAll(" (opened at line $1, column $2)");
    }
}
