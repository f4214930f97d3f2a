package io.framegate.server.admin;

import io.framegate.server.FramegateServer;
import io.framegate.server.PgTestDatabase;
import io.framegate.server.TestClock;
import io.framegate.server.TinyVideoBackend;
import io.framegate.server.admin.AdminServers.Reply;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * docs/admin.md, Taking effect and What clients see: keys, their limits and allow-lists are read from the database on
 * every request (no cache), so a key made, limited, expired or revoked through one instance counts from the next
 * request on every instance sharing the database; the {@code rpm} windows are shared rows, so two instances count
 * one key's creates together. Two running servers on one PostgreSQL database.
 */
class KeysAcrossInstancesTest {
    @TempDir
    Path dir;
    FramegateServer a;
    FramegateServer b;

    FramegateServer start(String name, String databaseUrl) throws Exception {
        Path data = Files.createDirectories(dir.resolve(name));
        Files.writeString(data.resolve("framegate.yaml"), "database: {url: '" + databaseUrl + "'}\n");
        // slow frames: the jobs the creates make stay queued or running; only the answers to the creates matter here
        return AdminServers.start(data, new TinyVideoBackend("local", true, 2000), Map.of());
    }

    @AfterEach
    void stop() {
        if (a != null) a.close();
        if (b != null) b.close();
    }

    Reply send(FramegateServer s, String method, String path, String body, String bearer) throws Exception {
        return AdminServers.send(s, method, path, body, "Authorization", "Bearer " + bearer);
    }

    Reply admin(FramegateServer s, String method, String path, String body) throws Exception {
        String token = Files.readString(s.adminToken().file().orElseThrow()).trim();
        return send(s, method, path, body, token);
    }

    Reply create(FramegateServer s, String key, String model) throws Exception {
        return AdminServers.openAiCreate(s, key, model);
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
