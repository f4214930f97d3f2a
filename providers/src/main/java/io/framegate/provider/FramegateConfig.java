package io.framegate.provider;

import io.framegate.domain.ModelSpec;

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
 * @param workers      the server's {@code workers} section (slots); read here so one loader checks the whole file
 * @param database     the server's {@code database} section
 * @param limits       the server's {@code limits} section (local work per job, free disk)
 * @param retention    the server's {@code retention} section (how long files are kept)
 * @param storage      the server's {@code storage} section (local disk or an S3-compatible bucket)
 * @param databasePools the server's {@code database_pools} section (connections for requests and for the job core)
 */
public record FramegateConfig(Map<String, ChannelConfig> channels, Map<String, RouteConfig> routes,
                              Map<String, String> aliases, String defaultRoute, ProviderSettings settings,
                              Workers workers, Database database, LimitsConfig limits, RetentionConfig retention,
                              StorageConfig storage, DatabasePools databasePools) {

    /** Without a {@code database_pools} section: its defaults. */
    public FramegateConfig(Map<String, ChannelConfig> channels, Map<String, RouteConfig> routes,
                           Map<String, String> aliases, String defaultRoute, ProviderSettings settings,
                           Workers workers, Database database, LimitsConfig limits, RetentionConfig retention,
                           StorageConfig storage) {
        this(channels, routes, aliases, defaultRoute, settings, workers, database, limits, retention, storage,
                DatabasePools.DEFAULTS);
    }

    /** No file: no channels or routes, every model to the offline engine, default timing, embedded database. */
    public static FramegateConfig defaults() {
        return new FramegateConfig(Map.of(), Map.of(), Map.of(), "local", ProviderSettings.DEFAULTS, Workers.UNSET,
                Database.EMBEDDED, LimitsConfig.DEFAULTS, RetentionConfig.DEFAULTS,
                StorageConfig.LOCAL);
    }

    /**
     * How many jobs the server runs at once; null where the file does not say (the server's defaults apply).
     *
     * @param local       renders on this machine at once (CPU-bound)
     * @param cloud       jobs waiting on cloud upstreams at once
     * @param maxAttempts attempts a job gets before it fails (attempts that crashed or died with the process)
     */
    public record Workers(Integer local, Integer cloud, Integer maxAttempts) {
        public static final Workers UNSET = new Workers(null, null, null);

        public Workers(Integer local, Integer cloud) {
            this(local, cloud, null);
        }
    }

    /**
     * The job database; {@code url} null means the embedded file database in the data directory.
     *
     * @param password read from {@code password_env} or {@code password_file}, never from the YAML itself
     */
    public record Database(String url, String user, Secret password) {
        public static final Database EMBEDDED = new Database(null, null, null);

        @Override
        public String toString() {
            return "Database[" + (url == null ? "embedded" : url.replaceAll("(?i)(password=)[^&;]*", "$1***")) + (user != null ? ", user " + user : "")
                    + (password != null ? ", password " + password : "") + "]";
        }
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
