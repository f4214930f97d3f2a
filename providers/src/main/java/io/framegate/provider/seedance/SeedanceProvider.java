package io.framegate.provider.seedance;

import io.framegate.provider.ChannelSettings;
import io.framegate.provider.ProviderFactory;
import io.framegate.provider.ProviderSection;
import io.framegate.provider.ProviderSettings;
import io.framegate.provider.Secret;
import io.framegate.provider.VideoUpstream;

import java.util.Set;

/** {@code type: seedance}: Seedance on BytePlus ModelArk or Volcengine Ark ({@link SeedanceUpstream}); {@code base_url} defaults
 * to {@code https://ark.ap-southeast.bytepluses.com/api/v3} (Volcengine: {@code https://ark.cn-beijing.volces.com/api/v3}). */
public final class SeedanceProvider implements ProviderFactory {
    @Override
    public String type() {
        return "seedance";
    }

    @Override
    public Set<String> keys() {
        return Set.of("base_url", "api_key_env", "api_key_file");
    }

    /** Its channels serve the catalog's {@code provider: seedance} models, named as Ark spells them. */
    @Override
    public Set<String> catalogProviders() {
        return Set.of("seedance");
    }

    @Override
    public ChannelSettings configure(ProviderSection s) {
        Secret key = s.apiKey(type());
        String baseUrl = s.url("base_url");
        if (s.text("base_url") != null && baseUrl == null) return null;
        return key == null ? null : new Settings(baseUrl, key);
    }

    /** @param baseUrl up to and including {@code /api/v3}; null for the default */
    public record Settings(String baseUrl, Secret apiKey) implements ChannelSettings {
        @Override
        public VideoUpstream open(ProviderSettings timing) {
            return new SeedanceUpstream(baseUrl, apiKey, timing.requestTimeout());
        }
    }
}
