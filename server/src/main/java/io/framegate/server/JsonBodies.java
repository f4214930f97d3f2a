package io.framegate.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;

import java.util.regex.Pattern;

/**
 * What is wrong with a request body that is not JSON, said for the client of any surface: where it broke, and the
 * parser's own description without the parts that name the parser's settings and classes (its "start marker at
 * [Source: ...]" and {@code StreamReadConstraints} texts).
 */
public final class JsonBodies {
    private static final Pattern START_MARKER = Pattern.compile(
            " \\(start marker at \\[Source: .*?line: (\\d+), column: (\\d+)\\]\\)");

    private JsonBodies() {
    }

    /** E.g. {@code at line 1, column 2: Unexpected end-of-input: expected close marker for Object (opened at line 1, column 1)}. */
    public static String problem(JsonProcessingException e) {
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
