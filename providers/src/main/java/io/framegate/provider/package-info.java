/**
 * Cloud providers behind {@link io.framegate.domain.GenerationBackend}. The base package holds what every
 * provider shares: the small {@link io.framegate.provider.VideoUpstream} interface (submit, poll, fetch, cancel),
 * request translation between the Sora and Veo shapes ({@link io.framegate.provider.Translation}), image fitting
 * ({@link io.framegate.provider.ImageFitter}), retries and polling ({@link io.framegate.provider.Retrier}),
 * failover across channels ({@link io.framegate.provider.FailoverBackend}), the config file
 * ({@link io.framegate.provider.ConfigLoader}) and the router built from it ({@link io.framegate.provider.Routing}).
 * Each provider is one sub-package: {@code gemini}, {@code vertex}, {@code openai}.
 */
package io.framegate.provider;
