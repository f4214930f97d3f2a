package io.framegate.provider;

import com.github.tomakehurst.wiremock.stubbing.Scenario;
import io.framegate.domain.GenerationException;
import io.framegate.domain.GenerationRequest;
import io.framegate.domain.ImageRole;
import io.framegate.domain.RenderPlan;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Base64;
import java.util.Map;

import static com.github.tomakehurst.wiremock.client.WireMock.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Replicate's predictions API at the wire: the JSON its docs show, driven by the real provider code. */
class ReplicateWireTest extends WireTest {
    static final String MODEL = "google/veo-3.1";
    static final String ID = "gm3qorzdhgbfurvjtvhg6dckhu";
    static final byte[] FIRST = FalWireTest.FIRST;
    static final byte[] LAST = FalWireTest.LAST;

    Routing replicate(String route) {
        return routing("""
                providers:
                  rep: {type: replicate, base_url: %s/v1, api_key_env: REPLICATE_API_TOKEN}
                routes:
                %s
                """.formatted(url(), route), Map.of("REPLICATE_API_TOKEN", "r8_secretTokenValue123"));
    }

    static String prediction(String base, String status, String output, String error) {
        return """
                {"id": "%2$s", "model": "google/veo-3.1", "version": "hidden", "input": {"prompt": "..."},
                 "logs": "", "output": %3$s, "data_removed": false, "error": %4$s, "status": "%5$s",
                 "created_at": "2026-11-24T10:00:00.000Z", "urls": {"get": "%1$s/v1/predictions/%2$s",
                 "cancel": "%1$s/v1/predictions/%2$s/cancel", "stream": "%1$s/stream/%2$s", "web": "https://replicate.com/p/%2$s"}}
                """.formatted(base, ID, output, error, status);
    }

    /** Where the output lives: replicate.delivery, another host than the API (here 127.0.0.1 against localhost). */
    String delivery() {
        return url().replace("localhost", "127.0.0.1") + "/delivery/xezq/out.mp4";
    }

    void stubCreate() {
        wm.stubFor(post(urlEqualTo("/v1/models/" + MODEL + "/predictions"))
                .willReturn(aResponse().withStatus(201).withHeader("Content-Type", "application/json")
                        .withBody(prediction(url(), "starting", "null", "null"))));
    }

    void stubLifecycle() throws Exception {
        String get = "/v1/predictions/" + ID;
        wm.stubFor(get(urlEqualTo(get)).inScenario("p").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(okJson(prediction(url(), "starting", "null", "null"))).willSetStateTo("processing"));
        wm.stubFor(get(urlEqualTo(get)).inScenario("p").whenScenarioStateIs("processing")
                .willReturn(okJson(prediction(url(), "processing", "null", "null"))).willSetStateTo("done"));
        wm.stubFor(get(urlEqualTo(get)).inScenario("p").whenScenarioStateIs("done")
                .willReturn(okJson(prediction(url(), "succeeded", "\"" + delivery() + "\"", "null"))));
        wm.stubFor(get(urlEqualTo("/delivery/xezq/out.mp4")).willReturn(aResponse().withBody(TestMedia.mp4())));
    }

    static GenerationRequest.Builder firstAndLast(String model) {
        return FalWireTest.firstAndLast(model);
    }

    @Test
    void submitWithFirstAndLastFrameSendsTheDocumentedBodyAndHeadersPollsEveryStatusAndDownloads() throws Exception {
        Routing r = replicate("  " + MODEL + ": [rep]");
        stubCreate();
        stubLifecycle();
        RenderPlan plan = plan(firstAndLast(MODEL).seconds(8).size("1920x1080").seed(42L).audio(true).build());
        TestContext ctx = new TestContext(tmp);

        r.backendFor(plan.model()).generate(plan, ctx);

        wm.verify(1, postRequestedFor(urlEqualTo("/v1/models/google/veo-3.1/predictions"))
                .withHeader("Authorization", equalTo("Bearer r8_secretTokenValue123"))
                .withHeader("Content-Type", equalTo("application/json"))
                // 5 s by default, capped at half the 5 s request timeout
                .withHeader("Prefer", equalTo("wait=2"))
                // the job's 10 min deadline: Replicate stops the prediction itself when Framegate gives up on it
                .withHeader("Cancel-After", equalTo("10m"))
                .withRequestBody(equalToJson("""
                        {"input": {"prompt": "a slow push through the valley", "seed": 42, "duration": 8,
                         "resolution": "1080p", "aspect_ratio": "16:9", "generate_audio": true,
                         "image": "data:image/png;base64,%s", "last_frame": "data:image/png;base64,%s"}}
                        """.formatted(Base64.getEncoder().encodeToString(FIRST), Base64.getEncoder().encodeToString(LAST)))));
        wm.verify(3, getRequestedFor(urlEqualTo("/v1/predictions/" + ID)).withHeader("Authorization", equalTo("Bearer r8_secretTokenValue123")));
        wm.verify(1, getRequestedFor(urlEqualTo("/delivery/xezq/out.mp4")).withoutHeader("Authorization"));
        assertThat(ctx.output(0).video()).hasBinaryContent(TestMedia.mp4());
        assertThat(ctx.notes).containsEntry("provider", "replicate").containsEntry("upstream_id", ID)
                .containsEntry("polls", "3").containsEntry("cost_usd", "3.2000");
    }

    /** A photo-like frame far over 256 KB as PNG is re-encoded to fit Replicate's data URL limit, keeping its shape. */
    @Test
    void framesAreSentAsDataUrlsWithinReplicatesLimit() throws Exception {
        Routing r = replicate("  " + MODEL + ": [rep]");
        stubCreate();
        stubLifecycle();
        byte[] noisy = photoLike(1920, 1080);
        assertThat(noisy.length).isGreaterThan(256 * 1024);
        RenderPlan plan = plan(GenerationRequest.builder().model(MODEL).prompt("x")
                .image(ImageRole.FIRST_FRAME, noisy, "image/png", "first.png")
                .image(ImageRole.LAST_FRAME, noisy, "image/png", "last.png").seconds(8).size("1920x1080").build());
        r.backendFor(plan.model()).generate(plan, new TestContext(tmp));
        String body = wm.findAll(postRequestedFor(urlEqualTo("/v1/models/google/veo-3.1/predictions"))).get(0).getBodyAsString();
        com.fasterxml.jackson.databind.JsonNode in = Http.JSON.readTree(body).path("input");
        for (String field : new String[]{"image", "last_frame"}) {
            String uri = in.path(field).asText();
            assertThat(uri).matches("data:image/(png|jpeg);base64,.+");
            byte[] bytes = Base64.getDecoder().decode(uri.substring(uri.indexOf(',') + 1));
            assertThat(bytes.length).isLessThanOrEqualTo(256 * 1024);
            io.framegate.engine.ImageHeader h = io.framegate.engine.ImageHeader.read(bytes);
            assertThat(h.width() * 9).isEqualTo(h.height() * 16);
        }
    }

    /** Blurred noise: detail like a photo's, several hundred KB as PNG, far less as JPEG. */
    static byte[] photoLike(int w, int h) {
        try (org.bytedeco.opencv.opencv_core.Mat m = new org.bytedeco.opencv.opencv_core.Mat(h, w,
                org.bytedeco.opencv.global.opencv_core.CV_8UC3)) {
            org.bytedeco.opencv.global.opencv_core.randu(m, new org.bytedeco.opencv.opencv_core.Mat(1, 1,
                    org.bytedeco.opencv.global.opencv_core.CV_64F, new org.bytedeco.opencv.opencv_core.Scalar(0)),
                    new org.bytedeco.opencv.opencv_core.Mat(1, 1, org.bytedeco.opencv.global.opencv_core.CV_64F,
                            new org.bytedeco.opencv.opencv_core.Scalar(255)));
            org.bytedeco.opencv.global.opencv_imgproc.GaussianBlur(m, m, new org.bytedeco.opencv.opencv_core.Size(0, 0), 2.0);
            return TestMedia.encode(m, ".png");
        }
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "failed   | \"The input or output was flagged as sensitive. Please try again with different inputs. (E005)\" | content_filtered",
            "failed   | \"CUDA out of memory (E1001)\"                                                                  | upstream_failed",
            "canceled | null                                                                                         | upstream_failed",
            "aborted  | null                                                                                         | upstream_failed"})
    void failedCanceledAndAbortedPredictionsEndTheJobWithoutCostOrACancelCall(String status, String error, String code)
            throws Exception {
        Routing r = replicate("  " + MODEL + ": [rep]");
        stubCreate();
        wm.stubFor(get(urlEqualTo("/v1/predictions/" + ID)).willReturn(okJson(prediction(url(), status, "null", error))));
        wm.stubFor(post(urlEqualTo("/v1/predictions/" + ID + "/cancel")).willReturn(okJson(prediction(url(), "canceled", "null", "null"))));
        RenderPlan plan = plan(firstAndLast(MODEL).build());
        TestContext ctx = new TestContext(tmp);

        assertThatThrownBy(() -> r.backendFor(plan.model()).generate(plan, ctx))
                .isInstanceOf(GenerationException.class)
                .satisfies(e -> assertThat(((GenerationException) e).code()).isEqualTo(code));
        wm.verify(0, postRequestedFor(urlEqualTo("/v1/predictions/" + ID + "/cancel")));
        assertThat(ctx.notes).doesNotContainKey("cost_usd");
    }

    @Test
    void aCancelledJobCancelsThePrediction() throws Exception {
        Routing r = replicate("  " + MODEL + ": [rep]");
        stubCreate();
        wm.stubFor(get(urlEqualTo("/v1/predictions/" + ID)).willReturn(okJson(prediction(url(), "processing", "null", "null"))));
        wm.stubFor(post(urlEqualTo("/v1/predictions/" + ID + "/cancel")).willReturn(okJson(prediction(url(), "canceled", "null", "null"))));
        RenderPlan plan = plan(firstAndLast(MODEL).build());
        TestContext ctx = new TestContext(tmp);
        ticker.onSleep = t -> {
            if (wm.findAll(getRequestedFor(urlEqualTo("/v1/predictions/" + ID))).size() >= 2) ctx.cancelled.set(true);
        };

        assertThatThrownBy(() -> r.backendFor(plan.model()).generate(plan, ctx))
                .isInstanceOf(GenerationException.class)
                .satisfies(e -> assertThat(((GenerationException) e).code()).isEqualTo("cancelled"));
        wm.verify(1, postRequestedFor(urlEqualTo("/v1/predictions/" + ID + "/cancel"))
                .withHeader("Authorization", equalTo("Bearer r8_secretTokenValue123")));
        assertThat(ctx.notes.get("upstream_cancel")).contains("asked");
    }

    @Test
    void aThrottledCreateWaitsForRetryAfterAndIsSentAgain() throws Exception {
        Routing r = replicate("  " + MODEL + ": [rep]");
        wm.stubFor(post(urlEqualTo("/v1/models/" + MODEL + "/predictions")).inScenario("rl").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(429).withHeader("Retry-After", "4").withHeader("Content-Type", "application/json")
                        .withBody("{\"title\": \"Request was throttled\", \"detail\": \"Request was throttled. Expected available in 4 seconds.\", \"status\": 429}"))
                .willSetStateTo("ok"));
        wm.stubFor(post(urlEqualTo("/v1/models/" + MODEL + "/predictions")).inScenario("rl").whenScenarioStateIs("ok")
                .willReturn(aResponse().withStatus(201).withHeader("Content-Type", "application/json")
                        .withBody(prediction(url(), "starting", "null", "null"))));
        wm.stubFor(get(urlEqualTo("/v1/predictions/" + ID)).willReturn(okJson(prediction(url(), "succeeded", "\"" + delivery() + "\"", "null"))));
        wm.stubFor(get(urlEqualTo("/delivery/xezq/out.mp4")).willReturn(aResponse().withBody(TestMedia.mp4())));
        RenderPlan plan = plan(firstAndLast(MODEL).build());
        TestContext ctx = new TestContext(tmp);

        r.backendFor(plan.model()).generate(plan, ctx);

        wm.verify(2, postRequestedFor(urlEqualTo("/v1/models/" + MODEL + "/predictions")));
        assertThat(ctx.notes.get("retry")).contains("HTTP 429").contains("4000 ms (Retry-After)");
        assertThat(ctx.output(0).video()).isNotEmptyFile();
    }

    @Test
    void klingInProModeSendsStartAndEndImage() throws Exception {
        Routing r = replicate("  kwaivgi/kling-v2.1: [rep]");
        wm.stubFor(post(urlEqualTo("/v1/models/kwaivgi/kling-v2.1/predictions")).willReturn(aResponse().withStatus(201)
                .withHeader("Content-Type", "application/json").withBody(prediction(url(), "starting", "null", "null"))));
        RenderPlan plan = plan(firstAndLast("kwaivgi/kling-v2.1").seconds(10).size("1920x1080").negativePrompt("blur").build());
        UpstreamBackend.Prepared p = r.route(plan.model().id()).orElseThrow().preflight(plan).get(0);
        p.target().channel().upstream().submit(new UpstreamJob(p.upstreamPlan(), FalWireTest.fitted(p.upstreamPlan())), "k",
                java.time.Duration.ofSeconds(5));
        wm.verify(postRequestedFor(urlEqualTo("/v1/models/kwaivgi/kling-v2.1/predictions"))
                .withRequestBody(matchingJsonPath("$.input.mode", equalTo("pro")))
                .withRequestBody(matchingJsonPath("$.input.duration", equalTo("10")))
                .withRequestBody(matchingJsonPath("$.input.negative_prompt", equalTo("blur")))
                .withRequestBody(matchingJsonPath("$.input.start_image", matching("data:image/png;base64,.+")))
                .withRequestBody(matchingJsonPath("$.input.end_image", matching("data:image/png;base64,.+"))));
    }

    /**
     * docs/config.md, {@code prefer_wait}: 5 s unless set (here under a 20 s request timeout, so not capped), and 0 sends
     * no {@code Prefer} header at all.
     */
    @ParameterizedTest
    @CsvSource({"'', wait=5", "'prefer_wait: 0,', ", "'prefer_wait: 7,', wait=7"})
    void preferWaitIsFiveUnlessSetAndZeroSendsNoPreferHeader(String setting, String header) throws Exception {
        Routing r = routing("""
                providers:
                  rep: {type: replicate, %s base_url: %s/v1, api_key_env: REPLICATE_API_TOKEN}
                routes:
                  %s: [rep]
                """.formatted(setting, url(), MODEL), Map.of("REPLICATE_API_TOKEN", "r8_secretTokenValue123"),
                TIMING.replace("request_timeout: 5s", "request_timeout: 20s"));
        stubCreate();
        stubLifecycle();
        RenderPlan plan = plan(firstAndLast(MODEL).build());
        r.backendFor(plan.model()).generate(plan, new TestContext(tmp));
        var create = postRequestedFor(urlEqualTo("/v1/models/google/veo-3.1/predictions"));
        wm.verify(1, header == null ? create.withoutHeader("Prefer") : create.withHeader("Prefer", equalTo(header)));
    }

    @Test
    void preferWaitIsCheckedAsOneOfItsOwnKeys() {
        assertThatThrownBy(() -> routing("""
                providers:
                  rep: {type: replicate, api_key_env: T, prefer_wait: 90}
                """, Map.of("T", "x")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("providers.rep.prefer_wait: 90 is not a whole number of seconds from 0 to 60");
    }
}
