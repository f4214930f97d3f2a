package io.framegate.provider.replicate;

import io.framegate.provider.ChannelSettings;
import io.framegate.provider.ProviderFactory;
import io.framegate.provider.ProviderSection;
import io.framegate.provider.ProviderSettings;
import io.framegate.provider.Secret;
import io.framegate.provider.VideoUpstream;

import java.time.Duration;
import java.util.Set;

/**
 * {@code type: replicate}: Replicate's predictions API with an API token; serves the catalog's Replicate-hosted
 * models. {@code prefer_wait} (seconds, 0-60, default 5) is sent as {@code Prefer: wait=N}, capped at half the
 * request timeout so the held answer always arrives inside it.
 */
public final class ReplicateProvider implements ProviderFactory {
    static final int DEFAULT_PREFER_WAIT = 5;

    @Override
    public String type() {
        return "replicate";
    }

    @Override
    public Set<String> keys() {
        return Set.of("base_url", "api_key_env", "api_key_file", "prefer_wait");
    }

    @Override
    public Set<String> catalogProviders() {
        return Set.of("replicate");
    }

    @Override
    public ChannelSettings configure(ProviderSection s) {
        Secret key = s.apiKey(type());
        String baseUrl = s.url("base_url");
        int wait = DEFAULT_PREFER_WAIT;
        String w = s.text("prefer_wait");
        if (w != null) {
            try {
                wait = Integer.parseInt(w.trim());
                if (wait < 0 || wait > 60) throw new NumberFormatException();
            } catch (NumberFormatException e) {
                s.problem("prefer_wait", w + " is not a whole number of seconds from 0 to 60 (Replicate holds a create"
                        + " at most 60 s)");
                return null;
            }
        }
        return key == null ? null : new Settings(baseUrl, key, wait);
    }

    /** @param baseUrl null for {@link ReplicateUpstream#DEFAULT_BASE_URL} */
    public record Settings(String baseUrl, Secret apiKey, int preferWait) implements ChannelSettings {
        @Override
        public VideoUpstream open(ProviderSettings timing) {
            long cap = timing.requestTimeout().toSeconds() / 2;
            return new ReplicateUpstream(baseUrl, apiKey, (int) Math.min(preferWait, cap), timing.deadline(),
                    timing.requestTimeout());
        }
    }

    /** {@code Cancel-After} as Replicate writes durations: {@code 20m}, else whole seconds {@code 90s}. */
    static String cancelAfter(Duration d) {
        long s = Math.max(1, (d.toMillis() + 999) / 1000);
        return s % 60 == 0 ? s / 60 + "m" : s + "s";
    }
}
