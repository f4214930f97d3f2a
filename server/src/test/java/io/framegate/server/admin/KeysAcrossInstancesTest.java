package io.framegate.server.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.framegate.server.FramegateServer;
import io.framegate.server.PgTestDatabase;
import io.framegate.server.ServerOptions;
import io.framegate.server.TestClock;
import io.framegate.server.TestImages;
import io.framegate.server.TinyVideoBackend;
import io.framegate.server.jobs.WorkerSettings;
import io.framegate.server.media.MediaFinisher;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.Color;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * docs/admin.md, Taking effect and What clients see: keys, their limits and allow-lists are read from the database on
 * every request (no cache), so a key made, limited, expired or revoked through one instance counts from the next
 * request on every instance sharing the database; the {@code rpm} windows are shared rows, so two instances count
 * one key's creates together. Two running servers on one PostgreSQL database.
 */
class KeysAcrossInstancesTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String PNG = Base64.getEncoder().encodeToString(TestImages.png(64, 48, Color.BLUE));

    @TempDir
    Path dir;
    FramegateServer a;
    FramegateServer b;
    final HttpClient http = HttpClient.newHttpClient();

    record Reply(int status, JsonNode json) {
    }

    FramegateServer start(String name, String databaseUrl) throws Exception {
        Path data = Files.createDirectories(dir.resolve(name));
        Files.writeString(data.resolve("framegate.yaml"), "database: {url: '" + databaseUrl + "'}\n");
        ServerOptions o = ServerOptions.defaults(data).withHost("127.0.0.1").withPort(0).withAccessLog(null)
                .withWorkers(new WorkerSettings(1, 2, Duration.ofSeconds(30), Duration.ofMillis(100), Duration.ofSeconds(5)));
        // slow frames: the jobs the creates make stay queued or running; only the answers to the creates matter here
        return FramegateServer.builder(o).environment(Map.<String, String>of()::get)
                .backend("local", new TinyVideoBackend("local", true, 2000)).finisher(new MediaFinisher()).build().start();
    }

    @AfterEach
    void stop() {
        if (a != null) a.close();
        if (b != null) b.close();
    }

    Reply send(FramegateServer s, String method, String path, String body, String bearer) throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port() + path))
                .timeout(Duration.ofSeconds(30)).header("Authorization", "Bearer " + bearer)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) r.header("Content-Type", "application/json");
        HttpResponse<String> answer = http.send(r.build(), HttpResponse.BodyHandlers.ofString());
        return new Reply(answer.statusCode(), answer.body().isBlank() ? JSON.createObjectNode() : JSON.readTree(answer.body()));
    }

    Reply admin(FramegateServer s, String method, String path, String body) throws Exception {
        String token = Files.readString(s.adminToken().file().orElseThrow()).trim();
        return send(s, method, path, body, token);
    }

    Reply create(FramegateServer s, String key, String model) throws Exception {
        return send(s, "POST", "/v1/videos", "{\"model\":\"" + model + "\",\"prompt\":\"p\",\"size\":\"160x96\",\"seconds\":\"1\","
                + "\"input_reference\":{\"image_url\":\"data:image/png;base64," + PNG + "\"}}", key);
    }

    @Test
    void aKeyMadeLimitedAndRevokedThroughOneInstanceCountsFromTheNextRequestOnTheOther() throws Exception {
        String url = PgTestDatabase.fresh();
        a = start("a", url);
        b = start("b", url);

        Reply made = admin(a, "POST", "/admin/v1/keys", "{\"name\":\"shared\",\"models\":[\"framegate-local-fast\"]}");
        assertThat(made.status()).as(made.json().toString()).isEqualTo(201);
        String key = made.json().path("secret").asText();
        assertThat(send(b, "GET", "/v1/videos", null, key).status()).as("made on a, known to b at once").isEqualTo(200);

        Reply outside = create(b, key, "framegate-local");
        assertThat(outside.status()).as(outside.json().toString()).isEqualTo(403);
        assertThat(outside.json().at("/error/code").asText()).isEqualTo("model_not_allowed");
        assertThat(admin(a, "PATCH", "/admin/v1/keys/shared", "{\"models\":null}").status()).isEqualTo(200);
        assertThat(create(b, key, "framegate-local").status()).as("the allow-list lifted on a counts on b").isEqualTo(200);

        // one rpm window for both instances: a create on a uses the one slot b would give
        TestClock.earlyInAMinuteWindow();
        assertThat(admin(b, "PATCH", "/admin/v1/keys/shared", "{\"rpm\":1}").status()).isEqualTo(200);
        assertThat(create(a, key, "framegate-local").status()).isEqualTo(200);
        Reply limited = create(b, key, "framegate-local");
        assertThat(limited.status()).as(limited.json().toString()).isEqualTo(429);
        assertThat(limited.json().at("/error/code").asText()).isEqualTo("rate_limit_exceeded");

        assertThat(admin(b, "PATCH", "/admin/v1/keys/shared", "{\"expires_at\":" + (System.currentTimeMillis() / 1000 - 1) + "}")
                .json().path("status").asText()).isEqualTo("expired");
        assertThat(send(a, "GET", "/v1/videos", null, key).status()).as("expired on b, refused by a").isEqualTo(401);
        admin(b, "PATCH", "/admin/v1/keys/shared", "{\"expires_at\":null}");
        assertThat(send(a, "GET", "/v1/videos", null, key).status()).as("the expiry lifted").isEqualTo(200);

        assertThat(admin(a, "POST", "/admin/v1/keys/shared/revoke", null).json().path("status").asText()).isEqualTo("revoked");
        Reply refused = send(b, "GET", "/v1/videos", null, key);
        assertThat(refused.status()).as("revoked on a, refused by b").isEqualTo(401);
        assertThat(refused.json().at("/error/code").asText()).isEqualTo("invalid_api_key");
    }
}
