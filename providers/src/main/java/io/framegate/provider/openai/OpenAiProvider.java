package io.framegate.provider.openai;

import io.framegate.provider.ChannelSettings;
import io.framegate.provider.ProviderFactory;
import io.framegate.provider.ProviderSection;
import io.framegate.provider.ProviderSettings;
import io.framegate.provider.Secret;
import io.framegate.provider.VideoUpstream;

import java.util.Set;

/** {@code type: openai}: an OpenAI-compatible {@code /v1/videos} upstream; its {@code base_url} is required. */
public final class OpenAiProvider implements ProviderFactory {
    @Override
    public String type() {
        return "openai";
    }

    @Override
    public Set<String> keys() {
        return Set.of("base_url", "api_key_env", "api_key_file");
    }

    @Override
    public ChannelSettings configure(ProviderSection s) {
        Secret key = s.apiKey(type());
        String baseUrl = s.url("base_url");
        if (s.text("base_url") == null) {
            s.problem("base_url", "missing; an OpenAI-compatible upstream needs its URL up to /v1"
                    + " (OpenAI's own video API shut down on 2026-09-24)");
        }
        return key == null || baseUrl == null ? null : new Settings(baseUrl, key);
    }

    /** @param baseUrl up to and including {@code /v1} */
    public record Settings(String baseUrl, Secret apiKey) implements ChannelSettings {
        @Override
        public VideoUpstream open(ProviderSettings timing) {
            return new OpenAiUpstream(baseUrl, apiKey, timing.requestTimeout());
        }
    }
}
