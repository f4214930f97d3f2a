package io.framegate.provider;

import io.framegate.domain.GenerationException;
import io.framegate.domain.RenderPlan;
import io.framegate.domain.ValidationException;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static com.github.tomakehurst.wiremock.client.WireMock.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The MiniMax, Seedance, Wan and OpenRouter types through {@code framegate.yaml} and the router: whole jobs (submit,
 * poll, download, cost), failover between providers with matching capabilities, refusal where they do not match.
 */
class HostedRoutingTest extends WireTest {
    static final Map<String, String> ENV = Map.of("MM_KEY", "mm-1", "ARK_KEY", "ark-1", "DASH_KEY", "dash-1", "OR_KEY", "or-1");

    Routing hosted(String routes) {
        return routing("""
                providers:
                  mm: {type: minimax, base_url: %1$s, api_key_env: MM_KEY}
                  ark: {type: seedance, base_url: %1$s/api/v3, api_key_env: ARK_KEY}
                  dash: {type: wan, base_url: %1$s/api/v1, api_key_env: DASH_KEY}
                  or: {type: openrouter, base_url: %1$s/api/v1, api_key_env: OR_KEY}
                routes:
                %2$s
                """.formatted(url(), routes), ENV);
    }

    void stubMiniMaxDone() throws Exception {
        wm.stubFor(post(urlEqualTo("/v1/video_generation")).willReturn(okJson(
                "{\"task_id\":\"106916112212032\",\"base_resp\":{\"status_code\":0,\"status_msg\":\"success\"}}")));
        wm.stubFor(get(urlEqualTo("/v1/query/video_generation?task_id=106916112212032")).willReturn(okJson(
                "{\"task_id\":\"106916112212032\",\"status\":\"Success\",\"file_id\":\"176844028768320\",\"video_width\":1366,"
                        + "\"video_height\":768,\"base_resp\":{\"status_code\":0,\"status_msg\":\"success\"}}")));
        wm.stubFor(get(urlEqualTo("/v1/files/retrieve?file_id=176844028768320")).willReturn(okJson(
                "{\"file\":{\"file_id\":176844028768320,\"bytes\":0,\"created_at\":1758211235,\"filename\":\"output.mp4\","
                        + "\"purpose\":\"video_generation\",\"download_url\":\"http://127.0.0.1:" + wm.port() + "/cdn/output.mp4\"},"
                        + "\"base_resp\":{\"status_code\":0,\"status_msg\":\"success\"}}")));
        wm.stubFor(get(urlEqualTo("/cdn/output.mp4")).willReturn(aResponse().withBody(TestMedia.mp4())));
    }

    void stubWanDone() throws Exception {
        wm.stubFor(post(urlEqualTo("/api/v1/services/aigc/video-generation/video-synthesis")).willReturn(okJson(
                "{\"output\": {\"task_status\": \"PENDING\", \"task_id\": \"wan-task-1\"}, \"request_id\": \"r\"}")));
        wm.stubFor(get(urlEqualTo("/api/v1/tasks/wan-task-1")).willReturn(okJson(
                "{\"request_id\": \"r\", \"output\": {\"task_id\": \"wan-task-1\", \"task_status\": \"SUCCEEDED\","
                        + " \"video_url\": \"http://127.0.0.1:" + wm.port() + "/oss/result.mp4\"}}")));
        wm.stubFor(get(urlEqualTo("/oss/result.mp4")).willReturn(aResponse().withBody(TestMedia.mp4())));
    }

    @Test
    void aMiniMaxJobRunsThroughTheRouterAndCostsItsPerVideoPrice() throws Exception {
        Routing r = hosted("  MiniMax-Hailuo-02: [mm]");
        stubMiniMaxDone();
        RenderPlan plan = plan(keyframes("hailuo-02").seconds(6).build());
        TestContext ctx = new TestContext(tmp);

        r.backendFor(plan.model()).generate(plan, ctx);

        assertThat(ctx.output(0).video()).hasBinaryContent(TestMedia.mp4());
        assertThat(ctx.notes).containsEntry("provider", "minimax").containsEntry("upstream_id", "106916112212032")
                .containsEntry("upstream_model", "MiniMax-Hailuo-02").containsEntry("cost_usd", "0.5200");
        wm.verify(postRequestedFor(urlEqualTo("/v1/video_generation")).withHeader("Authorization", equalTo("Bearer mm-1"))
                .withRequestBody(matchingJsonPath("$.resolution", equalTo("768P"))));
    }

    @Test
    void aRateLimitedMiniMaxFailsOverToWanWhoseModelHasTheSameRoles() throws Exception {
        Routing r = hosted("  MiniMax-Hailuo-02: [mm, {channel: dash, model: wan2.7-i2v}]");
        wm.stubFor(post(urlEqualTo("/v1/video_generation")).willReturn(aResponse().withStatus(429).withHeader("Retry-After", "2")
                .withBody("{\"base_resp\":{\"status_code\":1002,\"status_msg\":\"rate limit\"}}")));
        stubWanDone();
        RenderPlan plan = plan(keyframes("MiniMax-Hailuo-02").seconds(6).build());
        TestContext ctx = new TestContext(tmp);

        r.backendFor(plan.model()).generate(plan, ctx);

        assertThat(wm.findAll(postRequestedFor(urlEqualTo("/v1/video_generation")))).hasSize(3);
        assertThat(ctx.notes).containsEntry("channel", "dash").containsEntry("provider", "wan").containsKey("failover")
                .containsEntry("upstream_model", "wan2.7-i2v").containsEntry("cost_usd", "0.6000");
        assertThat(ctx.notes.get("translation")).contains("1366x768 sent as 1280x720");
        wm.verify(postRequestedFor(urlEqualTo("/api/v1/services/aigc/video-generation/video-synthesis"))
                .withHeader("X-DashScope-Async", equalTo("enable"))
                .withRequestBody(matchingJsonPath("$.input.media[1].type", equalTo("last_frame")))
                .withRequestBody(matchingJsonPath("$.parameters.duration", equalTo("6"))));
        assertThat(ctx.output(0).video()).hasBinaryContent(TestMedia.mp4());
    }

    @Test
    void anAmbiguousMiniMaxFailureIsNotFailedOver() throws Exception {
        Routing r = hosted("  MiniMax-Hailuo-02: [mm, {channel: dash, model: wan2.7-i2v}]");
        wm.stubFor(post(urlEqualTo("/v1/video_generation")).willReturn(aResponse().withStatus(502)));
        stubWanDone();
        RenderPlan plan = plan(keyframes("MiniMax-Hailuo-02").seconds(6).build());
        TestContext ctx = new TestContext(tmp);

        assertThatThrownBy(() -> r.backendFor(plan.model()).generate(plan, ctx)).isInstanceOf(GenerationException.class)
                .satisfies(e -> assertThat(((GenerationException) e).code()).isEqualTo("upstream_submit_uncertain"));
        assertThat(wm.findAll(postRequestedFor(urlEqualTo("/v1/video_generation")))).hasSize(1);
        assertThat(wm.findAll(postRequestedFor(urlMatching("/api/v1/services/.*")))).isEmpty();
    }

    @Test
    void aRouteWhoseModelsLackTheLastFrameIsRefusedBeforeAnyCall() {
        Routing r = hosted("  wan2.7-i2v: [{channel: mm, model: MiniMax-Hailuo-2.3}]");
        RenderPlan plan = plan(keyframes("wan2.7-i2v").seconds(6).build());
        assertThatThrownBy(() -> r.preflight(plan)).isInstanceOf(ValidationException.class)
                .hasMessageContaining("MiniMax-Hailuo-2.3").hasMessageContaining("last_frame");
        assertThat(wm.getAllServeEvents()).isEmpty();
    }

    @Test
    void openRouterWithImagesIsRefusedAtCreateUnlessTheChannelSendsThemInline() {
        Routing r = hosted("  openrouter/google/veo-3.1: [or]");
        RenderPlan plan = plan(keyframes("openrouter/google/veo-3.1").seconds(8).build());
        assertThatThrownBy(() -> r.preflight(plan)).isInstanceOf(ValidationException.class)
                .hasMessageContaining("public URLs").hasMessageContaining("inline_images");
        routing.close();
        Routing inline = routing("""
                providers:
                  or: {type: openrouter, base_url: %s/api/v1, api_key_env: OR_KEY, inline_images: true}
                routes:
                  openrouter/google/veo-3.1: [or]
                """.formatted(url()), ENV);
        inline.preflight(plan);
    }

    @Test
    void eachTypeChecksItsOwnKeysAndServesOnlyItsOwnModels() {
        assertThatThrownBy(() -> routing("""
                providers:
                  mm: {type: minimax, api_key_env: MM_KEY, region: cn}
                  or: {type: openrouter, api_key_env: OR_KEY, inline_images: maybe}
                  ark: {type: seedance, api_key_env: NOT_SET}
                  dash: {type: wan, api_key_env: DASH_KEY, base_url: ftp://x}
                """, ENV)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("providers.mm.region: unknown key")
                .hasMessageContaining("providers.or.inline_images: maybe is not true or false")
                .hasMessageContaining("NOT_SET is not set")
                .hasMessageContaining("providers.dash.base_url: ftp://x is not an http(s) URL");
        assertThatThrownBy(() -> routing("""
                providers:
                  dash: {type: wan, api_key_env: DASH_KEY}
                routes:
                  MiniMax-Hailuo-02: [{channel: dash, model: MiniMax-Hailuo-02}]
                """, ENV)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("MiniMax-Hailuo-02 is a minimax model");
    }

    @Test
    void theWorkedExamplesOfDocsConfigLoadAsWritten() throws Exception {
        String doc = java.nio.file.Files.readString(java.nio.file.Path.of("..", "docs", "config.md"));
        Map<String, String> env = Map.of("MINIMAX_API_KEY", "m", "ARK_API_KEY", "a", "DASHSCOPE_API_KEY", "d",
                "OPENROUTER_API_KEY", "o");
        for (String[] p : new String[][]{{"MiniMax", "minimax", "minimax"}, {"Seedance", "ark", "seedance"},
                {"Wan", "dashscope", "wan"}, {"OpenRouter", "openrouter", "openrouter"}}) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("### " + p[0] + " \\([^\\n]*\\s+```yaml\\n(.*?)```",
                    java.util.regex.Pattern.DOTALL).matcher(doc);
            assertThat(m.find()).as(p[0]).isTrue();
            FramegateConfig cfg = new ConfigLoader(CATALOG, env::get).parse(m.group(1), "framegate.yaml", tmp);
            assertThat(cfg.channels().get(p[1]).type()).as(p[0]).isEqualTo(p[2]);
            assertThat(cfg.routes().values()).flatExtracting(FramegateConfig.RouteConfig::targets).isNotEmpty()
                    .allSatisfy(t -> assertThat(t.upstreamModel().provider()).isEqualTo(p[2]));
        }
    }
}
