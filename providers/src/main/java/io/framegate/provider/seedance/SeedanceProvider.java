package io.framegate.provider.seedance;

import io.framegate.provider.ApiKeyProvider;
import io.framegate.provider.Secret;
import io.framegate.provider.VideoUpstream;

import java.time.Duration;

/** {@code type: seedance}: Seedance on BytePlus ModelArk or Volcengine Ark ({@link SeedanceUpstream}); {@code base_url} defaults
 * to {@code https://ark.ap-southeast.bytepluses.com/api/v3} (Volcengine: {@code https://ark.cn-beijing.volces.com/api/v3}). */
public final class SeedanceProvider extends ApiKeyProvider {
    public SeedanceProvider() {
        super("seedance");
    }

    /** @param baseUrl up to and including {@code /api/v3}; null for the default */
    @Override
    protected VideoUpstream open(String baseUrl, Secret apiKey, Duration requestTimeout) {
        return new SeedanceUpstream(baseUrl, apiKey, requestTimeout);
    }
}
