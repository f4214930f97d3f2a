package io.framegate.server.config;

import io.framegate.provider.ConfigSection;
import io.framegate.server.webhooks.WebhookSettings;

import java.util.Set;

/**
 * Reads the server's sections of {@code framegate.yaml}: {@code workers}, {@code database}, {@code database_pools},
 * {@code limits}, {@code retention}, {@code webhooks}.
 */
final class ServerSections {
    private static final Set<String> WORKER_KEYS = Set.of("local", "cloud", "max_attempts", "max_download_attempts",
            "max_internal_poll_failures");
    private static final Set<String> DATABASE_KEYS = Set.of("url", "user", "password_env", "password_file");
    private static final Set<String> POOL_KEYS = Set.of("requests", "background");
    private static final Set<String> LIMIT_KEYS = Set.of("local_pixel_frames", "extension_chain", "local_render_deadline",
            "min_free_disk", "max_queued_jobs");
    private static final Set<String> RETENTION_KEYS = Set.of("results", "inputs_grace", "sweep_interval", "orphan_age");
    private static final Set<String> WEBHOOK_KEYS = Set.of("concurrency");

    private ServerSections() {
    }

    static ServerConfig.Workers workers(ConfigSection s) {
        if (!s.mapping("local and/or cloud", WORKER_KEYS)) return ServerConfig.Workers.UNSET;
        return new ServerConfig.Workers(s.positiveInt("local"), s.positiveInt("cloud"), s.positiveInt("max_attempts"),
                s.positiveInt("max_download_attempts"), s.positiveInt("max_internal_poll_failures"));
    }

    static ServerConfig.Database database(ConfigSection s) {
        if (!s.mapping("url, user, password_env or password_file", DATABASE_KEYS)) return ServerConfig.Database.EMBEDDED;
        String url = s.text("url");
        if (url == null) {
            s.problem("url", "missing; a JDBC URL (without a database section the embedded file database is used)");
        } else if (!url.startsWith("jdbc:")) {
            s.problem("url", url + " is not a JDBC URL (jdbc:...)");
        }
        return new ServerConfig.Database(url, s.text("user"), s.secret("password_env", "password_file"));
    }

    static DatabasePools pools(ConfigSection s) {
        DatabasePools d = DatabasePools.DEFAULTS;
        if (!s.mapping("requests and/or background (connections per pool)", POOL_KEYS)) return d;
        return new DatabasePools(poolSize(s, "requests", d.requests()), poolSize(s, "background", d.background()));
    }

    private static int poolSize(ConfigSection s, String key, int dflt) {
        Integer n = s.positiveInt(key);
        if (n == null) return dflt;
        if (n > DatabasePools.MAX) {
            s.problem(key, n + " is not a whole number of connections from 1 to " + DatabasePools.MAX);
            return dflt;
        }
        return n;
    }

    static LimitsConfig limits(ConfigSection s) {
        LimitsConfig d = LimitsConfig.DEFAULTS;
        if (!s.mapping(sorted(LIMIT_KEYS), LIMIT_KEYS)) return d;
        long pixelFrames = s.positiveLong("local_pixel_frames", d.localPixelFrames());
        long chain = s.positiveLong("extension_chain", d.maxExtensionChain());
        if (chain > 1000) s.problem("extension_chain", chain + " must be at most 1000");
        var deadline = s.positiveDuration("local_render_deadline", d.localRenderDeadline());
        long minFree = s.bytes("min_free_disk", d.minFreeDiskBytes());
        String queued = s.text("max_queued_jobs");
        long maxQueued = queued != null && queued.trim().equals("0") ? 0 : s.positiveLong("max_queued_jobs", d.maxQueuedJobs());
        return new LimitsConfig(pixelFrames, (int) Math.min(chain, 1000), deadline, minFree, (int) Math.min(maxQueued, 10_000_000));
    }

    static RetentionConfig retention(ConfigSection s) {
        RetentionConfig d = RetentionConfig.DEFAULTS;
        if (!s.mapping(sorted(RETENTION_KEYS), RETENTION_KEYS)) return d;
        return new RetentionConfig(s.positiveDuration("results", d.results()),
                s.positiveDuration("inputs_grace", d.inputsGrace()),
                s.positiveDuration("sweep_interval", d.sweepInterval()),
                s.positiveDuration("orphan_age", d.orphanAge()));
    }

    static WebhooksConfig webhooks(ConfigSection s) {
        WebhooksConfig d = WebhooksConfig.DEFAULTS;
        if (!s.mapping("concurrency (webhook attempts at once)", WEBHOOK_KEYS)) return d;
        Integer n = s.positiveInt("concurrency");
        if (n == null) return d;
        if (n > WebhookSettings.MAX_CONCURRENCY) {
            s.problem("concurrency", n + " is not a whole number of attempts from 1 to " + WebhookSettings.MAX_CONCURRENCY);
            return d;
        }
        return new WebhooksConfig(n);
    }

    private static String sorted(Set<String> keys) {
        return String.join(", ", keys.stream().sorted().toList());
    }
}
