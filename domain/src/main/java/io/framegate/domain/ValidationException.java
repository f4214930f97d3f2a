package io.framegate.domain;

import java.util.List;
import java.util.stream.Collectors;

/** Thrown when a request breaks one or more catalog rules; carries every violation at once. */
public class ValidationException extends RuntimeException {
    private final List<Violation> violations;

    public ValidationException(List<Violation> violations) {
        super(violations.stream().map(Violation::message).collect(Collectors.joining("; ")));
        if (violations.isEmpty()) throw new IllegalArgumentException("a ValidationException needs a violation");
        this.violations = List.copyOf(violations);
    }

    public ValidationException(Violation violation) {
        this(List.of(violation));
    }

    public List<Violation> violations() {
        return violations;
    }

    /** The first violation: what a surface with room for a single {@code param} reports. */
    public Violation first() {
        return violations.get(0);
    }
}
