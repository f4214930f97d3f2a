package io.framegate.server.db;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.flywaydb.core.Flyway;
import org.jdbi.v3.core.Jdbi;

import java.nio.file.Path;

/**
 * The job database: a connection pool, migrated with Flyway on open. An embedded H2 file under the data directory by
 * default; any JDBC URL (PostgreSQL) when configured.
 */
public final class Database implements AutoCloseable {
    private final HikariDataSource dataSource;
    private final Jdbi jdbi;
    private final boolean embedded;

    private Database(HikariDataSource dataSource, boolean embedded) {
        this.dataSource = dataSource;
        this.jdbi = Jdbi.create(dataSource);
        this.embedded = embedded;
    }

    /** The embedded file database {@code <dataDir>/framegate.mv.db}; only one process can open it at a time. */
    public static Database embedded(Path dataDir) {
        String url = "jdbc:h2:file:" + dataDir.toAbsolutePath().normalize().resolve("framegate")
                + ";DB_CLOSE_ON_EXIT=FALSE";
        return open(url, "sa", "", true);
    }

    public static Database open(String url, String user, String password) {
        return open(url, user, password, url.startsWith("jdbc:h2:file:"));
    }

    private static Database open(String url, String user, String password, boolean embedded) {
        HikariConfig cfg = new HikariConfig();
        cfg.setJdbcUrl(url);
        cfg.setUsername(user);
        cfg.setPassword(password);
        cfg.setMaximumPoolSize(10);
        cfg.setPoolName("framegate-db");
        HikariDataSource ds = new HikariDataSource(cfg);
        try {
            Flyway.configure().dataSource(ds).locations("classpath:db/migration").load().migrate();
        } catch (RuntimeException e) {
            ds.close();
            throw e;
        }
        return new Database(ds, embedded);
    }

    public Jdbi jdbi() {
        return jdbi;
    }

    /** Whether this process is the only one that can use the database (an embedded file is locked to one process). */
    public boolean isExclusive() {
        return embedded;
    }

    @Override
    public void close() {
        dataSource.close();
    }
}
