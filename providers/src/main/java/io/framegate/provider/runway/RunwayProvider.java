package io.framegate.provider.runway;

import io.framegate.provider.ApiKeyProvider;
import io.framegate.provider.Secret;
import io.framegate.provider.VideoUpstream;

import java.time.Duration;

/** {@code type: runway}: Runway's API with an API key ({@code key_...}); serves the catalog's Runway models. */
public final class RunwayProvider extends ApiKeyProvider {
    public RunwayProvider() {
        super("runway");
    }

    /** @param baseUrl null for {@link RunwayUpstream#DEFAULT_BASE_URL} */
    @Override
    protected VideoUpstream open(String baseUrl, Secret apiKey, Duration requestTimeout) {
        return new RunwayUpstream(baseUrl, apiKey, requestTimeout);
    }
}
