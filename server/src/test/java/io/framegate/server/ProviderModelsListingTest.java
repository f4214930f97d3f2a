package io.framegate.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.framegate.domain.ModelCatalog;
import io.framegate.domain.ModelSpec;
import org.junit.jupiter.api.AfterEach;
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
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code GET /v1/videos/models} lists every model of the nine provider-hosted types, each with its route (channel,
 * upstream model, provider) when framegate.yaml routes it; the routes here are every such catalog model to a channel
 * of its provider.
 */
class ProviderModelsListingTest {
    static final List<String> TYPES = List.of("fal", "replicate", "kling", "runway", "luma", "minimax", "seedance", "wan",
            "openrouter");

    @TempDir
    Path dir;
    FramegateServer server;

    @AfterEach
    void stop() {
        if (server != null) server.close();
    }

    @Test
    void everyProviderHostedModelIsListedWithItsRoute() throws Exception {
        StringBuilder yaml = new StringBuilder("providers:\n");
        for (String t : TYPES) {
            yaml.append("  ").append(t).append(": {type: ").append(t).append(t.equals("kling")
                    ? ", access_key_env: K, secret_key_env: K}\n" : ", api_key_env: K}\n");
        }
        yaml.append("routes:\n");
        Map<String, String> routed = new HashMap<>();
        for (ModelSpec m : ModelCatalog.builtIn().models()) {
            if (!TYPES.contains(m.provider())) continue;
            yaml.append("  '").append(m.id()).append("': [").append(m.provider()).append("]\n");
            routed.put(m.id(), m.provider());
        }
        assertThat(routed.values()).as("every type has catalog models").containsAll(TYPES);
        Path data = dir.resolve("data");
        Files.createDirectories(data);
        Files.writeString(data.resolve("framegate.yaml"), yaml);
        ServerOptions o = ServerOptions.defaults(data).withHost("127.0.0.1").withPort(0)
                .withAccessLog(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        server = FramegateServer.builder(o).environment(Map.of("K", "key_test")::get)
                .localBackend(new TinyVideoBackend("local", true, 0)).build().start();
        String key = server.keys().create("list").secret();

        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + server.port() + "/v1/videos/models"))
                .header("Authorization", "Bearer " + key).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode data2 = new ObjectMapper().readTree(r.body()).path("data");
        Map<String, JsonNode> listed = new HashMap<>();
        data2.forEach(n -> listed.put(n.path("id").asText(), n));

        routed.forEach((id, type) -> {
            JsonNode n = listed.get(id);
            assertThat(n).as("%s is listed", id).isNotNull();
            assertThat(n.path("provider").asText()).as(id).isEqualTo(type);
            assertThat(n.at("/framegate/backend").asText()).as(id).isEqualTo("route:" + id);
            assertThat(n.at("/framegate/local_render").asBoolean(true)).as(id).isFalse();
            assertThat(n.at("/framegate/channels/0/channel").asText()).as(id).isEqualTo(type);
            assertThat(n.at("/framegate/channels/0/provider").asText()).as(id).isEqualTo(type);
            assertThat(n.at("/framegate/channels/0/upstream_model").asText()).as(id).isEqualTo(id);
        });
    }
}
