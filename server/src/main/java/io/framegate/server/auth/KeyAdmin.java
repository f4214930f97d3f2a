package io.framegate.server.auth;

import io.framegate.server.config.ServerConfig;
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
     * @param configFile the config naming the database, or null for {@code <dataDir>/framegate.yaml}
     * @throws IllegalStateException the embedded database is open in a running server
     */
    public static KeyAdmin open(Path dataDir, Path configFile) throws IOException {
        ServerConfig cfg = ServerConfig.load(configFile != null ? configFile : dataDir.resolve("framegate.yaml"));
        Files.createDirectories(dataDir);
        try {
            return new KeyAdmin(cfg.databaseUrl() == null ? Database.embedded(dataDir)
                    : Database.open(cfg.databaseUrl(), cfg.databaseUser(), cfg.databasePassword()));
        } catch (RuntimeException e) {
            if (cfg.databaseUrl() == null && String.valueOf(rootMessage(e)).contains("already in use")) {
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
