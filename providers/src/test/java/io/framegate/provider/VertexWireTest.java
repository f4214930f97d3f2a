package io.framegate.provider;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import io.framegate.domain.GenerationException;
import io.framegate.domain.RenderPlan;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;

import static com.github.tomakehurst.wiremock.client.WireMock.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Veo on Vertex AI with a real service-account JSON: google-auth-library signs a JWT and trades it for a token at
 * the account's {@code token_uri} (the stand-in), then every call carries that bearer token.
 */
class VertexWireTest extends WireTest {
    static final String MODEL_PATH = "projects/P/locations/us-central1/publishers/google/models/veo-3.1-generate-001";
    static final String OP = MODEL_PATH + "/operations/a1b07c8e-7b5a-4aba-bb34-3e1ccb8afcc8";
    static final String TOKEN = "ya29.test-token";
    Path serviceAccount;

    @BeforeEach
    void serviceAccount() throws Exception {
        serviceAccount = TestServiceAccounts.write(tmp, url() + "/token");
        wm.stubFor(post(urlEqualTo("/token"))
                .willReturn(okJson("{\"access_token\": \"" + TOKEN + "\", \"expires_in\": 3600, \"token_type\": \"Bearer\"}")));
    }

    Routing vertex(String extra) {
        return routing("""
                providers:
                  vertex: {type: vertex, base_url: %s, storage_url: %s, project: P, location: us-central1, credentials_file: sa.json%s}
                routes:
                  veo-3.1-generate-001: [vertex]
                """.formatted(url(), url(), extra), Map.of());
    }

    void stubCreateAndPoll(String doneJson) {
        wm.stubFor(post(urlEqualTo("/v1/" + MODEL_PATH + ":predictLongRunning")).willReturn(okJson("{\"name\": \"" + OP + "\"}")));
        wm.stubFor(post(urlEqualTo("/v1/" + MODEL_PATH + ":fetchPredictOperation")).inScenario("op")
                .whenScenarioStateIs(Scenario.STARTED).willReturn(okJson("{\"name\": \"" + OP + "\", \"done\": false}"))
                .willSetStateTo("done"));
        wm.stubFor(post(urlEqualTo("/v1/" + MODEL_PATH + ":fetchPredictOperation")).inScenario("op")
                .whenScenarioStateIs("done").willReturn(okJson(doneJson)));
    }

    JsonNode createBody() throws Exception {
        return Http.JSON.readTree(wm.findAll(postRequestedFor(urlMatching(".*:predictLongRunning"))).get(0).getBodyAsString());
    }

    @Test
    void inlineBase64ResultsWithTwoSamplesAndEveryVertexField() throws Exception {
        Routing r = vertex("");
        String b64 = Base64.getEncoder().encodeToString(TestMedia.mp4());
        stubCreateAndPoll("""
                { "name": "%s", "done": true,
                  "response": { "@type": "type.googleapis.com/cloud.ai.large_models.vision.GenerateVideoResponse",
                    "raiMediaFilteredCount": 0,
                    "videos": [ {"bytesBase64Encoded": "%s", "mimeType": "video/mp4"},
                                {"bytesBase64Encoded": "%s", "mimeType": "video/mp4"} ] } }
                """.formatted(OP, b64, b64));
        RenderPlan plan = plan(keyframes("veo-3.1-generate-001").numberOfVideos(2).seed(42L).audio(true)
                .negativePrompt("blur").personGeneration("allow_adult").aspectRatio("16:9").resolution("1080p").seconds(8).build());
        TestContext ctx = new TestContext(tmp);

        r.backendFor(plan.model()).generate(plan, ctx);

        JsonNode p = createBody().path("parameters");
        assertThat(p.path("sampleCount").asInt()).isEqualTo(2);
        assertThat(p.path("generateAudio").asBoolean()).isTrue();
        assertThat(p.path("seed").asLong()).isEqualTo(42);
        assertThat(p.path("resolution").asText()).isEqualTo("1080p");
        assertThat(p.path("negativePrompt").asText()).isEqualTo("blur");
        assertThat(p.path("personGeneration").asText()).isEqualTo("allow_adult");
        assertThat(p.has("storageUri")).isFalse();
        assertThat(createBody().at("/instances/0/lastFrame/mimeType").asText()).isEqualTo("image/png");
        JsonNode fetch = Http.JSON.readTree(wm.findAll(postRequestedFor(urlMatching(".*:fetchPredictOperation"))).get(0).getBodyAsString());
        assertThat(fetch.path("operationName").asText()).isEqualTo(OP);
        assertThat(wm.findAll(postRequestedFor(urlMatching("/v1/.*")).withHeader("Authorization", equalTo("Bearer " + TOKEN))))
                .hasSize(3);
        assertThat(Files.readAllBytes(ctx.output(0).video())).isEqualTo(TestMedia.mp4());
        assertThat(Files.readAllBytes(ctx.output(1).video())).isEqualTo(TestMedia.mp4());
        assertThat(ctx.output(1).thumbnail()).isNotEmptyFile();
        // 0.40 $/s at 1080p x 8 s x 2 videos
        assertThat(ctx.notes).containsEntry("cost_usd", "6.4000").containsEntry("provider", "vertex").containsEntry("upstream_id", OP);
    }

    @Test
    void gcsResultsAreFetchedThroughTheStorageJsonApiWithTheToken() throws Exception {
        Routing r = vertex(", output_gcs_uri: 'gs://my-bucket/out/'");
        stubCreateAndPoll("""
                { "name": "%s", "done": true,
                  "response": { "@type": "type.googleapis.com/cloud.ai.large_models.vision.GenerateVideoResponse",
                    "raiMediaFilteredCount": 0,
                    "videos": [ { "gcsUri": "gs://my-bucket/out/1732/sample_0.mp4", "mimeType": "video/mp4" } ] } }
                """.formatted(OP));
        wm.stubFor(get(urlEqualTo("/storage/v1/b/my-bucket/o/out%2F1732%2Fsample_0.mp4?alt=media"))
                .withHeader("Authorization", equalTo("Bearer " + TOKEN))
                .willReturn(aResponse().withHeader("Content-Type", "video/mp4").withBody(TestMedia.mp4())));
        RenderPlan plan = plan(keyframes("veo-3.1-generate-001").build());
        TestContext ctx = new TestContext(tmp);

        r.backendFor(plan.model()).generate(plan, ctx);

        assertThat(createBody().at("/parameters/storageUri").asText()).isEqualTo("gs://my-bucket/out/");
        assertThat(Files.readAllBytes(ctx.output(0).video())).isEqualTo(TestMedia.mp4());
        assertThat(TestMedia.frameCount(ctx.output(0).video())).isEqualTo(12);
    }

    @Test
    void safetyFilteredVertexResponseIsContentFiltered() throws Exception {
        Routing r = vertex("");
        stubCreateAndPoll("""
                { "name": "%s", "done": true, "response": { "@type": "type.googleapis.com/cloud.ai.large_models.vision.GenerateVideoResponse",
                  "raiMediaFilteredCount": 1,
                  "raiMediaFilteredReasons": ["Veo could not generate 1 videos based on the prompt provided. You will not be charged for this request. Support codes: 42237218"] } }
                """.formatted(OP));
        RenderPlan plan = plan(keyframes("veo-3.1-generate-001").build());
        assertThatThrownBy(() -> r.backendFor(plan.model()).generate(plan, new TestContext(tmp)))
                .isInstanceOf(GenerationException.class)
                .satisfies(e -> assertThat(((GenerationException) e).code()).isEqualTo("content_filtered"))
                .hasMessageContaining("You will not be charged");
    }

    @Test
    void aPollRefusedWithABodyEchoingTheBearerTokenLeavesTheTokenInNoNoteMessageOrLog() throws Exception {
        Routing r = vertex("");
        wm.stubFor(post(urlEqualTo("/v1/" + MODEL_PATH + ":predictLongRunning")).willReturn(okJson("{\"name\": \"" + OP + "\"}")));
        String echo = "{\"error\": {\"code\": 401, \"message\": \"Request had invalid authentication credentials: Bearer "
                + TOKEN + "\", \"status\": \"UNAUTHENTICATED\", \"details\": [{\"token\": \"" + TOKEN + "\"}]}}";
        wm.stubFor(post(urlMatching("/v1/.*:(fetchPredictOperation|cancel)")).willReturn(aResponse().withStatus(401).withBody(echo)));
        RenderPlan plan = plan(keyframes("veo-3.1-generate-001").build());
        TestContext ctx = new TestContext(tmp);
        Throwable thrown;
        try (CapturedLog log = new CapturedLog()) {
            thrown = org.assertj.core.api.Assertions.catchThrowable(() -> r.backendFor(plan.model()).generate(plan, ctx));
            assertThat(log.text()).doesNotContain(TOKEN).doesNotContain("invalid authentication credentials");
        }
        assertThat(thrown).isInstanceOf(GenerationException.class)
                .hasMessageContaining("the upstream refused the credential (HTTP 401 UNAUTHENTICATED)");
        for (Throwable t = thrown; t != null; t = t.getCause()) {
            assertThat(String.valueOf(t.getMessage())).doesNotContain(TOKEN).doesNotContain("invalid authentication");
        }
        assertThat(ctx.notes.values()).noneMatch(v -> v.contains(TOKEN));
        assertThat(ctx.notes.get("upstream_cancel")).contains("HTTP 401");
    }
}
