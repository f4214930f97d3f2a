package io.framegate.provider;

import io.framegate.domain.GenerationException;
import io.framegate.domain.GenerationRequest;
import io.framegate.domain.ImageRole;
import io.framegate.domain.RenderPlan;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static com.github.tomakehurst.wiremock.client.WireMock.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * A submit the upstream rejects for its content ends the job {@code content_filtered} (not {@code upstream_failed}),
 * one test per error shape the providers document; a rejection for another reason stays {@code upstream_failed}, and
 * neither is retried, failed over or polled.
 */
class SubmitContentFilterTest extends WireTest {
    static final String FAL = "fal-ai/veo3.1/first-last-frame-to-video";

    Routing all() {
        return routing("""
                providers:
                  fal: {type: fal, base_url: '%1$s', api_key_env: K}
                  minimax: {type: minimax, base_url: '%1$s', api_key_env: K}
                  ark: {type: seedance, base_url: '%1$s/api/v3', api_key_env: K}
                  dashscope: {type: wan, base_url: '%1$s/api/v1', api_key_env: K}
                  agg: {type: openai, base_url: '%1$s/v1', api_key_env: K}
                routes:
                  %2$s: [fal]
                  MiniMax-Hailuo-02: [minimax]
                  seedance-1-5-pro-251215: [ark]
                  wan2.2-kf2v-flash: [dashscope]
                  sora-2: [{channel: agg, allow_retired: true}]
                """.formatted(url(), FAL), Map.of("K", "test-key-1"));
    }

    /** Runs the job through its route; returns how it ended, after checking that the one submit was all that was sent. */
    GenerationException run(GenerationRequest req, String path) {
        Routing r = all();
        RenderPlan plan = plan(req);
        TestContext ctx = new TestContext(tmp);
        GenerationException e = catchThrowableOfType(GenerationException.class,
                () -> r.backendFor(plan.model()).generate(plan, ctx));
        assertThat(e).as("the job must fail").isNotNull();
        wm.verify(1, postRequestedFor(urlEqualTo(path)));
        assertThat(wm.getAllServeEvents()).as("one submit, no retry, no poll").hasSize(1);
        if ("content_filtered".equals(e.code())) assertThat(ctx.notes).containsKey("content_filtered");
        return e;
    }

    void stub(String path, int status, String body) {
        wm.resetAll();
        wm.stubFor(post(urlEqualTo(path)).willReturn(aResponse().withStatus(status)
                .withHeader("Content-Type", "application/json").withBody(body)));
    }

    @Test
    void falContentPolicyViolationAtSubmitIsContentFiltered() {
        String path = "/" + FAL;
        stub(path, 422, """
                {"detail": [{"loc": ["body", "prompt"], "msg": "The content could not be processed because it contained material flagged by a content checker.",
                  "type": "content_policy_violation", "url": "https://docs.fal.ai/errors/#content_policy_violation"}]}""");
        GenerationException e = run(keyframes(FAL).seconds(8).build(), path);
        assertThat(e.code()).isEqualTo("content_filtered");
        assertThat(e.getMessage()).contains("content_policy_violation").doesNotContain("content checker");

        stub(path, 422, """
                {"detail": [{"loc": ["body", "duration"], "msg": "Input should be '4s', '6s' or '8s'", "type": "literal_error"}]}""");
        assertThat(run(keyframes(FAL).seconds(8).build(), path).code()).isEqualTo("upstream_failed");
    }

    @Test
    void miniMaxSensitiveInputAndOutputCodesAtSubmitAreContentFiltered() {
        String path = "/v1/video_generation";
        for (int code : new int[]{1026, 1027}) {
            stub(path, 200, "{\"task_id\": \"\", \"base_resp\": {\"status_code\": " + code + ", \"status_msg\": \"input new_sensitive\"}}");
            GenerationException e = run(keyframes("MiniMax-Hailuo-02").seconds(6).build(), path);
            assertThat(e.code()).as("base_resp %d", code).isEqualTo("content_filtered");
            assertThat(e.getMessage()).contains(String.valueOf(code));
        }
        stub(path, 200, "{\"task_id\": \"\", \"base_resp\": {\"status_code\": 2013, \"status_msg\": \"invalid params\"}}");
        assertThat(run(keyframes("MiniMax-Hailuo-02").seconds(6).build(), path).code()).isEqualTo("upstream_failed");
    }

    @Test
    void arkSensitiveContentDetectedAtSubmitIsContentFiltered() {
        String path = "/api/v3/contents/generations/tasks";
        stub(path, 400, """
                {"error": {"code": "InputImageSensitiveContentDetected", "message": "The request failed because the input image may contain sensitive information. Request id: 0217",
                  "param": "", "type": "BadRequest"}}""");
        GenerationException e = run(keyframes("seedance-1-5-pro-251215").seconds(5).size("1280x720").build(), path);
        assertThat(e.code()).isEqualTo("content_filtered");
        assertThat(e.getMessage()).contains("InputImageSensitiveContentDetected");

        stub(path, 400, """
                {"error": {"code": "InvalidParameter", "message": "the parameter duration is invalid", "param": "duration", "type": "BadRequest"}}""");
        assertThat(run(keyframes("seedance-1-5-pro-251215").seconds(5).size("1280x720").build(), path).code())
                .isEqualTo("upstream_failed");
    }

    @Test
    void dashScopeDataInspectionFailedAtSubmitIsContentFiltered() {
        String path = "/api/v1/services/aigc/image2video/video-synthesis";
        stub(path, 400, """
                {"request_id": "4c0e5a2f-7d1b-9f3a-b8e6-1a2b3c4d5e6f", "code": "DataInspectionFailed",
                 "message": "Input data may contain inappropriate content."}""");
        GenerationException e = run(keyframes("wan2.2-kf2v-flash").seconds(5).size("1280x720").build(), path);
        assertThat(e.code()).isEqualTo("content_filtered");
        assertThat(e.getMessage()).contains("DataInspectionFailed");

        stub(path, 400, """
                {"request_id": "4c0e5a2f-7d1b-9f3a-b8e6-1a2b3c4d5e70", "code": "InvalidParameter", "message": "url error"}""");
        assertThat(run(keyframes("wan2.2-kf2v-flash").seconds(5).size("1280x720").build(), path).code())
                .isEqualTo("upstream_failed");
    }

    @Test
    void openAiCompatibleModerationBlockedAtCreateIsContentFiltered() {
        String path = "/v1/videos";
        GenerationRequest sora = GenerationRequest.builder().model("sora-2").prompt("a calico cat").seconds(8).size("1280x720")
                .image(ImageRole.REFERENCE, TestMedia.png(1280, 720, 200, 500), "image/png", "cat.png").build();
        stub(path, 400, """
                {"error": {"message": "Your request was blocked by our moderation system.", "type": "invalid_request_error",
                  "param": null, "code": "moderation_blocked"}}""");
        GenerationException e = run(sora, path);
        assertThat(e.code()).isEqualTo("content_filtered");
        assertThat(e.getMessage()).contains("moderation_blocked");

        stub(path, 400, """
                {"error": {"message": "Invalid size", "type": "invalid_request_error", "param": "size", "code": "invalid_value"}}""");
        assertThat(run(sora, path).code()).isEqualTo("upstream_failed");
    }
}
