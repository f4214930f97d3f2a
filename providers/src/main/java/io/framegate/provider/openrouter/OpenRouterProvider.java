package io.framegate.provider.openrouter;

import io.framegate.provider.ChannelSettings;
import io.framegate.provider.ProviderFactory;
import io.framegate.provider.ProviderSection;
import io.framegate.provider.ProviderSettings;
import io.framegate.provider.Secret;
import io.framegate.provider.VideoUpstream;

import java.util.Set;

/** {@code type: openrouter}: OpenRouter's video API ({@link OpenRouterUpstream}); {@code base_url} defaults to
 * {@code https://openrouter.ai/api/v1}. {@code inline_images: true} sends images as data URIs (OpenRouter documents URLs only). */
public final class OpenRouterProvider implements ProviderFactory {
    @Override
    public String type() {
        return "openrouter";
    }

    @Override
    public Set<String> keys() {
        return Set.of("base_url", "api_key_env", "api_key_file", "inline_images");
    }

    /** Its channels serve the catalog's {@code provider: openrouter} models, named as OpenRouter spells them. */
    @Override
    public Set<String> catalogProviders() {
        return Set.of("openrouter");
    }

    @Override
    public ChannelSettings configure(ProviderSection s) {
        Secret key = s.apiKey(type());
        String baseUrl = s.url("base_url");
        if (s.text("base_url") != null && baseUrl == null) return null;
        String inline = s.text("inline_images");
        if (inline != null && !inline.equals("true") && !inline.equals("false")) {
            s.problem("inline_images", inline + " is not true or false");
            return null;
        }
        return key == null ? null : new Settings(baseUrl, key, "true".equals(inline));
    }

    /** @param baseUrl up to and including {@code /api/v1}; null for the default */
    public record Settings(String baseUrl, Secret apiKey, boolean inlineImages) implements ChannelSettings {
        @Override
        public VideoUpstream open(ProviderSettings timing) {
            return new OpenRouterUpstream(baseUrl, apiKey, timing.requestTimeout(), inlineImages);
        }
    }
}
