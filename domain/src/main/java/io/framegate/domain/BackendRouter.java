package io.framegate.domain;

/**
 * Chooses the {@link GenerationBackend} that serves a model. The default routes every model to the offline
 * engine; a config file can route a model to one or more cloud channels (the returned backend then handles
 * failover between them).
 */
@FunctionalInterface
public interface BackendRouter {
    GenerationBackend backendFor(ModelSpec model);
}
