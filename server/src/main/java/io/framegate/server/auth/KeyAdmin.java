package io.framegate.server.auth;

import io.framegate.domain.ModelCatalog;
import io.framegate.server.config.ConfigFile;
import io.framegate.server.config.ServerConfig;
import io.framegate.server.db.Database;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The key store of a data directory (or of the configured database), opened without a server, for the CLI. */
public final class KeyAdmin implements AutoCloseable {
    private final Database db;
    private final KeyStore keys;
    private final io.framegate.server.tenancy.TenantAdmin tenants;

    private KeyAdmin(Database db, ServerConfig config, ModelCatalog catalog) {
        this.db = db;
        this.keys = new KeyStore(db.jdbi());
        // a model name as the server resolves it: a config alias first, then the catalog
        this.tenants = new io.framegate.server.tenancy.TenantAdmin(db.jdbi(), name -> name == null ? java.util.Optional.empty()
                : catalog.find(config.providers().aliases().getOrDefault(name.toLowerCase(java.util.Locale.ROOT), name))
                .map(io.framegate.domain.ModelSpec::id), java.time.Clock.systemUTC());
    }

    /**
     * Reads the same {@code framegate.yaml} as the server (the whole file is checked, so a key tool run tells of a
     * broken config before the next start does).
     *
     * @param configFile the config naming the database, or null for {@code <dataDir>/framegate.yaml} if it exists
     * @throws io.framegate.provider.ConfigException the config is wrong (the message names the field)
     * @throws IllegalStateException                the embedded database is open in a running server
     */
    public static KeyAdmin open(Path dataDir, Path configFile) throws IOException {
        ServerConfig config = ConfigFile.read(dataDir, configFile, ModelCatalog.builtIn(), System::getenv);
        ServerConfig.Database cfg = config.database();
        Files.createDirectories(dataDir);
        try {
            return new KeyAdmin(cfg.url() == null ? Database.embedded(dataDir)
                    : Database.open(cfg.url(), cfg.user(), cfg.password() == null ? null : cfg.password().reveal()),
                    config, ModelCatalog.builtIn());
        } catch (RuntimeException e) {
            if (cfg.url() == null && String.valueOf(rootMessage(e)).contains("already in use")) {
                throw new IllegalStateException("the database in " + dataDir.toAbsolutePath()
                        + " is open in a running `framegate serve`; stop it, manage keys, start it again", e);
            }
            throw e;
        }
    }

    private static String rootMessage(Throwable t) {
        StringBuilder sb = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) sb.append(c.getMessage()).append(' ');
        return sb.toString();
    }

    public KeyStore keys() {
        return keys;
    }

    /** Accounts and keys with the admin API's rules (for the CLI when no server runs on the data directory). */
    public io.framegate.server.tenancy.TenantAdmin tenants() {
        return tenants;
    }

    /** Usage from the ledger, as {@code GET /admin/v1/usage} answers it. */
    public io.framegate.server.tenancy.UsageQuery usage() {
        return new io.framegate.server.tenancy.UsageQuery(db.jdbi());
    }

    /** Webhook endpoints with the admin API's rules ({@code FRAMEGATE_ALLOW_PRIVATE_WEBHOOKS} from this process). */
    public io.framegate.server.webhooks.WebhookAdmin webhooks() {
        return new io.framegate.server.webhooks.WebhookAdmin(db.jdbi(), new io.framegate.server.webhooks.WebhookPoster(
                io.framegate.server.webhooks.Webhooks.settingsFrom(System::getenv).allowPrivate()), java.time.Clock.systemUTC());
    }

    @Override
    public void close() {
        db.close();
    }
}
