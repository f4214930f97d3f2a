package io.framegate.provider.luma;

import io.framegate.provider.ChannelSettings;
import io.framegate.provider.ProviderFactory;
import io.framegate.provider.ProviderSection;
import io.framegate.provider.ProviderSettings;
import io.framegate.provider.Secret;
import io.framegate.provider.VideoUpstream;

import java.util.Set;

/**
 * {@code type: luma}: Luma's Agents API (ray-3.2) or Dream Machine API (ray-2, ray-flash-2), by the upstream model;
 * the two APIs have separate keys, so a channel's key serves the models of its API. Dream Machine keyframes go as
 * Framegate's signed input URLs; without a public base URL such jobs are refused at create (naming why).
 */
public final class LumaProvider implements ProviderFactory {
    @Override
    public String type() {
        return "luma";
    }

    @Override
    public Set<String> keys() {
        return Set.of("base_url", "api_key_env", "api_key_file");
    }

    @Override
    public Set<String> catalogProviders() {
        return Set.of("luma");
    }

    @Override
    public ChannelSettings configure(ProviderSection s) {
        Secret key = s.apiKey(type());
        String baseUrl = s.url("base_url");
        return key == null ? null : new Settings(baseUrl, key);
    }

    /** @param baseUrl null for Luma's own hosts (each API its own) */
    public record Settings(String baseUrl, Secret apiKey) implements ChannelSettings {
        @Override
        public VideoUpstream open(ProviderSettings timing) {
            return new LumaUpstream(baseUrl, apiKey, timing.requestTimeout());
        }
    }
}
