package io.framegate.provider.fal;

import io.framegate.provider.ChannelSettings;
import io.framegate.provider.ProviderFactory;
import io.framegate.provider.ProviderSection;
import io.framegate.provider.ProviderSettings;
import io.framegate.provider.Secret;
import io.framegate.provider.VideoUpstream;

import java.util.Set;

/** {@code type: fal}: fal's queue API, with a fal key; serves the catalog's fal-hosted models. */
public final class FalProvider implements ProviderFactory {
    @Override
    public String type() {
        return "fal";
    }

    @Override
    public Set<String> keys() {
        return Set.of("base_url", "api_key_env", "api_key_file");
    }

    @Override
    public Set<String> catalogProviders() {
        return Set.of("fal");
    }

    @Override
    public ChannelSettings configure(ProviderSection s) {
        Secret key = s.apiKey(type());
        String baseUrl = s.url("base_url");
        return key == null ? null : new Settings(baseUrl, key);
    }

    /** @param baseUrl null for {@link FalUpstream#DEFAULT_BASE_URL} */
    public record Settings(String baseUrl, Secret apiKey) implements ChannelSettings {
        @Override
        public VideoUpstream open(ProviderSettings timing) {
            return new FalUpstream(baseUrl, apiKey, timing.requestTimeout());
        }
    }
}
