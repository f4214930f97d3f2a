package io.framegate.server.jobs;

import io.framegate.server.ClientFacingException;

/**
 * A budget applies to the key, but the catalog has no price for the upstream model the route plans (or for one it may
 * fail over to): the job could not be reserved, so it is refused before it exists (403 {@code model_unpriced}).
 */
public final class UnpricedModelException extends RuntimeException implements ClientFacingException {
    public UnpricedModelException(String model) {
        super("Model '" + model + "' has no catalog price on its route, and this API key (or its account) has a budget: "
                + "a video of unknown price cannot be reserved against it. Use a priced model, or ask the operator to "
                + "remove the budget.");
    }

    @Override
    public int httpStatus() {
        return 403;
    }

    @Override
    public String code() {
        return "model_unpriced";
    }

    @Override
    public String param() {
        return "model";
    }
}
