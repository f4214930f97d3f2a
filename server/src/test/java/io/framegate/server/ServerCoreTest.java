package io.framegate.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.framegate.provider.ConfigException;
import io.framegate.server.jobs.WorkerSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ServerCoreTest {
    @TempDir
    Path dir;

    static ServerOptions options(Path dir, PrintStream log) {
        return ServerOptions.defaults(dir).withHost("127.0.0.1").withPort(0).withAccessLog(log)
                .withWorkers(new WorkerSettings(1, 2, Duration.ofSeconds(30), Duration.ofMillis(100), Duration.ofSeconds(5)));
    }

    @Test
    void firstStartCreatesOneDefaultKeyServesHealthAndLogsJsonLines() throws Exception {
        ByteArrayOutputStream logBytes = new ByteArrayOutputStream();
        PrintStream log = new PrintStream(logBytes, true, StandardCharsets.UTF_8);
        String secret;
        HttpResponse<String> health;
        try (FramegateServer server = FramegateServer.builder(options(dir, log)).surfaces(List.of())
                .backend("local", new TinyVideoBackend("local", true, 0)).build().start()) {
            secret = server.createdDefaultKey().orElseThrow();
            assertThat(secret).startsWith("fg-");
            assertThat(server.keys().find(secret)).isPresent();
            assertThat(server.keys().list()).extracting(k -> k.name()).containsExactly("default");
            health = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + server.port() + "/healthz?key=secret123")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(health.statusCode()).isEqualTo(200);
            JsonNode body = new ObjectMapper().readTree(health.body());
            assertThat(body.path("status").asText()).isEqualTo("ok");
            assertThat(body.path("database").asText()).isEqualTo("ok");
        }
        String[] lines = logBytes.toString(StandardCharsets.UTF_8).trim().split("\n");
        assertThat(lines).hasSize(1);
        JsonNode line = new ObjectMapper().readTree(lines[0]);
        assertThat(line.path("method").asText()).isEqualTo("GET");
        assertThat(line.path("path").asText()).isEqualTo("/healthz");
        assertThat(line.path("status").asInt()).isEqualTo(200);
        assertThat(line.path("query").asText()).isEqualTo("key=REDACTED");
        assertThat(line.has("ms")).isTrue();
        // docs/admin.md, Logs: the rest of an access line's fields
        assertThat(java.time.Instant.parse(line.path("ts").asText())).isNotNull();
        assertThat(line.path("remote").asText()).isEqualTo("127.0.0.1");
        assertThat(line.path("request_id").asText()).startsWith("req_").isEqualTo(health.headers()
                .firstValue("x-request-id").orElseThrow());
        assertThat(line.path("bytes").asLong()).isEqualTo(health.body().getBytes(StandardCharsets.UTF_8).length);
        assertThat(line.path("user_agent").asText()).contains("Java-http-client");
        assertThat(line.has("key_id")).as("no key was given").isFalse();

        try (FramegateServer again = FramegateServer.builder(options(dir, null)).surfaces(List.of())
                .backend("local", new TinyVideoBackend("local", true, 0)).build().start()) {
            assertThat(again.createdDefaultKey()).isEmpty();
            assertThat(again.keys().find(secret)).isPresent();
        }
    }

    @Test
    void healthIs503NamingTheDatabaseWhenItCannotBeReached() throws Exception {
        try (FramegateServer server = FramegateServer.builder(options(dir, null)).surfaces(List.of())
                .backend("local", new TinyVideoBackend("local", true, 0)).build().start()) {
            server.database().close(); // every connection refused from now on, as a database that went away
            HttpResponse<String> health = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + server.port() + "/healthz")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(health.statusCode()).isEqualTo(503);
            JsonNode body = new ObjectMapper().readTree(health.body());
            assertThat(body.path("status").asText()).isEqualTo("unavailable");
            assertThat(body.path("database").asText()).isEqualTo("unreachable");
        }
    }

    @Test
    void routesNamingAnUnknownChannelOrModelAreRejectedAtStart() throws Exception {
        Files.writeString(dir.resolve("framegate.yaml"), "routes:\n  sora-2: [gemini-main]\n");
        assertThatThrownBy(() -> FramegateServer.builder(options(dir, null)).surfaces(List.of())
                .backend("local", new TinyVideoBackend("local", true, 0)).build())
                .isInstanceOf(ConfigException.class).hasMessageContaining("routes.sora-2[0].channel: gemini-main is not defined");
        Files.writeString(dir.resolve("framegate.yaml"), "routes:\n  no-such-model: [local]\n");
        assertThatThrownBy(() -> FramegateServer.builder(options(dir, null)).surfaces(List.of())
                .backend("local", new TinyVideoBackend("local", true, 0)).build())
                .isInstanceOf(ConfigException.class).hasMessageContaining("routes.no-such-model: no-such-model is not a catalog model");
    }
}
