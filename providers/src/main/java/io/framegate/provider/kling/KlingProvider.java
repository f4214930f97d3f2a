package io.framegate.provider.kling;

import io.framegate.provider.ChannelSettings;
import io.framegate.provider.ProviderFactory;
import io.framegate.provider.ProviderSection;
import io.framegate.provider.ProviderSettings;
import io.framegate.provider.Secret;
import io.framegate.provider.VideoUpstream;

import java.time.Clock;
import java.util.Set;

/**
 * {@code type: kling}: Kling's own API. Its credential is a pair: the access key ({@code access_key_env} /
 * {@code access_key_file}) and the secret key ({@code secret_key_env} / {@code secret_key_file}), from which each
 * request's JWT is made; a channel naming either replaces both.
 */
public final class KlingProvider implements ProviderFactory {
    @Override
    public String type() {
        return "kling";
    }

    @Override
    public Set<String> keys() {
        return Set.of("base_url", "access_key_env", "access_key_file", "secret_key_env", "secret_key_file");
    }

    @Override
    public Set<String> credentialKeys() {
        return Set.of("access_key_env", "access_key_file", "secret_key_env", "secret_key_file");
    }

    @Override
    public Set<String> catalogProviders() {
        return Set.of("kling");
    }

    @Override
    public ChannelSettings configure(ProviderSection s) {
        String baseUrl = s.url("base_url");
        Secret access = s.secret("access_key_env", "access_key_file");
        Secret secret = s.secret("secret_key_env", "secret_key_file");
        boolean any = false;
        if (access == null && s.text("access_key_env") == null && s.text("access_key_file") == null) {
            s.credentialProblem("a kling channel needs access_key_env or access_key_file (the access key)");
            any = true;
        }
        if (secret == null && s.text("secret_key_env") == null && s.text("secret_key_file") == null) {
            s.credentialProblem("a kling channel needs secret_key_env or secret_key_file (the secret key)");
            any = true;
        }
        return any || access == null || secret == null ? null : new Settings(baseUrl, access, secret);
    }

    /** @param baseUrl null for {@link KlingUpstream#DEFAULT_BASE_URL} */
    public record Settings(String baseUrl, Secret accessKey, Secret secretKey) implements ChannelSettings {
        @Override
        public VideoUpstream open(ProviderSettings timing) {
            return new KlingUpstream(baseUrl, accessKey, secretKey, timing.requestTimeout(), Clock.systemUTC());
        }
    }
}
