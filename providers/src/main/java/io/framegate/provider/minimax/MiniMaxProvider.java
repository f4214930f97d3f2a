package io.framegate.provider.minimax;

import io.framegate.provider.ApiKeyProvider;
import io.framegate.provider.Secret;
import io.framegate.provider.VideoUpstream;

import java.time.Duration;

/** {@code type: minimax}: MiniMax Hailuo video generation ({@link MiniMaxUpstream}); {@code base_url} defaults to
 * {@code https://api.minimax.io} (China: {@code https://api.minimaxi.com}). */
public final class MiniMaxProvider extends ApiKeyProvider {
    public MiniMaxProvider() {
        super("minimax");
    }

    /** @param baseUrl the host, e.g. {@code https://api.minimaxi.com}; null for the default */
    @Override
    protected VideoUpstream open(String baseUrl, Secret apiKey, Duration requestTimeout) {
        return new MiniMaxUpstream(baseUrl, apiKey, requestTimeout);
    }
}
