package io.framegate.provider;

import io.framegate.domain.ModelSpec;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * {@code framegate.yaml} after loading: credentials resolved (never printed: {@link Secret}), every route's upstream
 * models resolved against the catalog. Built by {@link ConfigLoader}; turned into backends by {@link Routing}.
 *
 * @param channels     by name
 * @param routes       by canonical catalog model id
 * @param aliases      extra model names (lower case) -> canonical catalog model id
 * @param defaultRoute {@code local} (the offline engine) or {@code none} (unrouted models fail)
 */
public record FramegateConfig(Map<String, ChannelConfig> channels, Map<String, RouteConfig> routes,
                              Map<String, String> aliases, String defaultRoute, ProviderSettings settings) {

    /** One credential at one upstream, with its provider's settings merged in. */
    public record ChannelConfig(String name, String provider, String type, String baseUrl, String apiVersion,
                                Secret apiKey, Path credentialsFile, String project, String location,
                                String storageUrl, String outputGcsUri) {
        @Override
        public String toString() {
            return "ChannelConfig[" + name + ", " + type + " via " + provider + ", base " + baseUrl
                    + (apiKey != null ? ", key " + apiKey : "") + (credentialsFile != null ? ", credentials " + credentialsFile : "")
                    + (project != null ? ", project " + project + "/" + location : "") + "]";
        }
    }

    /** A model's ordered channels. */
    public record RouteConfig(String model, List<Target> targets, ReferenceAs referenceAs) {
        public RouteConfig {
            targets = List.copyOf(targets);
        }
    }

    /** One channel of a route and the upstream model it is asked for. */
    public record Target(String channel, ModelSpec upstreamModel) { }
}
