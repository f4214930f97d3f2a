package io.framegate.server.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.framegate.domain.FitMode;
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

/** {@code fit} on the OpenAI surface: a typed request field, listed with the models, validated before any work. */
class FitOptionTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    @TempDir
    Path dir;

    /** A backend that records each plan it renders, then renders a tiny real video. */
    private static RecordingBackend recording() {
        return new RecordingBackend(new TinyVideoBackend("local", true, 0));
    }

    private static List<Object> fits(RecordingBackend backend) {
        return backend.requests().stream().map(r -> (Object) r.fitOrDefault()).toList();
    }

    private static String body(String fit) {
        String png = "data:image/png;base64," + Base64.getEncoder().encodeToString(TestImages.png(160, 96, Color.BLUE));
        return "{\"model\":\"framegate-local\",\"prompt\":\"x\",\"seconds\":\"2\",\"size\":\"160x96\",\"fit\":\""
                + fit + "\",\"input_reference\":{\"image_url\":\"" + png + "\"}}";
    }

    private static HttpResponse<byte[]> post(OpenAiTestServer t, String path, String body) throws Exception {
        return t.send(t.request(path, t.keyA).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    @Test
    void anUnknownFitIsA400NamingTheParameterTheValueAndTheModesAndNothingRuns() throws Exception {
        RecordingBackend backend = recording();
        try (OpenAiTestServer t = new OpenAiTestServer(dir, backend, 5_000_000)) {
            HttpResponse<byte[]> r = post(t, "/v1/videos", body("zoom"));
            assertThat(r.statusCode()).as(new String(r.body())).isEqualTo(400);
            JsonNode e = JSON.readTree(r.body()).path("error");
            assertThat(e.path("param").asText()).isEqualTo("fit");
            assertThat(e.path("type").asText()).isEqualTo("invalid_request_error");
            assertThat(e.path("code").asText()).isEqualTo("invalid_value");
            assertThat(e.path("message").asText()).isEqualTo("fit=zoom is not a fit mode; allowed: crop (cover), "
                    + "pad (contain, letterbox), stretch (fill).");
            assertThat(t.server.jobs().list(t.server.keys().find(t.keyA).orElseThrow().id(), null, 10,
                    io.framegate.server.jobs.ListOrder.DESC).data()).isEmpty();
            assertThat(fits(backend)).isEmpty();
        }
    }

    @Test
    void anAliasReachesTheBackendTypedAndARemixKeepsIt() throws Exception {
        RecordingBackend backend = recording();
        try (OpenAiTestServer t = new OpenAiTestServer(dir, backend, 5_000_000)) {
            HttpResponse<byte[]> r = post(t, "/v1/videos", body("contain"));
            assertThat(r.statusCode()).as(new String(r.body())).isEqualTo(200);
            String id = JSON.readTree(r.body()).path("id").asText();
            assertThat(OpenAiTestServer.awaitFinal(t.client(t.keyA), id).status().asString()).isEqualTo("completed");
            // the stored request (job row) carries the typed fit: a remix renders with it again
            HttpResponse<byte[]> remix = post(t, "/v1/videos/" + id + "/remix", "{\"prompt\":\"y\"}");
            assertThat(remix.statusCode()).as(new String(remix.body())).isEqualTo(200);
            String rid = JSON.readTree(remix.body()).path("id").asText();
            assertThat(OpenAiTestServer.awaitFinal(t.client(t.keyA), rid).status().asString()).isEqualTo("completed");
            assertThat(fits(backend)).containsExactly(FitMode.PAD, FitMode.PAD);
        }
    }

    @Test
    void modelsListTheFitModesTheirAliasesAndTheDefault() throws Exception {
        try (OpenAiTestServer t = new OpenAiTestServer(dir, recording(), 5_000_000)) {
            HttpResponse<byte[]> r = t.send(t.request("/v1/videos/models", t.keyA).GET());
            assertThat(r.statusCode()).isEqualTo(200);
            for (JsonNode m : JSON.readTree(r.body()).path("data")) {
                JsonNode fit = m.path("options").path("fit");
                assertThat(fit.path("allowed").toString()).as(m.path("id").asText()).isEqualTo("[\"crop\",\"pad\",\"stretch\"]");
                assertThat(fit.path("aliases").path("cover").asText()).isEqualTo("crop");
                assertThat(fit.path("default").asText()).isEqualTo("crop");
            }
        }
    }
}
