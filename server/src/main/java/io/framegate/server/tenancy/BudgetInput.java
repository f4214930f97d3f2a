package io.framegate.server.tenancy;

import java.math.BigDecimal;
import java.math.RoundingMode;

/** A budget given by an operator in US dollars, parsed exactly (never through a double) into micro-dollars. */
public final class BudgetInput {
    /** The largest amount accepted: one trillion dollars, far below {@code Long.MAX_VALUE} micro-dollars. */
    static final BigDecimal MAX_USD = new BigDecimal("1000000000000");

    private BudgetInput() {
    }

    /**
     * Micro-dollars of a decimal dollar amount such as {@code "12.5"} or {@code "0.000001"}.
     *
     * @throws AdminException (400, naming {@code param}) not a plain non-negative number with at most 6 decimals
     */
    public static long parseUsd(String text, String param) {
        BigDecimal usd;
        try {
            // ASCII digits only: BigDecimal also reads other scripts' digits (an Arabic-Indic "١٢" was $12)
            if (!text.trim().matches("-?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)([eE][-+]?[0-9]+)?")) throw new NumberFormatException();
            usd = new BigDecimal(text.trim());
        } catch (NumberFormatException | NullPointerException e) {
            throw AdminException.invalid(param, param + "=" + text + " is not a dollar amount; write it like 12.50");
        }
        return micros(usd, param);
    }

    static long micros(BigDecimal usd, String param) {
        if (usd.signum() == 0) return 0;
        if (usd.signum() < 0) throw AdminException.invalid(param, param + "=" + shown(usd) + " is negative; budgets are 0 or more");
        // digits before the point, from precision and scale alone: an exponent near an int's limit (1e2147483647,
        // 1e-500000000) is judged without writing the number out or rescaling it
        long magnitude = (long) usd.precision() - usd.scale();
        if (magnitude > MAX_USD.precision() || usd.compareTo(MAX_USD) > 0) {
            throw AdminException.invalid(param, param + "=" + shown(usd) + " is above " + MAX_USD.toPlainString());
        }
        try {
            // below one micro-dollar (0.0000001 and smaller) is more than 6 decimals; else the scale is within the
            // digits given plus 13, so rescaling is bounded
            if (magnitude < -5) throw new ArithmeticException("below one micro-dollar");
            return usd.setScale(6, RoundingMode.UNNECESSARY).movePointRight(6).longValueExact();
        } catch (ArithmeticException e) {
            throw AdminException.invalid(param, param + "=" + shown(usd)
                    + " has more than 6 decimals; the smallest amount is 0.000001 (one micro-dollar)");
        }
    }

    /** {@code usd} for a message: as plain digits (1.0000001) unless that is long ({@code 1E+2147483647} is not). */
    private static String shown(BigDecimal usd) {
        return Math.abs((long) usd.scale()) <= 64 ? usd.toPlainString() : usd.toString();
    }

    /** {@code 1234567} micro-dollars -> {@code "1.234567"}; null for null. */
    public static String usd(Long micros) {
        return micros == null ? null : io.framegate.domain.Money.usd(micros);
    }
}
