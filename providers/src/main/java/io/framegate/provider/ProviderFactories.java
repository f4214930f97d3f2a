package io.framegate.provider;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.TreeMap;

/** The provider types known to this process: every {@link ProviderFactory} on the class path, by type name. */
public final class ProviderFactories {
    private final Map<String, ProviderFactory> byType = new TreeMap<>();

    public ProviderFactories(Collection<? extends ProviderFactory> factories) {
        for (ProviderFactory f : factories) {
            ProviderFactory prev = byType.putIfAbsent(f.type(), f);
            if (prev != null && prev.getClass() != f.getClass()) {
                throw new IllegalStateException("two providers claim type " + f.type() + ": "
                        + prev.getClass().getName() + " and " + f.getClass().getName());
            }
        }
    }

    /** The providers registered in {@code META-INF/services} of the class path. */
    public static ProviderFactories discover() {
        return new ProviderFactories(ServiceLoader.load(ProviderFactory.class, ProviderFactory.class.getClassLoader())
                .stream().map(ServiceLoader.Provider::get).toList());
    }

    public Optional<ProviderFactory> find(String type) {
        return Optional.ofNullable(type == null ? null : byType.get(type));
    }

    /** Type names, sorted. */
    public List<String> types() {
        return List.copyOf(byType.keySet());
    }
}
