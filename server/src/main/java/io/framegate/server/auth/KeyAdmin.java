package io.framegate.server.auth;

import io.framegate.domain.ModelCatalog;
import io.framegate.provider.FramegateConfig;
import io.framegate.server.config.ConfigFile;
import io.framegate.server.db.Database;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The key store of a data directory (or of the configured database), opened without a server, for the CLI. */
public final class KeyAdmin implements AutoCloseable {
    private final Database db;
    private final KeyStore keys;

    private KeyAdmin(Database db) {
        this.db = db;
        this.keys = new KeyStore(db.jdbi());
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
        FramegateConfig.Database cfg = ConfigFile.read(dataDir, configFile, ModelCatalog.builtIn(), System::getenv).database();
        Files.createDirectories(dataDir);
        try {
            return new KeyAdmin(cfg.url() == null ? Database.embedded(dataDir)
                    : Database.open(cfg.url(), cfg.user(), cfg.password() == null ? null : cfg.password().reveal()));
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

    @Override
    public void close() {
        db.close();
    }
}
