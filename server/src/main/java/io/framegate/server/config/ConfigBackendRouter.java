package io.framegate.server.config;

import io.framegate.domain.BackendRouter;
import io.framegate.domain.GenerationBackend;
import io.framegate.domain.ModelCatalog;
import io.framegate.domain.ModelSpec;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeSet;

/** Routes each model to a named backend by the {@code routes} of {@link ServerConfig}; checked when built. */
public final class ConfigBackendRouter implements BackendRouter {
    private final Map<String, GenerationBackend> byModelId = new HashMap<>();
    private final GenerationBackend fallback;

    /**
     * @throws IllegalArgumentException a route names an unknown model or backend
     */
    public ConfigBackendRouter(Map<String, String> routes, Map<String, GenerationBackend> backends, ModelCatalog catalog) {
        String def = routes.getOrDefault(ServerConfig.DEFAULT_ROUTE, ServerConfig.LOCAL_BACKEND);
        this.fallback = backend(def, backends, ServerConfig.DEFAULT_ROUTE);
        for (Map.Entry<String, String> e : routes.entrySet()) {
            if (e.getKey().equals(ServerConfig.DEFAULT_ROUTE)) continue;
            ModelSpec m = catalog.find(e.getKey()).orElseThrow(() -> new IllegalArgumentException("routes." + e.getKey()
                    + ": not a model of the catalog; known: " + String.join(", ",
                    catalog.models().stream().map(ModelSpec::id).toList())));
            byModelId.put(m.id(), backend(e.getValue(), backends, e.getKey()));
        }
    }

    private static GenerationBackend backend(String name, Map<String, GenerationBackend> backends, String route) {
        GenerationBackend b = backends.get(name);
        if (b == null) {
            throw new IllegalArgumentException("routes." + route + ": no backend named " + name + "; available: "
                    + String.join(", ", new TreeSet<>(backends.keySet())));
        }
        return b;
    }

    @Override
    public GenerationBackend backendFor(ModelSpec model) {
        return byModelId.getOrDefault(model.id(), fallback);
    }
}
