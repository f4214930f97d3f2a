package io.framegate.server.jobs;

import io.framegate.domain.BackendRouter;
import io.framegate.domain.GenerationBackend;
import io.framegate.domain.ModelSpec;
import io.framegate.domain.RequestValidator;
import io.framegate.provider.FailoverBackend;

import java.util.Optional;

/**
 * The backend of a job, as routed once at submission: the route the job row records ({@code route}, the backend id
 * chosen at create and priced in its reservation) is the one it runs on. The router is asked only which backend that
 * id names now; when the config changed between restarts so that the model no longer goes there, the job must not
 * run unpriced elsewhere ({@link Resolved#changed}).
 */
final class Routes {
    private final BackendRouter router;
    private final RequestValidator validator;

    Routes(BackendRouter router, RequestValidator validator) {
        this.router = router;
        this.validator = validator;
    }

    /**
     * What serves a job.
     *
     * @param backend the backend (null when the model or its backend is gone: see {@code problem})
     * @param problem {@code unknown_model} or {@code no_backend}, else null
     * @param changed the job was routed to another backend at submission than the config names now
     */
    record Resolved(GenerationBackend backend, String problem, boolean changed) {
    }

    /** The backend of a job of {@code model} routed at submission to {@code storedRoute} (null: not recorded). */
    Resolved resolve(String model, String storedRoute) {
        Optional<ModelSpec> spec = validator.catalog().find(model);
        if (spec.isEmpty()) return new Resolved(null, "unknown_model", false);
        GenerationBackend now;
        try {
            now = router.backendFor(spec.get());
        } catch (RuntimeException e) {
            return new Resolved(null, "no_backend", false);
        }
        // either way: a job priced for a route must not run unpriced elsewhere, nor one sent upstream be rendered here
        boolean changed = storedRoute != null && !storedRoute.equals(now.id());
        return new Resolved(now, null, changed);
    }

    /** The cloud route (step by step) of a job waiting on its upstream, or null when it has none any more. */
    FailoverBackend route(String model, String storedRoute) {
        Resolved r = resolve(model, storedRoute);
        return r.backend() instanceof FailoverBackend f ? f : null;
    }
}
