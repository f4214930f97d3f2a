package io.framegate.domain;

/**
 * One broken rule: which parameter, the value given, and the message that names the rule, e.g.
 * {@code seconds=6 is not allowed for sora-2; allowed: 4, 8, 12}.
 *
 * @param param   the parameter as the domain names it ({@code seconds}, {@code size}, {@code images}, ...);
 *                surfaces translate it to their own field names
 * @param value   the value given, as text (may be null when a required value is missing)
 * @param message the full human message
 */
public record Violation(String param, String value, String message) {
    @Override
    public String toString() {
        return message;
    }
}
