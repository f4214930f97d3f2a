package io.framegate.provider;

import java.time.Duration;
import java.util.Set;

/**
 * The common provider shape: one API key ({@code api_key_env} / {@code api_key_file}), an optional {@code base_url}
 * overriding the provider's host, and channels serving the catalog's models whose {@code provider} is the type name.
 * A provider of this shape says only how to open its upstream.
 */
public abstract class ApiKeyProvider implements ProviderFactory {
    private final String type;

    protected ApiKeyProvider(String type) {
        this.type = type;
    }

    /** Opens the upstream; {@code baseUrl} is null for the provider's default host. */
    protected abstract VideoUpstream open(String baseUrl, Secret apiKey, Duration requestTimeout);

    @Override
    public final String type() {
        return type;
    }

    @Override
    public Set<String> keys() {
        return Set.of("base_url", "api_key_env", "api_key_file");
    }

    @Override
    public Set<String> catalogProviders() {
        return Set.of(type);
    }

    @Override
    public ChannelSettings configure(ProviderSection s) {
        Secret key = s.apiKey(type);
        String baseUrl = s.url("base_url");
        if (s.text("base_url") != null && baseUrl == null) return null; // url() reported why
        return key == null ? null : new Settings(this, baseUrl, key);
    }

    /** @param baseUrl null for the provider's default host */
    public record Settings(ApiKeyProvider provider, String baseUrl, Secret apiKey) implements ChannelSettings {
        @Override
        public VideoUpstream open(ProviderSettings timing) {
            return provider.open(baseUrl, apiKey, timing.requestTimeout());
        }
    }
}
