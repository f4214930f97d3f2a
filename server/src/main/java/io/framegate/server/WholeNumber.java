package io.framegate.server;

import com.fasterxml.jackson.databind.JsonNode;

import java.math.BigDecimal;
import java.util.regex.Pattern;

/**
 * A whole number a client sent, as a JSON number or a string of digits, read without losing what was sent: a value
 * within the field's bounds, or why not (not a whole number, or a whole number out of the bounds), with the value
 * echoed as sent. Client bodies keep their decimals exact ({@link JsonBodies}), so {@code 1e400} is the whole number
 * it spells rather than a double's {@code Infinity}.
 *
 * @param sent  the value as the client sent it, for messages: a string's text, a number's digits
 * @param whole whether it is a whole number at all
 * @param value the number when it is whole and within the bounds, else null
 */
public record WholeNumber(String sent, boolean whole, Long value) {
    /** The seeds the catalog's validator allows ({@code RequestValidator}), for messages refusing a seed early. */
    public static final String SEED_RANGE = "0..4294967295";
    private static final Pattern DIGITS = Pattern.compile("\\s*[-+]?\\d+\\s*");
    /** More significant digits than this is beyond any long: no need to parse them. */
    private static final int MAX_DIGITS = 20;

    /** Reads {@code n} (not null) as a whole number from {@code min} to {@code max}. */
    public static WholeNumber read(JsonNode n, long min, long max) {
        String sent = n.isTextual() ? n.asText() : n.isNumber() ? n.asText() : n.toString();
        BigDecimal d = decimal(n);
        if (d == null) return new WholeNumber(sent, false, null);
        if (d.signum() != 0) {
            // the digits before the point, from precision and scale alone: 100e2147483647 is never written out, and
            // its stripTrailingZeros() would overflow the scale
            long magnitude = (long) d.precision() - d.scale();
            if (magnitude > MAX_DIGITS - 1) return new WholeNumber(sent, true, null);
            if (magnitude <= 0) return new WholeNumber(sent, false, null);  // 0 < |d| < 1: a fraction, however tiny
            // 1..19 digits before the point: the scale is at least -18, so stripping stays within an int
            if (d.stripTrailingZeros().scale() > 0) return new WholeNumber(sent, false, null);
        }
        if (d.compareTo(BigDecimal.valueOf(min)) < 0 || d.compareTo(BigDecimal.valueOf(max)) > 0) {
            return new WholeNumber(sent, true, null);
        }
        return new WholeNumber(sent, true, d.longValueExact());
    }

    /** Whether it is a whole number beyond the bounds (rather than no whole number at all). */
    public boolean outOfRange() {
        return whole && value == null;
    }

    private static BigDecimal decimal(JsonNode n) {
        if (n.isTextual()) {
            String t = n.asText();
            if (!DIGITS.matcher(t).matches()) return null;
            String digits = t.strip().replaceFirst("^[-+]", "").replaceFirst("^0+(?=\\d)", "");
            if (digits.length() > MAX_DIGITS) return new BigDecimal((t.strip().startsWith("-") ? "-" : "") + "1E+" + digits.length());
            return new BigDecimal(t.strip());
        }
        if (!n.isNumber()) return null;
        if ((n.isDouble() || n.isFloat()) && !Double.isFinite(n.doubleValue())) return null;
        return n.isIntegralNumber() ? new BigDecimal(n.bigIntegerValue()) : n.decimalValue();
    }
}
