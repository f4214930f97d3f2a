package io.framegate.provider.fal;

import io.framegate.provider.ApiKeyProvider;
import io.framegate.provider.Secret;
import io.framegate.provider.VideoUpstream;

import java.time.Duration;

/** {@code type: fal}: fal's queue API, with a fal key; serves the catalog's fal-hosted models. */
public final class FalProvider extends ApiKeyProvider {
    public FalProvider() {
        super("fal");
    }

    /** @param baseUrl null for {@link FalUpstream#DEFAULT_BASE_URL} */
    @Override
    protected VideoUpstream open(String baseUrl, Secret apiKey, Duration requestTimeout) {
        return new FalUpstream(baseUrl, apiKey, requestTimeout);
    }
}
