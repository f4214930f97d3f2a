package io.framegate.provider.luma;

import io.framegate.provider.ApiKeyProvider;
import io.framegate.provider.Secret;
import io.framegate.provider.VideoUpstream;

import java.time.Duration;

/**
 * {@code type: luma}: Luma's Agents API (ray-3.2) or Dream Machine API (ray-2, ray-flash-2), by the upstream model;
 * the two APIs have separate keys, so a channel's key serves the models of its API. Dream Machine keyframes go as
 * Framegate's signed input URLs; without a public base URL such jobs are refused at create (naming why).
 */
public final class LumaProvider extends ApiKeyProvider {
    public LumaProvider() {
        super("luma");
    }

    /** @param baseUrl null for Luma's own hosts (each API its own) */
    @Override
    protected VideoUpstream open(String baseUrl, Secret apiKey, Duration requestTimeout) {
        return new LumaUpstream(baseUrl, apiKey, requestTimeout);
    }
}
