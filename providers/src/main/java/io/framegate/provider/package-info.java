/**
 * Cloud providers behind {@link io.framegate.domain.GenerationBackend}. The base package holds what every
 * provider shares: the small {@link io.framegate.provider.VideoUpstream} interface (submit, poll, fetch, cancel),
 * request translation between the Sora and Veo shapes ({@link io.framegate.provider.Translation}), image fitting
 * ({@link io.framegate.provider.UpstreamImages}), retries and polling ({@link io.framegate.provider.Retrier}),
 * failover across channels ({@link io.framegate.provider.FailoverBackend}), the providers' sections of the config file
 * ({@link io.framegate.provider.ConfigLoader}; the file is parsed once into a {@link io.framegate.provider.ConfigTree}
 * and the server reads its own sections from it through the same {@link io.framegate.provider.ConfigSection}) and the
 * router built from them ({@link io.framegate.provider.Routing}).
 * Each provider is one sub-package: {@code gemini}, {@code vertex}, {@code openai}, ...
 *
 * <h2>How to add a provider</h2>
 * <ol>
 *   <li>A package {@code io.framegate.provider.<name>} with a {@link io.framegate.provider.VideoUpstream} (single
 *       calls: submit, poll, fetch, cancel; failures as classified {@link io.framegate.provider.UpstreamException}s,
 *       with no upstream body in their messages; {@link io.framegate.provider.Http} does most of that) and a
 *       {@link io.framegate.provider.ProviderFactory}: its {@code type} name, the keys its config entries take, which
 *       of them are credentials, which catalog {@code provider} values its channels serve, and {@code configure},
 *       which reads one channel through {@link io.framegate.provider.ProviderSection} (channel keys over provider keys,
 *       secrets from env/file, problems named by field) and returns a record of
 *       {@link io.framegate.provider.ChannelSettings} that opens the upstream.</li>
 *   <li>One line with the factory's class name in
 *       {@code providers/src/main/resources/META-INF/services/io.framegate.provider.ProviderFactory}. Nothing else
 *       names the type: {@link io.framegate.provider.ConfigLoader} and {@link io.framegate.provider.Routing} find it
 *       with {@link java.util.ServiceLoader}.</li>
 *   <li>Its models as catalog data (roles, durations, sizes, prices, lifecycle, the per-model request field map):
 *       see {@code domain/src/main/resources/io/framegate/domain/catalog/}.</li>
 *   <li>Wire tests against WireMock stand-ins, and a worked example in docs/config.md.</li>
 * </ol>
 */
package io.framegate.provider;
