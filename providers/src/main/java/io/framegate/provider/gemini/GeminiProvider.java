package io.framegate.provider.gemini;

import io.framegate.provider.ChannelSettings;
import io.framegate.provider.ProviderFactory;
import io.framegate.provider.ProviderSection;
import io.framegate.provider.ProviderSettings;
import io.framegate.provider.Secret;
import io.framegate.provider.VideoUpstream;

import java.util.Set;

/** {@code type: gemini}: Veo on the Gemini API, with an API key. */
public final class GeminiProvider implements ProviderFactory {
    @Override
    public String type() {
        return "gemini";
    }

    @Override
    public Set<String> keys() {
        return Set.of("base_url", "api_version", "api_key_env", "api_key_file");
    }

    @Override
    public Set<String> catalogProviders() {
        return Set.of("google");
    }

    @Override
    public ChannelSettings configure(ProviderSection s) {
        Secret key = s.apiKey(type());
        String baseUrl = s.url("base_url");
        return key == null ? null : new Settings(baseUrl, s.text("api_version"), key);
    }

    /** @param baseUrl null for {@link GeminiUpstream#DEFAULT_BASE_URL} */
    public record Settings(String baseUrl, String apiVersion, Secret apiKey) implements ChannelSettings {
        @Override
        public VideoUpstream open(ProviderSettings timing) {
            return new GeminiUpstream(baseUrl, apiVersion, apiKey, timing.requestTimeout());
        }
    }
}
