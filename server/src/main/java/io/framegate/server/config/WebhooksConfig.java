package io.framegate.server.config;

import io.framegate.server.webhooks.WebhookSettings;

/**
 * The {@code webhooks} section of {@code framegate.yaml}.
 *
 * @param concurrency webhook attempts one instance makes at once (at most one per endpoint), 1 to
 *                    {@value WebhookSettings#MAX_CONCURRENCY}
 */
public record WebhooksConfig(int concurrency) {
    public static final WebhooksConfig DEFAULTS = new WebhooksConfig(WebhookSettings.DEFAULT_CONCURRENCY);
}
