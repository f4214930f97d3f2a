package io.framegate.server.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.framegate.server.RecordingBackend;
import io.framegate.server.TestImages;
import io.framegate.server.TinyVideoBackend;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.Color;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The {@code easing} option of the OpenAI surface: listed with the models, validated before any work, passed on. */
class EasingOptionTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    @TempDir
    Path dir;

    /** A backend that records each plan it renders, then renders a tiny real video. */
    private static RecordingBackend recording() {
        return new RecordingBackend(new TinyVideoBackend("local", true, 0));
    }

    private static List<Object> easings(RecordingBackend backend) {
        return backend.requests().stream().map(r -> (Object) String.valueOf(r.options().get("easing"))).toList();
    }

    private static String body(String easing) throws Exception {
        String png = "data:image/png;base64," + Base64.getEncoder().encodeToString(TestImages.png(160, 96, Color.BLUE));
        return "{\"model\":\"framegate-local\",\"prompt\":\"x\",\"seconds\":\"2\",\"size\":\"160x96\",\"easing\":\""
                + easing + "\",\"input_reference\":{\"image_url\":\"" + png + "\"}}";
    }

    private static HttpResponse<byte[]> create(OpenAiTestServer t, String body) throws Exception {
        return t.send(t.request("/v1/videos", t.keyA).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    @Test
    void modelsListTheEasingOptionWithItsValuesAndDefault() throws Exception {
        try (OpenAiTestServer t = new OpenAiTestServer(dir, recording(), 5_000_000)) {
            HttpResponse<byte[]> r = t.send(t.request("/v1/videos/models", t.keyA).GET());
            assertThat(r.statusCode()).isEqualTo(200);
            for (JsonNode m : JSON.readTree(r.body()).path("data")) {
                JsonNode easing = m.path("options").path("easing");
                assertThat(easing.path("allowed").toString()).as(m.path("id").asText())
                        .isEqualTo("[\"ease-in-out\",\"linear\"]");
                assertThat(easing.path("default").asText()).isEqualTo("ease-in-out");
            }
        }
    }

    @Test
    void unknownEasingIsA400NamingTheParameterAndNothingRuns() throws Exception {
        RecordingBackend backend = recording();
        try (OpenAiTestServer t = new OpenAiTestServer(dir, backend, 5_000_000)) {
            HttpResponse<byte[]> r = create(t, body("bouncy"));
            assertThat(r.statusCode()).as(new String(r.body())).isEqualTo(400);
            JsonNode e = JSON.readTree(r.body()).path("error");
            assertThat(e.path("param").asText()).isEqualTo("easing");
            assertThat(e.path("type").asText()).isEqualTo("invalid_request_error");
            assertThat(e.path("message").asText()).isEqualTo("easing=bouncy is not allowed; allowed: ease-in-out, linear");
            assertThat(t.server.jobs().list(t.server.keys().find(t.keyA).orElseThrow().id(), null, 10,
                    io.framegate.server.jobs.ListOrder.DESC).data()).isEmpty();
            assertThat(easings(backend)).isEmpty();
        }
    }

    @Test
    void validEasingReachesTheBackend() throws Exception {
        RecordingBackend backend = recording();
        try (OpenAiTestServer t = new OpenAiTestServer(dir, backend, 5_000_000)) {
            HttpResponse<byte[]> r = create(t, body("linear"));
            assertThat(r.statusCode()).as(new String(r.body())).isEqualTo(200);
            String id = JSON.readTree(r.body()).path("id").asText();
            assertThat(OpenAiTestServer.awaitFinal(t.client(t.keyA), id).status().asString()).isEqualTo("completed");
            assertThat(easings(backend)).containsExactly("linear");
        }
    }
}
