package io.framegate.domain;

/** An inclusive integer range, written {@code min..max} in messages. */
public record Range(int min, int max) {
    public boolean contains(long v) {
        return v >= min && v <= max;
    }

    @Override
    public String toString() {
        return min + ".." + max;
    }
}
