package io.framegate.provider;

import io.framegate.domain.ModelSpec;

import java.util.List;
import java.util.Map;

/**
 * The providers' part of {@code framegate.yaml} after loading: credentials resolved (never printed: {@link Secret}),
 * every route's upstream models resolved against the catalog. Built by {@link ConfigLoader}; turned into backends by
 * {@link Routing}. The server's own sections (workers, database, limits, retention, storage) are read by the server.
 *
 * @param channels     by name
 * @param routes       by canonical catalog model id
 * @param aliases      extra model names (lower case) -> canonical catalog model id
 * @param defaultRoute {@code local} (the offline engine) or {@code none} (unrouted models fail)
 * @param settings     the {@code timing} section
 */
public record FramegateConfig(Map<String, ChannelConfig> channels, Map<String, RouteConfig> routes,
                              Map<String, String> aliases, String defaultRoute, ProviderSettings settings) {

    /** No file: no channels or routes, every model to the offline engine, default timing. */
    public static FramegateConfig defaults() {
        return new FramegateConfig(Map.of(), Map.of(), Map.of(), "local", ProviderSettings.DEFAULTS);
    }

    /**
     * One credential at one upstream: its provider's settings with the channel's own merged in, as checked by the
     * provider type's {@link ProviderFactory}. {@code settings} is null only while the file is being checked and had
     * a problem with this channel (then loading fails).
     */
    public record ChannelConfig(String name, String provider, String type, ChannelSettings settings) {
        @Override
        public String toString() {
            return "ChannelConfig[" + name + ", " + type + " via " + provider + ", " + settings + "]";
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
