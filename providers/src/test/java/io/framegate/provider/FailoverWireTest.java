package io.framegate.provider;

import io.framegate.domain.GenerationException;
import io.framegate.domain.GenerationRequest;
import io.framegate.domain.ImageRole;
import io.framegate.domain.RenderPlan;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Map;

import static com.github.tomakehurst.wiremock.client.WireMock.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Several channels for one model: failover, cool-down, and never onto a channel that cannot honour the request. */
class FailoverWireTest extends WireTest {
    static final String OP = "models/veo-3.1-generate-001/operations/b2";

    Routing twoKeys(String extraRoute) {
        return routing("""
                providers:
                  google: {type: gemini, base_url: %s}
                  agg: {type: openai, base_url: %s/v1, api_key_env: AGG}
                channels:
                  key-a: {provider: google, api_key_env: KEY_A}
                  key-b: {provider: google, api_key_env: KEY_B}
                  agg: {provider: agg}
                routes:
                %s
                """.formatted(url(), url(), extraRoute), Map.of("KEY_A", "aaa", "KEY_B", "bbb", "AGG", "ccc"));
    }

    void stubBrokenA() {
        wm.stubFor(post(urlMatching(".*predictLongRunning")).withHeader("x-goog-api-key", equalTo("aaa"))
                .willReturn(aResponse().withStatus(503).withBody("{\"error\": {\"code\": 503, \"message\": \"The service is currently unavailable.\", \"status\": \"UNAVAILABLE\"}}")));
    }

    void stubWorkingB() throws Exception {
        wm.stubFor(post(urlMatching(".*predictLongRunning")).withHeader("x-goog-api-key", equalTo("bbb"))
                .willReturn(okJson("{\"name\": \"" + OP + "\"}")));
        wm.stubFor(get(urlEqualTo("/v1beta/" + OP)).withHeader("x-goog-api-key", equalTo("bbb"))
                .willReturn(okJson(GeminiWireTest.doneWithUri(url()).replace(GeminiWireTest.OP, OP))));
        wm.stubFor(get(urlEqualTo("/v1beta/files/zsmxt6ue9jk1:download?alt=media")).withHeader("x-goog-api-key", equalTo("bbb"))
                .willReturn(aResponse().withBody(TestMedia.mp4())));
    }

    @Test
    void serviceUnavailableOnOneChannelIsRetriedThenFailedOverToTheNextWhichKeepsTheJobAndTheFailingOneCoolsDown() throws Exception {
        Routing r = twoKeys("  veo-3.1-generate-001: [key-a, key-b]");
        stubBrokenA();
        stubWorkingB();
        RenderPlan plan = plan(keyframes("veo-3.1-generate-001").build());
        TestContext ctx = new TestContext(tmp.resolve("1"));

        r.backendFor(plan.model()).generate(plan, ctx);

        assertThat(wm.findAll(postRequestedFor(urlMatching(".*predictLongRunning")).withHeader("x-goog-api-key", equalTo("aaa"))))
                .as("retried up to retry_attempts on the failing channel").hasSize(3);
        assertThat(wm.findAll(anyRequestedFor(urlMatching("/v1beta/(models/.*/operations|files)/.*"))))
                .allSatisfy(req -> assertThat(req.getHeader("x-goog-api-key")).isEqualTo("bbb"));
        assertThat(ctx.notes.get("failover")).contains("gemini:key-a").contains("HTTP 503 UNAVAILABLE")
                .doesNotContain("currently unavailable");
        assertThat(ctx.notes).containsEntry("channel", "key-b");
        assertThat(Checkpoint.parse(ctx.checkpoint).channel()).isEqualTo("key-b");
        assertThat(ctx.output(0).video()).isNotEmptyFile();
        assertThat(r.channels().get("key-a").coolingAt(ticker.now())).isTrue();

        // while key-a cools down, the next job goes to key-b first
        wm.resetRequests();
        TestContext ctx2 = new TestContext(tmp.resolve("2"));
        r.backendFor(plan.model()).generate(plan, ctx2);
        assertThat(wm.findAll(postRequestedFor(urlMatching(".*predictLongRunning")).withHeader("x-goog-api-key", equalTo("aaa")))).isEmpty();
        assertThat(ctx2.notes).containsEntry("channel", "key-b").doesNotContainKey("failover");

        // once its cooldown (1 m) has passed, key-a is the first channel again
        ticker.sleep(java.time.Duration.ofMinutes(1));
        assertThat(r.channels().get("key-a").coolingAt(ticker.now())).isFalse();
        wm.resetRequests();
        TestContext ctx3 = new TestContext(tmp.resolve("3"));
        r.backendFor(plan.model()).generate(plan, ctx3);
        assertThat(wm.findAll(postRequestedFor(urlMatching(".*predictLongRunning")))).first()
                .satisfies(req -> assertThat(req.getHeader("x-goog-api-key")).isEqualTo("aaa"));
        assertThat(ctx3.notes).containsEntry("channel", "key-b").containsKey("failover");
    }

    @Test
    void firstAndLastFrameJobIsNeverFailedOverOntoAFirstFrameOnlyChannel() throws Exception {
        Routing r = twoKeys("  veo-3.1-generate-001: [key-a, {channel: agg, model: sora-2, allow_retired: true}]");
        stubBrokenA();
        wm.stubFor(post(urlEqualTo("/v1/videos")).willReturn(okJson(OpenAiWireTest.video("queued", "null"))));
        RenderPlan keyframesPlan = plan(keyframes("veo-3.1-generate-001").seconds(8).build());

        assertThatThrownBy(() -> r.backendFor(keyframesPlan.model()).generate(keyframesPlan, new TestContext(tmp)))
                .isInstanceOf(GenerationException.class)
                .satisfies(e -> assertThat(((GenerationException) e).code()).isEqualTo("upstream_failed"))
                .hasMessageContaining("key-a").hasMessageNotContaining("agg");
        assertThat(wm.findAll(anyRequestedFor(urlMatching("/v1/videos.*")))).isEmpty();

        // a first-frame-only job may go there
        wm.stubFor(get(urlEqualTo("/v1/videos/" + OpenAiWireTest.ID)).willReturn(okJson(OpenAiWireTest.video("completed", "null"))));
        wm.stubFor(get(urlMatching("/v1/videos/" + OpenAiWireTest.ID + "/content.*")).willReturn(aResponse().withBody(TestMedia.mp4())));
        RenderPlan firstOnly = plan(GenerationRequest.builder().model("veo-3.1-generate-001").prompt("dawn")
                .image(ImageRole.FIRST_FRAME, TestMedia.png(1280, 720, 640, 360), "image/png", "first.png").seconds(8).build());
        TestContext ctx = new TestContext(tmp.resolve("b"));
        r.backendFor(firstOnly.model()).generate(firstOnly, ctx);
        assertThat(ctx.notes).containsEntry("channel", "agg").containsEntry("upstream_model", "sora-2");
        assertThat(wm.findAll(postRequestedFor(urlEqualTo("/v1/videos")))).hasSize(1);
    }

    /** A request timeout far below the stand-in's delay (2 s vs 10 s) but far above a loopback call under load. */
    static final String SLOW_TIMING = TIMING.replace("request_timeout: 5s", "request_timeout: 2s");

    Routing twoGoogleKeys(String timing) {
        return routing("""
                providers:
                  google: {type: gemini, base_url: %s}
                channels:
                  key-a: {provider: google, api_key_env: KEY_A}
                  key-b: {provider: google, api_key_env: KEY_B}
                routes:
                  veo-3.1-generate-001: [key-a, key-b]
                """.formatted(url()), Map.of("KEY_A", "aaa", "KEY_B", "bbb"), timing);
    }

    @Test
    void aSubmitAcceptedThenLeftHangingIsSentOnceAcrossAllChannelsAndEndsUncertainWithoutCost() throws Exception {
        Routing r = twoGoogleKeys(SLOW_TIMING);
        wm.stubFor(post(urlMatching(".*predictLongRunning")).withHeader("x-goog-api-key", equalTo("aaa"))
                .willReturn(okJson("{\"name\": \"" + OP + "\"}").withFixedDelay(10_000)));
        stubWorkingB();
        RenderPlan plan = plan(keyframes("veo-3.1-generate-001").build());
        TestContext ctx = new TestContext(tmp);

        try (CapturedLog log = new CapturedLog()) {
            assertThatThrownBy(() -> r.backendFor(plan.model()).generate(plan, ctx))
                    .isInstanceOf(GenerationException.class)
                    .satisfies(e -> assertThat(((GenerationException) e).code()).isEqualTo("upstream_submit_uncertain"))
                    .hasMessageContaining("key-a").hasMessageContaining("not sent again");
            assertThat(log.text()).contains("WARN").contains("job-test").contains("gemini:key-a")
                    .contains(ticker.now().toString());
        }
        assertThat(wm.findAll(postRequestedFor(urlMatching(".*predictLongRunning")))).as("one submit in all").hasSize(1);
        assertThat(ctx.notes).doesNotContainKey("cost_usd").doesNotContainKey("failover").containsKey("submit_uncertain");
        Checkpoint cp = Checkpoint.parse(ctx.checkpoint);
        assertThat(cp.phase()).isEqualTo(Checkpoint.Phase.SUBMITTING);
        assertThat(cp.channel()).isEqualTo("key-a");
        assertThat(r.channels().get("key-a").coolingAt(ticker.now())).as("an unclear answer bans no channel").isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"500", "502", "504", "200 without a name", "200 not JSON", "200 with a name climbing out",
            "200 with a name that is a URL", "200 with control characters in the name"})
    void unclearAnswersToASubmitAreNeitherRetriedNorFailedOver(String answer) throws Exception {
        Routing r = twoGoogleKeys(TIMING);
        var reply = switch (answer) {
            case "200 without a name" -> okJson("{\"done\": false}");
            // a name Framegate would put into its URLs, notes and logs: unusable, so as unclear as none
            case "200 with a name climbing out" -> okJson("{\"name\": \"../../v1beta/files/x\"}");
            case "200 with a name that is a URL" -> okJson("{\"name\": \"https://evil.example/operations/x\"}");
            case "200 with control characters in the name" ->
                    okJson("{\"name\": \"models/veo/operations/a\\r\\nINFO x\\u001b[31m\"}");
            case "200 not JSON" -> aResponse().withStatus(200).withBody("<html>proxy</html>");
            default -> aResponse().withStatus(Integer.parseInt(answer))
                    .withBody("{\"error\": {\"code\": " + answer + ", \"message\": \"oops\", \"status\": \"INTERNAL\"}}");
        };
        wm.stubFor(post(urlMatching(".*predictLongRunning")).withHeader("x-goog-api-key", equalTo("aaa")).willReturn(reply));
        stubWorkingB();
        RenderPlan plan = plan(keyframes("veo-3.1-generate-001").build());
        TestContext ctx = new TestContext(tmp);

        assertThatThrownBy(() -> r.backendFor(plan.model()).generate(plan, ctx))
                .isInstanceOf(GenerationException.class)
                .satisfies(e -> assertThat(((GenerationException) e).code()).isEqualTo("upstream_submit_uncertain"));
        assertThat(wm.findAll(postRequestedFor(urlMatching(".*predictLongRunning")))).hasSize(1);
        assertThat(wm.findAll(getRequestedFor(anyUrl()))).as("nothing polled").isEmpty();
        assertThat(ctx.notes).doesNotContainKey("cost_usd").doesNotContainKey("failover").doesNotContainKey("retry")
                .doesNotContainKey("upstream_id");
    }

    @ParameterizedTest
    @ValueSource(strings = {"429", "503", "401", "403", "connection refused"})
    void provableRefusalsFailOverToTheNextChannel(String refusal) throws Exception {
        String deadUrl;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            deadUrl = "http://127.0.0.1:" + s.getLocalPort();
        }
        Routing r = routing("""
                providers:
                  google: {type: gemini, base_url: %s}
                  dead: {type: gemini, base_url: %s}
                channels:
                  key-a: {provider: %s, api_key_env: KEY_A}
                  key-b: {provider: google, api_key_env: KEY_B}
                routes:
                  veo-3.1-generate-001: [key-a, key-b]
                """.formatted(url(), deadUrl, refusal.equals("connection refused") ? "dead" : "google"),
                Map.of("KEY_A", "aaa", "KEY_B", "bbb"));
        if (!refusal.equals("connection refused")) {
            wm.stubFor(post(urlMatching(".*predictLongRunning")).withHeader("x-goog-api-key", equalTo("aaa"))
                    .willReturn(aResponse().withStatus(Integer.parseInt(refusal)).withBody("{\"error\": {\"code\": "
                            + refusal + ", \"message\": \"no\", \"status\": \"REFUSED\"}}")));
        }
        stubWorkingB();
        RenderPlan plan = plan(keyframes("veo-3.1-generate-001").build());
        TestContext ctx = new TestContext(tmp);

        r.backendFor(plan.model()).generate(plan, ctx);

        assertThat(ctx.notes).containsEntry("channel", "key-b").containsKey("failover");
        assertThat(ctx.output(0).video()).isNotEmptyFile();
        assertThat(r.channels().get("key-a").coolingAt(ticker.now())).isTrue();
        assertThat(wm.findAll(postRequestedFor(urlMatching(".*predictLongRunning")).withHeader("x-goog-api-key", equalTo("bbb"))))
                .hasSize(1);
    }

    @Test
    void aRequestTheUpstreamRejectsIsNotFailedOverAndBansNoChannel() throws Exception {
        Routing r = twoGoogleKeys(TIMING);
        wm.stubFor(post(urlMatching(".*predictLongRunning")).withHeader("x-goog-api-key", equalTo("aaa"))
                .willReturn(aResponse().withStatus(400).withBody("{\"error\": {\"code\": 400, \"message\": \"bad prompt\", \"status\": \"INVALID_ARGUMENT\"}}")));
        stubWorkingB();
        RenderPlan plan = plan(keyframes("veo-3.1-generate-001").build());
        TestContext ctx = new TestContext(tmp);
        assertThatThrownBy(() -> r.backendFor(plan.model()).generate(plan, ctx))
                .isInstanceOf(GenerationException.class)
                .satisfies(e -> assertThat(((GenerationException) e).code()).isEqualTo("upstream_failed"))
                .hasMessageContaining("HTTP 400 INVALID_ARGUMENT").hasMessageNotContaining("bad prompt");
        assertThat(wm.findAll(postRequestedFor(urlMatching(".*predictLongRunning")))).hasSize(1);
        assertThat(r.channels().get("key-a").coolingAt(ticker.now())).isFalse();
        assertThat(Checkpoint.parse(ctx.checkpoint).phase()).isEqualTo(Checkpoint.Phase.REFUSED);
    }
}
