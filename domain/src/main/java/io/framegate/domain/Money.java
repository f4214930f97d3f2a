package io.framegate.domain;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * An amount of US dollars as a whole number of micro-dollars (1 USD = 1 000 000). Money is converted from the
 * catalog's decimal prices once, exactly (a price finer than a micro-dollar is refused when the catalog loads), and
 * from then on only added and multiplied as integers (overflow throws instead of wrapping).
 */
public record Money(long micros) implements Comparable<Money> {
    public static final Money ZERO = new Money(0);
    private static final int SCALE = 6;

    /**
     * The exact micro-dollars of a decimal USD amount as written in JSON or YAML ({@code 0.4}, {@code 12.5}).
     *
     * @throws IllegalArgumentException negative, not finite, or finer than a micro-dollar
     */
    public static Money ofUsd(double usd) {
        if (!Double.isFinite(usd)) throw new IllegalArgumentException("not a USD amount: " + usd);
        // valueOf uses the double's shortest decimal form ("0.4", not 0.40000000000000002220...)
        return ofUsd(BigDecimal.valueOf(usd));
    }

    /** As {@link #ofUsd(double)} from text such as {@code "3.2000"} (e.g. a job's cost note). */
    public static Money parseUsd(String usd) {
        try {
            return ofUsd(new BigDecimal(usd.trim()));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a USD amount: " + usd, e);
        }
    }

    private static Money ofUsd(BigDecimal usd) {
        if (usd.signum() < 0) throw new IllegalArgumentException("a price cannot be negative: " + usd.toPlainString());
        try {
            return new Money(usd.movePointRight(SCALE).setScale(0, RoundingMode.UNNECESSARY).longValueExact());
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("USD " + usd.toPlainString() + " is finer than a micro-dollar", e);
        }
    }

    public Money plus(Money other) {
        return new Money(Math.addExact(micros, other.micros));
    }

    public Money times(long n) {
        return new Money(Math.multiplyExact(micros, n));
    }

    public Money min(Money other) {
        return micros <= other.micros ? this : other;
    }

    /** Six decimals, e.g. {@code 1.234567}; negative amounts keep their sign. */
    public String usd() {
        return usd(micros);
    }

    /** At least four decimals, more only when the amount needs them ({@code 3.2000}, {@code 0.123456}). */
    public String usdShort() {
        BigDecimal d = BigDecimal.valueOf(micros, SCALE).stripTrailingZeros();
        return d.scale() < 4 ? d.setScale(4, RoundingMode.UNNECESSARY).toPlainString() : d.toPlainString();
    }

    public static String usd(long micros) {
        return BigDecimal.valueOf(micros, SCALE).toPlainString();
    }

    @Override
    public int compareTo(Money o) {
        return Long.compare(micros, o.micros);
    }

    @Override
    public String toString() {
        return "$" + usd();
    }
}
