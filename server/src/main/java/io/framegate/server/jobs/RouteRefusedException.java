package io.framegate.server.jobs;

import io.framegate.domain.ValidationException;
import io.framegate.domain.Violation;

/**
 * The request is valid for the model the client named, but the route of {@code framegate.yaml} cannot honour it
 * (every channel's upstream model lacks a capability it needs, e.g. a last frame), or the model has no route under
 * {@code default_route: none}. A {@link ValidationException}, so surfaces answer it as a 400 in their own shape before
 * any job exists; its own type lets a surface tell it from an unknown model.
 */
public final class RouteRefusedException extends ValidationException {
    private final String model;

    RouteRefusedException(String model, ValidationException cause, boolean routed) {
        super(routed ? cause.violations().stream()
                .map(v -> new Violation(v.param(), v.value(), "model " + model + " is routed to an upstream that cannot"
                        + " serve this request: " + v.message()))
                .toList() : cause.violations());
        initCause(cause);
        this.model = model;
    }

    /** The catalog model the client asked for. */
    public String model() {
        return model;
    }
}
