package io.framegate.provider.wan;

import io.framegate.provider.ChannelSettings;
import io.framegate.provider.ProviderFactory;
import io.framegate.provider.ProviderSection;
import io.framegate.provider.ProviderSettings;
import io.framegate.provider.Secret;
import io.framegate.provider.VideoUpstream;

import java.util.Set;

/** {@code type: wan}: Wan on Alibaba Cloud DashScope ({@link WanUpstream}); {@code base_url} defaults to
 * {@code https://dashscope-intl.aliyuncs.com/api/v1} (Beijing: {@code https://dashscope.aliyuncs.com/api/v1}; keys are per region). */
public final class WanProvider implements ProviderFactory {
    @Override
    public String type() {
        return "wan";
    }

    @Override
    public Set<String> keys() {
        return Set.of("base_url", "api_key_env", "api_key_file");
    }

    /** Its channels serve the catalog's {@code provider: wan} models, named as DashScope spells them. */
    @Override
    public Set<String> catalogProviders() {
        return Set.of("wan");
    }

    @Override
    public ChannelSettings configure(ProviderSection s) {
        Secret key = s.apiKey(type());
        String baseUrl = s.url("base_url");
        if (s.text("base_url") != null && baseUrl == null) return null;
        return key == null ? null : new Settings(baseUrl, key);
    }

    /** @param baseUrl up to and including {@code /api/v1}; null for the default */
    public record Settings(String baseUrl, Secret apiKey) implements ChannelSettings {
        @Override
        public VideoUpstream open(ProviderSettings timing) {
            return new WanUpstream(baseUrl, apiKey, timing.requestTimeout());
        }
    }
}
