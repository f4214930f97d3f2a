package io.framegate.server.db;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.flywaydb.core.Flyway;
import io.framegate.server.config.DatabasePools;
import org.jdbi.v3.core.Jdbi;

import java.nio.file.Path;

/**
 * The job database, migrated with Flyway on open. An embedded H2 file under the data directory by default; any JDBC
 * URL (PostgreSQL) when configured. A server has two connection pools ({@code database_pools}): one for request
 * threads ({@link #requestJdbi}) and one for the job core ({@link #jdbi}), so workers, pollers and heartbeats can
 * never make a create wait for a connection. The CLI opens the background pool only.
 */
public final class Database implements AutoCloseable {
    private final HikariDataSource dataSource;
    private final HikariDataSource requestSource;
    private final Jdbi jdbi;
    private final Jdbi requestJdbi;
    private final java.util.concurrent.atomic.LongAdder requestCheckouts = new java.util.concurrent.atomic.LongAdder();
    private final boolean embedded;

    private Database(HikariDataSource dataSource, HikariDataSource requestSource, boolean embedded) {
        this.dataSource = dataSource;
        this.requestSource = requestSource;
        this.jdbi = Jdbi.create(dataSource);
        this.requestJdbi = requestSource == null ? jdbi : Jdbi.create(() -> {
            requestCheckouts.increment();
            return requestSource.getConnection();
        });
        this.embedded = embedded;
    }

    /** The embedded file database {@code <dataDir>/framegate.mv.db}; only one process can open it at a time. */
    public static Database embedded(Path dataDir) {
        return embedded(dataDir, null);
    }

    /** As {@link #embedded(Path)}, with a separate pool for request threads when {@code pools} is given. */
    public static Database embedded(Path dataDir, DatabasePools pools) {
        Path base = dataDir.toAbsolutePath().normalize().resolve("framegate");
        UncleanShutdown.recover(base.resolveSibling("framegate.mv.db"));
        return open(durable("jdbc:h2:file:" + base + ";DB_CLOSE_ON_EXIT=FALSE"), "sa", "", true, pools);
    }

    public static Database open(String url, String user, String password) {
        return open(url, user, password, null);
    }

    /** As {@link #open(String, String, String)}, with a separate pool for request threads when {@code pools} is given. */
    public static Database open(String url, String user, String password, DatabasePools pools) {
        if (isH2File(url)) h2File(url, user, password).ifPresent(UncleanShutdown::recover);
        return open(durable(url), user, password, isH2File(url), pools);
    }

    /**
     * The {@code .mv.db} file H2 opens for a file URL (see {@link #isH2File}), resolved as H2 resolves it; empty for a
     * URL H2 itself refuses (its own open then says why).
     */
    static java.util.Optional<Path> h2File(String url, String user, String password) {
        try {
            return java.util.Optional.of(Path.of(new org.h2.engine.ConnectionInfo(url, null, user, password).getName()
                    + ".mv.db"));
        } catch (RuntimeException refused) {
            return java.util.Optional.empty();
        }
    }

    /**
     * Whether the URL opens an H2 database in a file of this machine: {@code jdbc:h2:file:...}, but also
     * {@code jdbc:h2:/abs/path}, {@code jdbc:h2:./rel} and {@code jdbc:h2:~/db}. In memory, over the network and
     * read-only zips are not.
     */
    static boolean isH2File(String url) {
        String u = url.toLowerCase(java.util.Locale.ROOT);
        if (!u.startsWith("jdbc:h2:")) return false;
        String rest = u.substring("jdbc:h2:".length());
        return !(rest.startsWith("mem:") || rest.startsWith("tcp:") || rest.startsWith("ssl:") || rest.startsWith("zip:"));
    }

    /**
     * An H2 file URL (see {@link #isH2File}) with {@code WRITE_DELAY=0}. H2 2.x (MVStore) otherwise writes committed transactions to the file
     * only every 500 ms, so a process killed right after answering would lose what it acknowledged; with 0 every
     * commit is written to the file before it returns (H2's {@code TransactionStore.endTransaction} calls
     * {@code MVStore.commit()}). That survives the death of the process (kill -9, OOM killer), not a power cut: H2
     * does not fsync each commit. (H2 can still open a killed process's file at an older commit: {@link UncleanShutdown}
     * runs before each open.) Any other URL (PostgreSQL) is left as it is: its commits are durable already.
     */
    static String durable(String url) {
        if (!isH2File(url) || url.toUpperCase(java.util.Locale.ROOT).contains(";WRITE_DELAY=")) return url;
        return url + ";WRITE_DELAY=0";
    }

    /**
     * An H2 URL with a per-connection cache of 64 parsed statements unless it sets one: H2's default keeps 8, fewer
     * than the distinct statements of one create, so every statement was parsed and planned again (a sixth of a
     * create's CPU in a profile). Other URLs are left as they are (PostgreSQL's driver caches per connection itself).
     */
    static String parsedStatementCache(String url) {
        String u = url.toUpperCase(java.util.Locale.ROOT);
        if (!u.startsWith("JDBC:H2:") || u.contains(";QUERY_CACHE_SIZE=")) return url;
        return url + ";QUERY_CACHE_SIZE=64";
    }

    private static Database open(String url, String user, String password, boolean embedded, DatabasePools pools) {
        url = parsedStatementCache(url);
        HikariDataSource ds = pool(url, user, password, "framegate-db",
                pools == null ? DatabasePools.DEFAULTS.background() : pools.background());
        HikariDataSource requests = null;
        try {
            Flyway.configure().dataSource(ds).locations("classpath:db/migration").load().migrate();
            if (pools != null) requests = pool(url, user, password, "framegate-requests", pools.requests());
        } catch (RuntimeException e) {
            ds.close();
            throw e;
        }
        return new Database(ds, requests, embedded);
    }

    private static HikariDataSource pool(String url, String user, String password, String name, int size) {
        HikariConfig cfg = new HikariConfig();
        cfg.setJdbcUrl(url);
        cfg.setUsername(user);
        cfg.setPassword(password);
        cfg.setMaximumPoolSize(size);
        cfg.setPoolName(name);
        return new HikariDataSource(cfg);
    }

    /** The job core's pool (workers, pollers, heartbeats, retention, webhooks, admin); the only pool of the CLI. */
    public Jdbi jdbi() {
        return jdbi;
    }

    /** The request threads' pool (authentication, creates, reads); {@link #jdbi} when opened without pools. */
    public Jdbi requestJdbi() {
        return requestJdbi;
    }

    /** How many connections request threads have taken from their pool so far (one per handle or transaction). */
    public long requestCheckouts() {
        return requestCheckouts.sum();
    }

    /** Whether this process is the only one that can use the database (an embedded file is locked to one process). */
    public boolean isExclusive() {
        return embedded;
    }

    @Override
    public void close() {
        if (requestSource != null) requestSource.close();
        dataSource.close();
    }
}
