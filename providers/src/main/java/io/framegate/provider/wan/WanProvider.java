package io.framegate.provider.wan;

import io.framegate.provider.ApiKeyProvider;
import io.framegate.provider.Secret;
import io.framegate.provider.VideoUpstream;

import java.time.Duration;

/** {@code type: wan}: Wan on Alibaba Cloud DashScope ({@link WanUpstream}); {@code base_url} defaults to
 * {@code https://dashscope-intl.aliyuncs.com/api/v1} (Beijing: {@code https://dashscope.aliyuncs.com/api/v1}; keys are per region). */
public final class WanProvider extends ApiKeyProvider {
    public WanProvider() {
        super("wan");
    }

    /** @param baseUrl up to and including {@code /api/v1}; null for the default */
    @Override
    protected VideoUpstream open(String baseUrl, Secret apiKey, Duration requestTimeout) {
        return new WanUpstream(baseUrl, apiKey, requestTimeout);
    }
}
