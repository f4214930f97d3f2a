package io.framegate.provider.runway;

import io.framegate.provider.ChannelSettings;
import io.framegate.provider.ProviderFactory;
import io.framegate.provider.ProviderSection;
import io.framegate.provider.ProviderSettings;
import io.framegate.provider.Secret;
import io.framegate.provider.VideoUpstream;

import java.util.Set;

/** {@code type: runway}: Runway's API with an API key ({@code key_...}); serves the catalog's Runway models. */
public final class RunwayProvider implements ProviderFactory {
    @Override
    public String type() {
        return "runway";
    }

    @Override
    public Set<String> keys() {
        return Set.of("base_url", "api_key_env", "api_key_file");
    }

    @Override
    public Set<String> catalogProviders() {
        return Set.of("runway");
    }

    @Override
    public ChannelSettings configure(ProviderSection s) {
        Secret key = s.apiKey(type());
        String baseUrl = s.url("base_url");
        return key == null ? null : new Settings(baseUrl, key);
    }

    /** @param baseUrl null for {@link RunwayUpstream#DEFAULT_BASE_URL} */
    public record Settings(String baseUrl, Secret apiKey) implements ChannelSettings {
        @Override
        public VideoUpstream open(ProviderSettings timing) {
            return new RunwayUpstream(baseUrl, apiKey, timing.requestTimeout());
        }
    }
}
