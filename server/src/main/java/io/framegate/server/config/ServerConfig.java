package io.framegate.server.config;

import io.framegate.provider.ConfigTree;
import io.framegate.provider.FramegateConfig;
import io.framegate.provider.Secret;

/**
 * {@code framegate.yaml} as the server uses it: the providers' part (read by the providers module) and the server's
 * own sections, read here from the same parsed file ({@link ServerSections}).
 *
 * @param providers providers, channels, routes, aliases, default_route and timing
 * @param workers   the {@code workers} section (slots)
 * @param database  the {@code database} section
 * @param pools     the {@code database_pools} section (connections for requests and for the job core)
 * @param limits    the {@code limits} section (local work per job, free disk, queue bound)
 * @param retention the {@code retention} section (how long files are kept)
 * @param storage   the {@code storage} section (local disk or an S3-compatible bucket)
 * @param webhooks  the {@code webhooks} section (attempts at once)
 */
public record ServerConfig(FramegateConfig providers, Workers workers, Database database, DatabasePools pools,
                           LimitsConfig limits, RetentionConfig retention, StorageConfig storage, WebhooksConfig webhooks) {

    /** No file: no routes, every model to the offline engine, embedded database, local storage, default limits. */
    public static ServerConfig defaults() {
        return new ServerConfig(FramegateConfig.defaults(), Workers.UNSET, Database.EMBEDDED, DatabasePools.DEFAULTS,
                LimitsConfig.DEFAULTS,
                RetentionConfig.DEFAULTS, StorageConfig.LOCAL, WebhooksConfig.DEFAULTS);
    }

    /** The server's sections of {@code tree}; the caller then calls {@link ConfigTree#finish}. */
    static ServerConfig read(ConfigTree tree, FramegateConfig providers) {
        return new ServerConfig(providers, ServerSections.workers(tree.section("workers")),
                ServerSections.database(tree.section("database")), ServerSections.pools(tree.section("database_pools")),
                ServerSections.limits(tree.section("limits")),
                ServerSections.retention(tree.section("retention")), StorageConfig.read(tree.section("storage")),
                ServerSections.webhooks(tree.section("webhooks")));
    }

    /**
     * How many jobs the server runs at once; null where the file does not say (the server's defaults apply).
     *
     * @param local       renders on this machine at once (CPU-bound)
     * @param cloud       jobs waiting on cloud upstreams at once
     * @param maxAttempts attempts a job gets before it fails (attempts that crashed or died with the process)
     * @param maxDownloadAttempts attempts a job the upstream accepted gets to collect its video, counted likewise
     * @param maxInternalPollFailures polls of a waiting job in a row that may fail inside the server before it fails
     */
    public record Workers(Integer local, Integer cloud, Integer maxAttempts, Integer maxDownloadAttempts,
                          Integer maxInternalPollFailures) {
        public static final Workers UNSET = new Workers(null, null, null, null, null);

        public Workers(Integer local, Integer cloud) {
            this(local, cloud, null, null, null);
        }

        public Workers(Integer local, Integer cloud, Integer maxAttempts) {
            this(local, cloud, maxAttempts, null, null);
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
            return "Database[" + (url == null ? "embedded" : url.replaceAll("(?i)(password=)[^&;]*", "$1***"))
                    + (user != null ? ", user " + user : "") + (password != null ? ", password " + password : "") + "]";
        }
    }
}
