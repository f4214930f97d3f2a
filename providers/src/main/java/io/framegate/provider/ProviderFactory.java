package io.framegate.provider;

import java.util.Set;

/**
 * One kind of upstream (a {@code type} in {@code framegate.yaml}). Implementations are found at start with
 * {@link java.util.ServiceLoader} (listed in {@code META-INF/services/io.framegate.provider.ProviderFactory}), so adding
 * a provider is one package plus one line there; the loader and the router know no type names (how to: package-info).
 */
public interface ProviderFactory {
    /** The {@code type} name operators write, e.g. {@code fal}. */
    String type();

    /**
     * Every key its provider and channel entries may carry besides {@code type} / {@code provider}; the loader reports
     * any other key as unknown, naming these.
     */
    Set<String> keys();

    /**
     * The keys of {@link #keys()} that name a credential: a channel that names any of them replaces all of its
     * provider's credential keys (a credential counts as one setting).
     */
    default Set<String> credentialKeys() {
        return Set.of("api_key_env", "api_key_file");
    }

    /**
     * The catalog {@code provider} values of the models its channels may be asked for (a route naming another model
     * on such a channel is a config problem); empty when any upstream model may be asked for.
     */
    default Set<String> catalogProviders() {
        return Set.of();
    }

    /**
     * Checks one channel's settings (its own keys over its provider's) and returns them, ready to open; reports every
     * problem through {@link ProviderSection#problem} and returns null when there was one.
     */
    ChannelSettings configure(ProviderSection section);
}
