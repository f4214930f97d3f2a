package io.framegate.server.openai;

import io.framegate.server.ErrorClassifier;
import io.framegate.server.ErrorRenderer;
import io.framegate.server.HttpErrors;
import io.javalin.Javalin;
import org.jdbi.v3.core.ConnectionException;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.SQLTransientConnectionException;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * On the OpenAI surface a request that failed because the database could not be reached is a {@code 503 unavailable}
 * ({@code DatabaseOutageErrorsTest}); a create ({@code POST}) answered so carries {@code x-should-retry: false} as a
 * 500 does, since its job may exist (the outage may have cut the read after its commit): the SDKs do not send it
 * again without the client's own Idempotency-Key. A read answered so may be retried.
 */
class DatabaseOutageCreateTest {
    @Test
    void aCreateAnswered503ForTheDatabaseIsNotRetriedBySdksAndAReadMayBe() throws Exception {
        HttpErrors errors = new HttpErrors(ErrorClassifier.standard());
        Javalin app = Javalin.create();
        app.before(errors::assignRequestId);
        app.before(c -> c.attribute(ErrorRenderer.ATTRIBUTE, (ErrorRenderer) OpenAiError::render));
        app.exception(Exception.class, errors::handle);
        io.javalin.http.Handler down = c -> {
            throw new ConnectionException(new SQLTransientConnectionException(
                    "framegate-requests - Connection is not available, request timed out after 30000ms"));
        };
        app.post("/v1/videos", down);
        app.get("/v1/videos", down);
        app.start("127.0.0.1", 0);
        try {
            HttpClient http = HttpClient.newHttpClient();
            String base = "http://127.0.0.1:" + app.port() + "/v1/videos";
            HttpResponse<String> create = http.send(HttpRequest.newBuilder(URI.create(base))
                    .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(create.statusCode()).as(create.body()).isEqualTo(503);
            assertThat(create.body()).contains("\"code\":\"unavailable\"", create.headers().firstValue("x-request-id").orElseThrow())
                    .doesNotContain("framegate-requests", "Connection is not", "SQL");
            assertThat(create.headers().firstValue("x-should-retry")).as("the job may exist").contains("false");
            HttpResponse<String> list = http.send(HttpRequest.newBuilder(URI.create(base)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(list.statusCode()).isEqualTo(503);
            assertThat(list.headers().firstValue("x-should-retry")).isEmpty();
        } finally {
            app.stop();
        }
    }
}
