package io.framegate.domain;

import java.util.List;
import java.util.Map;

/**
 * A catalog rule that ties parameters together, e.g. "1080p only at 8 s" or "a last frame needs a first frame".
 * A rule applies when every key of {@code when} matches (parameters: {@code seconds}, {@code resolution},
 * {@code aspect_ratio}, {@code size}; {@code roles} matches when any listed role is present). It then requires each
 * {@code then} parameter to take one of the listed values, every {@code requireRoles} role to be present and no
 * {@code forbidRoles} role to be present. {@code because} is the human reason quoted in the error.
 */
public record Rule(
        Map<String, List<String>> when,
        Map<String, List<String>> then,
        List<ImageRole> requireRoles,
        List<ImageRole> forbidRoles,
        String because) {

    public Rule {
        when = when == null ? Map.of() : Map.copyOf(when);
        then = then == null ? Map.of() : Map.copyOf(then);
        requireRoles = requireRoles == null ? List.of() : List.copyOf(requireRoles);
        forbidRoles = forbidRoles == null ? List.of() : List.copyOf(forbidRoles);
    }
}
