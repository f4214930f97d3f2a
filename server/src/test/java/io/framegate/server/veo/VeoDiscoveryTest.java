package io.framegate.server.veo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.framegate.server.FramegateServer;
import io.framegate.server.ServerOptions;
import io.framegate.server.TinyVideoBackend;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A server built the way {@code framegate serve} builds it (surfaces found with ServiceLoader) serves both Veo
 * surfaces next to the OpenAI one, each answering {@code /v1/...} in its own error shape.
 */
class VeoDiscoveryTest {
    @Test
    void everySurfaceIsFoundAndKeepsItsOwnV1Routes(@TempDir Path dir) throws Exception {
        ServerOptions options = ServerOptions.defaults(dir).withHost("127.0.0.1").withPort(0).withAccessLog(null);
        try (FramegateServer server = FramegateServer.builder(options)
                .backend("local", new TinyVideoBackend("local", true, 0)).build().start()) {
            String base = "http://127.0.0.1:" + server.port();
            HttpClient http = HttpClient.newHttpClient();
            ObjectMapper json = new ObjectMapper();
            String[] googlePaths = {
                    "/v1beta/models/veo-3.1-generate-001:predictLongRunning",
                    "/v1/models/veo-3.1-generate-001:predictLongRunning",
                    "/v1/projects/p/locations/l/publishers/google/models/veo-3.1-generate-001:predictLongRunning",
                    "/v1beta1/publishers/google/models/veo-3.1-generate-001:predictLongRunning"};
            for (String path : googlePaths) {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + path))
                        .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
                JsonNode body = json.readTree(r.body());
                assertThat(r.statusCode()).as(path).isEqualTo(401);
                assertThat(body.at("/error/status").asText()).as(path).isEqualTo("UNAUTHENTICATED");
            }
            HttpResponse<String> openai = http.send(HttpRequest.newBuilder(URI.create(base + "/v1/videos")).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(openai.statusCode()).isEqualTo(401);
            assertThat(json.readTree(openai.body()).at("/error/type").isMissingNode()).isFalse();
            assertThat(json.readTree(openai.body()).at("/error/status").isMissingNode()).isTrue();
        }
    }
}
