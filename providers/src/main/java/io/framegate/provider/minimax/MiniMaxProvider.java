package io.framegate.provider.minimax;

import io.framegate.provider.ChannelSettings;
import io.framegate.provider.ProviderFactory;
import io.framegate.provider.ProviderSection;
import io.framegate.provider.ProviderSettings;
import io.framegate.provider.Secret;
import io.framegate.provider.VideoUpstream;

import java.util.Set;

/** {@code type: minimax}: MiniMax Hailuo video generation ({@link MiniMaxUpstream}); {@code base_url} defaults to
 * {@code https://api.minimax.io} (China: {@code https://api.minimaxi.com}). */
public final class MiniMaxProvider implements ProviderFactory {
    @Override
    public String type() {
        return "minimax";
    }

    @Override
    public Set<String> keys() {
        return Set.of("base_url", "api_key_env", "api_key_file");
    }

    /** Its channels serve the catalog's {@code provider: minimax} models, named as MiniMax spells them. */
    @Override
    public Set<String> catalogProviders() {
        return Set.of("minimax");
    }

    @Override
    public ChannelSettings configure(ProviderSection s) {
        Secret key = s.apiKey(type());
        String baseUrl = s.url("base_url");
        if (s.text("base_url") != null && baseUrl == null) return null;
        return key == null ? null : new Settings(baseUrl, key);
    }

    /** @param baseUrl the host, e.g. {@code https://api.minimaxi.com}; null for the default */
    public record Settings(String baseUrl, Secret apiKey) implements ChannelSettings {
        @Override
        public VideoUpstream open(ProviderSettings timing) {
            return new MiniMaxUpstream(baseUrl, apiKey, timing.requestTimeout());
        }
    }
}
