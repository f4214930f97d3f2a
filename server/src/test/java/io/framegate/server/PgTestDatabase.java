package io.framegate.server;

import org.junit.jupiter.api.Assumptions;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The real PostgreSQL of the PostgreSQL tests: {@code FRAMEGATE_TEST_PG_URL}, a JDBC URL with user and password, as
 * {@code .ci/run} exports it ({@code deploy/pg-test.sh start DIR} starts one locally). Without it these tests are
 * skipped with a message; {@code .ci/run} fails when it cannot start PostgreSQL, so in CI they always run.
 */
public final class PgTestDatabase {
    public static final String ENV = "FRAMEGATE_TEST_PG_URL";

    private PgTestDatabase() {
    }

    /** The URL, or the test is skipped (aborted) when none is configured. */
    public static String url() {
        String url = System.getenv(ENV);
        Assumptions.assumeTrue(url != null && !url.isBlank(), ENV + " is not set: PostgreSQL test skipped "
                + "(start one with `deploy/pg-test.sh start DIR` and export the URL it prints)");
        return url;
    }

    /** The URL of an empty database: everything an earlier test left (tables, Flyway history) is dropped. */
    public static String fresh() {
        String url = url();
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            s.execute("DROP SCHEMA public CASCADE");
            s.execute("CREATE SCHEMA public");
        } catch (SQLException e) {
            throw new IllegalStateException("cannot reset the PostgreSQL test database", e);
        }
        return url;
    }
}
