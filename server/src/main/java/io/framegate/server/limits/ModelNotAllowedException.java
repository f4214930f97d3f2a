package io.framegate.server.limits;

import java.util.List;

/** The key's model allow-list does not name the requested model (403 {@code model_not_allowed}, before any work). */
public final class ModelNotAllowedException extends RuntimeException {
    public ModelNotAllowedException(String model, List<String> allowed) {
        super("This API key may not use model '" + model + "'; it may use: " + String.join(", ", allowed) + ".");
    }
}
