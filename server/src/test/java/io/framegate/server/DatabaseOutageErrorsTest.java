package io.framegate.server;

import org.jdbi.v3.core.ConnectionException;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;
import org.junit.jupiter.api.Test;

import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by the chaos run (PostgreSQL stopped for 40 s under two instances): every request that needed the database
 * answered {@code 500 server_error} ("The server had an error while processing your request"), as if Framegate itself
 * had failed, while an unreachable bucket is a {@code 503 unavailable}. A database that cannot be reached (the pool
 * timed out waiting for a connection, the server closed it: SQLSTATE class 08, or 57P01-57P03 while it shuts down or
 * starts) is a {@code 503 unavailable} too, retryable, saying only that the service is unavailable and giving the
 * request id; what the driver said (pool name, SQL, host) stays in the log. Other database errors stay 500s.
 */
class DatabaseOutageErrorsTest {
    final ErrorClassifier classifier = ErrorClassifier.standard();

    static void assertUnavailable(ApiError e) {
        assertThat(e.status()).isEqualTo(503);
        assertThat(e.code()).isEqualTo("unavailable");
        assertThat(e.message()).contains("unavailable", "req_1234").doesNotContainIgnoringCase("sql")
                .doesNotContain("framegate-requests", "Connection is not", "127.0.0.1", "terminating", "SELECT");
    }

    @Test
    void aPoolThatCannotGetAConnectionIsA503() {
        Exception e = new ConnectionException(new SQLTransientConnectionException(
                "framegate-requests - Connection is not available, request timed out after 30000ms"));
        assertUnavailable(classifier.classify(e, "req_1234"));
    }

    @Test
    void aConnectionTheDatabaseClosedOrRefusedIsA503() {
        for (String state : new String[] {"57P01", "57P02", "57P03", "08006", "08001"}) {
            Exception e = new UnableToExecuteStatementException(new SQLException(
                    "FATAL: terminating connection due to administrator command", state), null);
            assertUnavailable(classifier.classify(e, "req_1234"));
        }
    }

    @Test
    void otherDatabaseErrorsStay500s() {
        Exception e = new UnableToExecuteStatementException(new SQLException("duplicate key value", "23505"), null);
        ApiError error = classifier.classify(e, "req_1234");
        assertThat(error.status()).isEqualTo(500);
        assertThat(error.code()).isEqualTo("server_error");
    }
}
