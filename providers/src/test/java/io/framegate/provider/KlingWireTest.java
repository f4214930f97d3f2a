package io.framegate.provider;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.framegate.domain.GenerationException;
import io.framegate.domain.RenderPlan;
import io.framegate.domain.ValidationException;
import io.framegate.provider.kling.KlingUpstream;
import org.junit.jupiter.api.Test;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;

import static com.github.tomakehurst.wiremock.client.WireMock.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Kling's own API at the wire, against the JSON of its API reference (providers-2.md section 3). */
class KlingWireTest extends HostedWireTest {
    static final String AK = "ak-test-4f2a";
    static final String SK = "sk-test-secret-91c7";
    static final Instant NOW = Instant.parse("2026-11-24T10:00:00Z");
    static final String TASK = "CjMWIWdY1ZsAAAAAAHj2Kg";

    KlingUpstream kling() {
        return new KlingUpstream(url(), new Secret(AK, "test AK"), new Secret(SK, "test SK"), CALL,
                Clock.fixed(NOW, ZoneOffset.UTC));
    }

    static String created() {
        return """
                {"code":0,"message":"success","request_id":"c1a9e6d4-3b7e-4a57-9d7e-0b9f1f2e8a11","data":{"task_id":"%s","task_info":{"external_task_id":"framegate-x"},"task_status":"submitted","created_at":1722769557708,"updated_at":1722769557708}}
                """.formatted(TASK);
    }

    static String task(String status, String msg, String result) {
        return """
                {"code":0,"message":"success","request_id":"7b0d2c61-50a4-4f61-a8b7-3e2f1d0c9b88","data":{"task_id":"%s","task_status":"%s","task_status_msg":"%s","task_info":{"external_task_id":"framegate-x"},"task_result":%s,"created_at":1722769557708,"updated_at":1722769617708}}
                """.formatted(TASK, status, msg, result);
    }

    String videos() {
        return "{\"videos\":[{\"id\":\"8a1d2f07-2c0e-4a4f-8d38-3b6c9d1e2f10\",\"url\":\"" + url() + "/kcdn/out.mp4\",\"duration\":\"5.1\"}]}";
    }

    void stubStatuses(String last) {
        wm.stubFor(post(urlEqualTo("/v1/videos/image2video")).willReturn(okJson(created())));
        wm.stubFor(get(urlEqualTo("/v1/videos/image2video/" + TASK)).inScenario("k").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(okJson(task("submitted", "", "{}"))).willSetStateTo("processing"));
        wm.stubFor(get(urlEqualTo("/v1/videos/image2video/" + TASK)).inScenario("k").whenScenarioStateIs("processing")
                .willReturn(okJson(task("processing", "", "{}"))).willSetStateTo("end"));
        wm.stubFor(get(urlEqualTo("/v1/videos/image2video/" + TASK)).inScenario("k").whenScenarioStateIs("end")
                .willReturn(okJson(last)));
    }

    @Test
    void submitSendsImageAndImageTailAsRawBase64WithAFreshJwtSignedWithTheSecretKey() throws Exception {
        wm.stubFor(post(urlEqualTo("/v1/videos/image2video")).willReturn(okJson(created())));
        KlingUpstream up = kling();
        RenderPlan plan = hostedPlan(firstAndLast("kling-v2-5-turbo").negativePrompt("blur").build());
        UpstreamJob job = job(plan, up);

        assertThat(up.submit(job, "framegate-key-1", CALL)).isEqualTo(TASK);

        LoggedRequest req = wm.findAll(postRequestedFor(urlEqualTo("/v1/videos/image2video"))).get(0);
        assertThat(req.getHeader("Content-Type")).startsWith("application/json");
        JsonNode body = body(req);
        String first = Base64.getEncoder().encodeToString(job.imagesWith(io.framegate.domain.ImageRole.FIRST_FRAME).get(0).bytes());
        String last = Base64.getEncoder().encodeToString(job.imagesWith(io.framegate.domain.ImageRole.LAST_FRAME).get(0).bytes());
        assertThat(body).isEqualTo(Http.JSON.readTree("""
                {"model_name":"kling-v2-5-turbo","image":"%s","image_tail":"%s","prompt":"a slow push through the valley",
                 "negative_prompt":"blur","mode":"pro","duration":"5","external_task_id":"framegate-key-1"}
                """.formatted(first, last)));
        assertThat(body.path("image").asText()).doesNotStartWith("data:");

        // Authorization: Bearer <JWT>, HS256 over header.payload with the secret key, iss = access key, 30 min from 5 s ago
        String auth = req.getHeader("Authorization");
        assertThat(auth).startsWith("Bearer ");
        String[] parts = auth.substring(7).split("\\.");
        assertThat(parts).hasSize(3);
        Base64.Decoder url = Base64.getUrlDecoder();
        assertThat(Http.JSON.readTree(url.decode(parts[0]))).isEqualTo(Http.JSON.readTree("{\"alg\":\"HS256\",\"typ\":\"JWT\"}"));
        JsonNode claims = Http.JSON.readTree(url.decode(parts[1]));
        assertThat(claims.path("iss").asText()).isEqualTo(AK);
        assertThat(claims.path("exp").asLong()).isEqualTo(NOW.getEpochSecond() + 1800);
        assertThat(claims.path("nbf").asLong()).isEqualTo(NOW.getEpochSecond() - 5);
        assertThat(parts[2]).isEqualTo(hs256(SK, parts[0] + "." + parts[1]))
                .isNotEqualTo(hs256("another-secret", parts[0] + "." + parts[1]));
        assertThat(auth).doesNotContain(SK);
    }

    static String hs256(String secret, String input) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return Base64.getUrlEncoder().withoutPadding().encodeToString(mac.doFinal(input.getBytes(StandardCharsets.US_ASCII)));
    }

    @Test
    void aJobPollsThroughSubmittedAndProcessingThenDownloadsTheVideoAndRecordsItsCost() throws Exception {
        stubStatuses(task("succeed", "", videos()));
        wm.stubFor(get(urlEqualTo("/kcdn/out.mp4")).willReturn(aResponse().withBody(TestMedia.mp4())));
        RenderPlan plan = hostedPlan(firstAndLast("kling-v2-5-turbo").build());
        TestContext ctx = new TestContext(tmp);

        backend(kling(), "kling-v2-5-turbo").generate(plan, ctx);

        assertThat(Files.readAllBytes(ctx.output(0).video())).isEqualTo(TestMedia.mp4());
        assertThat(ctx.output(0).thumbnail()).isNotEmptyFile();
        wm.verify(3, getRequestedFor(urlEqualTo("/v1/videos/image2video/" + TASK)));
        wm.verify(1, postRequestedFor(urlEqualTo("/v1/videos/image2video")));
        // the JWT goes to the API host only, never to the CDN
        assertThat(wm.findAll(getRequestedFor(urlEqualTo("/kcdn/out.mp4"))).get(0).containsHeader("Authorization")).isFalse();
        assertThat(ctx.notes).containsEntry("provider", "kling").containsEntry("upstream_id", TASK)
                .containsEntry("upstream_model", "kling-v2-5-turbo").containsEntry("polls", "3")
                .containsEntry("cost_usd", "0.3500");
    }

    @Test
    void aTaskStoppedByKlingsRiskControlIsContentFilteredAndAnyOtherFailureIsUpstreamFailed() throws Exception {
        stubStatuses(task("failed", "Failure to pass the risk control system", "{}"));
        RenderPlan plan = hostedPlan(firstAndLast("kling-v2-5-turbo").build());
        assertThatThrownBy(() -> backend(kling(), "kling-v2-5-turbo").generate(plan, new TestContext(tmp)))
                .isInstanceOf(GenerationException.class)
                .satisfies(e -> assertThat(((GenerationException) e).code()).isEqualTo("content_filtered"))
                .hasMessageContaining("risk control");

        wm.resetAll();
        stubStatuses(task("failed", "internal error, please retry", "{}"));
        assertThatThrownBy(() -> backend(kling(), "kling-v2-5-turbo").generate(plan, new TestContext(tmp.resolve("2"))))
                .isInstanceOf(GenerationException.class)
                .satisfies(e -> assertThat(((GenerationException) e).code()).isEqualTo("upstream_failed"))
                .hasMessageContaining("internal error");
    }

    @Test
    void klingHasNoCancelSoNothingIsSent() throws Exception {
        assertThat(kling().cancel(TASK, CALL)).isFalse();
        assertThat(wm.getAllServeEvents()).isEmpty();
    }

    @Test
    void a429WithRetryAfterIsAProvableRefusalRetriedAfterItsDelay() throws Exception {
        String limited = "{\"code\":1302,\"message\":\"Rate limit exceeded\",\"request_id\":\"r-1\"}";
        wm.stubFor(post(urlEqualTo("/v1/videos/image2video")).willReturn(aResponse().withStatus(429)
                .withHeader("Retry-After", "7").withHeader("Content-Type", "application/json").withBody(limited)));
        RenderPlan plan = hostedPlan(firstAndLast("kling-v2-5-turbo").build());
        KlingUpstream up = kling();
        UpstreamJob job = job(plan, up);
        assertThatThrownBy(() -> up.submit(job, "k", CALL)).isInstanceOfSatisfying(UpstreamException.class, e -> {
            assertThat(e.kind()).isEqualTo(UpstreamException.Kind.RATE_LIMITED);
            assertThat(e.retryAfter()).isEqualTo(Duration.ofSeconds(7));
            assertThat(e.refusedBeforeAcceptance()).isTrue();
            assertThat(e.getMessage()).doesNotContain("Rate limit exceeded");
        });

        // through the backend: the refused submit is sent again after Retry-After, and only one job is made
        wm.resetAll();
        wm.stubFor(post(urlEqualTo("/v1/videos/image2video")).inScenario("r").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(429).withHeader("Retry-After", "7").withBody(limited)).willSetStateTo("ok"));
        wm.stubFor(post(urlEqualTo("/v1/videos/image2video")).inScenario("r").whenScenarioStateIs("ok").willReturn(okJson(created())));
        wm.stubFor(get(urlEqualTo("/v1/videos/image2video/" + TASK)).willReturn(okJson(task("succeed", "", videos()))));
        wm.stubFor(get(urlEqualTo("/kcdn/out.mp4")).willReturn(aResponse().withBody(TestMedia.mp4())));
        TestContext ctx = new TestContext(tmp);
        backend(up, "kling-v2-5-turbo").generate(plan, ctx);
        wm.verify(2, postRequestedFor(urlEqualTo("/v1/videos/image2video")));
        assertThat(ctx.notes.get("retry")).contains("HTTP 429").contains("retrying in 7000 ms (Retry-After)");
    }

    @Test
    void a5xxSubmitIsAmbiguousExcept503AndIsNeverSentAgain() throws Exception {
        RenderPlan plan = hostedPlan(firstAndLast("kling-v2-5-turbo").build());
        KlingUpstream up = kling();
        UpstreamJob job = job(plan, up);
        for (int status : new int[]{500, 502, 504, 503}) {
            wm.resetAll();
            wm.stubFor(post(urlEqualTo("/v1/videos/image2video")).willReturn(aResponse().withStatus(status)
                    .withBody("{\"code\":5000,\"message\":\"Server internal error\",\"request_id\":\"r\"}")));
            assertThatThrownBy(() -> up.submit(job, "k", CALL)).isInstanceOfSatisfying(UpstreamException.class,
                    e -> assertThat(e.refusedBeforeAcceptance()).as("HTTP %d", status).isEqualTo(status == 503));
        }

        wm.resetAll();
        wm.stubFor(post(urlEqualTo("/v1/videos/image2video")).willReturn(aResponse().withStatus(500)));
        assertThatThrownBy(() -> backend(up, "kling-v2-5-turbo").generate(plan, new TestContext(tmp)))
                .isInstanceOfSatisfying(GenerationException.class,
                        e -> assertThat(e.code()).isEqualTo("upstream_submit_uncertain"));
        wm.verify(1, postRequestedFor(urlEqualTo("/v1/videos/image2video")));
    }

    @Test
    void anUnclearSubmitIsLookedUpByItsExternalTaskIdAndAdoptedInsteadOfSentAgain() throws Exception {
        String key = FailoverBackend.idempotencyKey("job-test");
        wm.stubFor(post(urlEqualTo("/v1/videos/image2video")).willReturn(aResponse().withStatus(504)));
        // Kling's query takes the caller's external_task_id in place of its task id
        wm.stubFor(get(urlEqualTo("/v1/videos/image2video/" + key)).willReturn(okJson(task("submitted", "", "{}")
                .replace("framegate-x", key))));
        wm.stubFor(get(urlEqualTo("/v1/videos/image2video/" + TASK)).willReturn(okJson(task("succeed", "", videos()))));
        wm.stubFor(get(urlEqualTo("/kcdn/out.mp4")).willReturn(aResponse().withBody(TestMedia.mp4())));
        RenderPlan plan = hostedPlan(firstAndLast("kling-v2-5-turbo").build());
        TestContext ctx = new TestContext(tmp);

        backend(kling(), "kling-v2-5-turbo").generate(plan, ctx);

        wm.verify(1, postRequestedFor(urlEqualTo("/v1/videos/image2video"))
                .withRequestBody(matchingJsonPath("$.external_task_id", equalTo(key))));
        LoggedRequest lookup = wm.findAll(getRequestedFor(urlEqualTo("/v1/videos/image2video/" + key))).get(0);
        assertThat(lookup.getHeader("Authorization")).startsWith("Bearer ey");
        assertThat(Files.readAllBytes(ctx.output(0).video())).isEqualTo(TestMedia.mp4());
        assertThat(ctx.notes).containsEntry("upstream_id", TASK).containsKey("reconciled").doesNotContainKey("submit_uncertain");
    }

    @Test
    void anUnclearSubmitWhoseExternalTaskIdKlingDoesNotKnowEndsUncertainAndAnotherKeysTaskIsNotAdopted() throws Exception {
        String key = FailoverBackend.idempotencyKey("job-test");
        wm.stubFor(post(urlEqualTo("/v1/videos/image2video")).willReturn(aResponse().withStatus(502)));
        wm.stubFor(get(urlEqualTo("/v1/videos/image2video/" + key)).willReturn(aResponse().withStatus(404)
                .withHeader("Content-Type", "application/json")
                .withBody("{\"code\":1203,\"message\":\"task not found\",\"request_id\":\"r-9\"}")));
        RenderPlan plan = hostedPlan(firstAndLast("kling-v2-5-turbo").build());
        TestContext ctx = new TestContext(tmp);
        assertThatThrownBy(() -> backend(kling(), "kling-v2-5-turbo").generate(plan, ctx))
                .isInstanceOfSatisfying(GenerationException.class, e -> assertThat(e.code()).isEqualTo("upstream_submit_uncertain"));
        wm.verify(1, postRequestedFor(urlEqualTo("/v1/videos/image2video")));
        wm.verify(3, getRequestedFor(urlEqualTo("/v1/videos/image2video/" + key)));
        assertThat(ctx.notes.get("submit_uncertain")).contains(key);

        // a task answering under this id but made with another external id is not this submit's
        wm.resetAll();
        wm.stubFor(post(urlEqualTo("/v1/videos/image2video")).willReturn(aResponse().withStatus(502)));
        wm.stubFor(get(urlEqualTo("/v1/videos/image2video/" + key)).willReturn(okJson(task("submitted", "", "{}"))));
        assertThatThrownBy(() -> backend(kling(), "kling-v2-5-turbo").generate(plan, new TestContext(tmp.resolve("2"))))
                .isInstanceOfSatisfying(GenerationException.class, e -> assertThat(e.code()).isEqualTo("upstream_submit_uncertain"));
        wm.verify(0, getRequestedFor(urlEqualTo("/v1/videos/image2video/" + TASK)));
    }

    @Test
    void aLastFrameAt720pIsRefusedBeforeAnyCallBecauseKlingNeedsProForTheTail() {
        assertThatThrownBy(() -> hostedPlan(firstAndLast("kling-v2-5-turbo").size("1280x720").build()))
                .isInstanceOf(ValidationException.class).hasMessageContaining("image_tail needs mode pro");
        assertThat(wm.getAllServeEvents()).isEmpty();
    }

    @Test
    void aFirstFrameAlone720pGoesAsStdWithoutImageTail() throws Exception {
        wm.stubFor(post(urlEqualTo("/v1/videos/image2video")).willReturn(okJson(created())));
        KlingUpstream up = kling();
        RenderPlan plan = hostedPlan(io.framegate.domain.GenerationRequest.builder().model("kling-v2-5-turbo")
                .image(io.framegate.domain.ImageRole.FIRST_FRAME, TestMedia.png(1280, 720, 640, 360), "image/png", "f.png")
                .size("720x1280").seconds(10).build());
        up.submit(job(plan, up), "k", CALL);
        JsonNode body = body(wm.findAll(postRequestedFor(urlEqualTo("/v1/videos/image2video"))).get(0));
        assertThat(body.path("mode").asText()).isEqualTo("std");
        assertThat(body.path("duration").asText()).isEqualTo("10");
        assertThat(body.has("image_tail")).isFalse();
        assertThat(body.has("prompt")).isFalse();
        assertThat(body.has("sound")).isFalse();
    }

    @Test
    void aKlingChannelFromFramegateYamlServesTheRouteWithAJwtFromTheConfiguredKeys() throws Exception {
        java.nio.file.Files.writeString(tmp.resolve("kling.sk"), SK + "\n");
        Routing r = routing("""
                providers:
                  kling: {type: kling, base_url: %s, access_key_env: KLING_AK, secret_key_file: kling.sk}
                routes:
                  kling-v2-5-turbo: [kling]
                """.formatted(url()), java.util.Map.of("KLING_AK", AK));
        stubStatuses(task("succeed", "", videos()));
        wm.stubFor(get(urlEqualTo("/kcdn/out.mp4")).willReturn(aResponse().withBody(TestMedia.mp4())));
        RenderPlan plan = plan(firstAndLast("kling-v2-5-turbo").build());
        TestContext ctx = new TestContext(tmp);
        long before = Instant.now().getEpochSecond();

        r.backendFor(plan.model()).generate(plan, ctx);

        assertThat(ctx.output(0).video()).isNotEmptyFile();
        assertThat(ctx.notes).containsEntry("provider", "kling").containsEntry("channel", "kling");
        for (LoggedRequest req : wm.findAll(anyRequestedFor(urlMatching("/v1/.*")))) {
            String[] parts = req.getHeader("Authorization").substring(7).split("\\.");
            assertThat(parts[2]).isEqualTo(hs256(SK, parts[0] + "." + parts[1]));
            JsonNode claims = Http.JSON.readTree(Base64.getUrlDecoder().decode(parts[1]));
            assertThat(claims.path("iss").asText()).isEqualTo(AK);
            assertThat(claims.path("nbf").asLong()).isBetween(before - 5, Instant.now().getEpochSecond() - 5);
            assertThat(claims.path("exp").asLong() - claims.path("nbf").asLong()).isEqualTo(1805);
        }
    }

    @Test
    void aKlingChannelWithoutItsSecretKeyStopsTheStartNamingTheField() {
        assertThatThrownBy(() -> routing("""
                providers:
                  kling: {type: kling, access_key_env: KLING_AK}
                routes:
                  kling-v2-5-turbo: [kling]
                """, java.util.Map.of("KLING_AK", AK)))
                .isInstanceOf(ConfigException.class).hasMessageContaining("providers.kling")
                .hasMessageContaining("secret_key_env or secret_key_file").hasMessageNotContaining(AK);
        assertThatThrownBy(() -> routing("""
                providers:
                  kling: {type: kling, access_key_env: KLING_AK, secret_key_env: KLING_SK}
                routes:
                  veo-3.1-generate-001: [kling]
                """, java.util.Map.of("KLING_AK", AK, "KLING_SK", SK)))
                .isInstanceOf(ConfigException.class).hasMessageContaining("veo-3.1-generate-001");
    }
}
