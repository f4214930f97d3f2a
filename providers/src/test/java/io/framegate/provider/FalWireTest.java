package io.framegate.provider;

import com.github.tomakehurst.wiremock.stubbing.Scenario;
import io.framegate.domain.GenerationException;
import io.framegate.domain.GenerationRequest;
import io.framegate.domain.ImageRole;
import io.framegate.domain.RenderPlan;
import io.framegate.domain.ValidationException;
import org.junit.jupiter.api.Test;

import java.util.Base64;
import java.util.Map;

import static com.github.tomakehurst.wiremock.client.WireMock.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** fal's queue API at the wire: the JSON its docs show, driven by the real provider code. */
class FalWireTest extends WireTest {
    static final String MODEL = "fal-ai/veo3.1/first-last-frame-to-video";
    static final String REQ = "764cabcf-b745-4b3e-ae38-1200304cf45b";
    /** fal's status, result and cancel paths name the app without the endpoint's sub-path. */
    static final String APP_REQ = "/fal-ai/veo3.1/requests/" + REQ;
    static final byte[] FIRST = TestMedia.png(1280, 720, 640, 360);
    static final byte[] LAST = TestMedia.png(1280, 720, 300, 300);

    Routing fal(String route) {
        return routing("""
                providers:
                  fal: {type: fal, base_url: %s, api_key_env: FAL_KEY}
                routes:
                %s
                """.formatted(url(), route), Map.of("FAL_KEY", "fal-key-id:fal-key-secret"));
    }

    static String queued(String base, String app) {
        return """
                {"status": "IN_QUEUE", "request_id": "%2$s", "response_url": "%1$s%3$s/requests/%2$s",
                 "status_url": "%1$s%3$s/requests/%2$s/status", "cancel_url": "%1$s%3$s/requests/%2$s/cancel",
                 "queue_position": 0}""".formatted(base, REQ, app);
    }

    void stubSubmit() {
        wm.stubFor(post(urlEqualTo("/" + MODEL)).willReturn(okJson(queued(url(), "/fal-ai/veo3.1"))));
    }

    /** IN_QUEUE, IN_PROGRESS, then COMPLETED: every status fal's queue reports. */
    void stubStatuses() {
        String s = APP_REQ + "/status";
        wm.stubFor(get(urlEqualTo(s)).inScenario("q").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(okJson("{\"status\": \"IN_QUEUE\", \"queue_position\": 2, \"response_url\": \"" + url() + APP_REQ + "\"}"))
                .willSetStateTo("running"));
        wm.stubFor(get(urlEqualTo(s)).inScenario("q").whenScenarioStateIs("running")
                .willReturn(okJson("{\"status\": \"IN_PROGRESS\", \"logs\": [{\"message\": \"step 3/30\", \"level\": \"INFO\","
                        + " \"source\": \"user\", \"timestamp\": \"2026-11-24T10:00:05Z\"}], \"response_url\": \"" + url() + APP_REQ + "\"}"))
                .willSetStateTo("done"));
        wm.stubFor(get(urlEqualTo(s)).inScenario("q").whenScenarioStateIs("done")
                .willReturn(okJson("{\"status\": \"COMPLETED\", \"logs\": null, \"metrics\": {\"inference_time\": 83.2},"
                        + " \"response_url\": \"" + url() + APP_REQ + "\"}")));
    }

    void stubResult() throws Exception {
        // the CDN URL is on another host name than the queue: the key must not go there
        String cdn = url().replace("localhost", "127.0.0.1") + "/files/zebra/out.mp4";
        wm.stubFor(get(urlEqualTo(APP_REQ)).willReturn(okJson("{\"video\": {\"url\": \"" + cdn + "\", \"content_type\":"
                + " \"video/mp4\", \"file_name\": \"out.mp4\", \"file_size\": 1234}}")));
        wm.stubFor(get(urlEqualTo("/files/zebra/out.mp4")).willReturn(aResponse().withBody(TestMedia.mp4())));
    }

    static GenerationRequest.Builder firstAndLast(String model) {
        return GenerationRequest.builder().model(model).prompt("a slow push through the valley")
                .image(ImageRole.FIRST_FRAME, FIRST, "image/png", "first.png")
                .image(ImageRole.LAST_FRAME, LAST, "image/png", "last.png");
    }

    @Test
    void submitWithFirstAndLastFrameSendsTheDocumentedBodyAndHeadersPollsEveryStatusAndDownloads() throws Exception {
        Routing r = fal("  " + MODEL + ": [fal]");
        stubSubmit();
        stubStatuses();
        stubResult();
        RenderPlan plan = plan(firstAndLast(MODEL).seconds(6).seed(42L).negativePrompt("blur").audio(false).build());
        TestContext ctx = new TestContext(tmp);

        r.backendFor(plan.model()).generate(plan, ctx);

        wm.verify(1, postRequestedFor(urlEqualTo("/" + MODEL))
                .withHeader("Authorization", equalTo("Key fal-key-id:fal-key-secret"))
                .withHeader("Content-Type", equalTo("application/json"))
                .withRequestBody(equalToJson("""
                        {"prompt": "a slow push through the valley", "negative_prompt": "blur", "seed": 42,
                         "duration": "6s", "resolution": "720p", "aspect_ratio": "16:9", "generate_audio": false,
                         "first_frame_url": "data:image/png;base64,%s", "last_frame_url": "data:image/png;base64,%s"}
                        """.formatted(Base64.getEncoder().encodeToString(FIRST), Base64.getEncoder().encodeToString(LAST)))));
        wm.verify(3, getRequestedFor(urlEqualTo(APP_REQ + "/status")).withHeader("Authorization", equalTo("Key fal-key-id:fal-key-secret")));
        wm.verify(1, getRequestedFor(urlEqualTo(APP_REQ)).withHeader("Authorization", equalTo("Key fal-key-id:fal-key-secret")));
        wm.verify(1, getRequestedFor(urlEqualTo("/files/zebra/out.mp4")).withoutHeader("Authorization"));
        assertThat(ctx.output(0).video()).hasBinaryContent(TestMedia.mp4());
        assertThat(ctx.notes).containsEntry("provider", "fal").containsEntry("upstream_model", MODEL)
                .containsEntry("upstream_id", "fal-ai/veo3.1/requests/" + REQ).containsEntry("polls", "3")
                .containsEntry("cost_usd", "2.4000");
        assertThat(String.join(" ", ctx.notes.values())).doesNotContain("fal-key-secret");
    }

    @Test
    void aFailedJobIsReportedCompletedAndItsErrorComesFromTheResultFetch() throws Exception {
        Routing r = fal("  " + MODEL + ": [fal]");
        stubSubmit();
        wm.stubFor(get(urlEqualTo(APP_REQ + "/status")).willReturn(okJson("{\"status\": \"COMPLETED\", \"response_url\": \"x\"}")));
        wm.stubFor(get(urlEqualTo(APP_REQ)).willReturn(aResponse().withStatus(422).withHeader("Content-Type", "application/json")
                .withBody("{\"detail\": [{\"loc\": [\"body\", \"first_frame_url\"], \"msg\": \"Failed to decode the first frame\","
                        + " \"type\": \"image_load_error\", \"url\": \"https://docs.fal.ai/errors/#image_load_error\"}]}")));
        wm.stubFor(put(urlEqualTo(APP_REQ + "/cancel")).willReturn(okJson("{\"status\": \"ALREADY_COMPLETED\"}")));
        RenderPlan plan = plan(firstAndLast(MODEL).build());
        TestContext ctx = new TestContext(tmp);

        assertThatThrownBy(() -> r.backendFor(plan.model()).generate(plan, ctx))
                .isInstanceOf(GenerationException.class)
                .satisfies(e -> assertThat(((GenerationException) e).code()).isEqualTo("upstream_failed"))
                .hasMessageContaining("image_load_error").hasMessageContaining("Failed to decode the first frame");
        wm.verify(1, getRequestedFor(urlEqualTo(APP_REQ)));
        wm.verify(0, putRequestedFor(urlEqualTo(APP_REQ + "/cancel")));
        assertThat(ctx.notes).doesNotContainKey("cost_usd");
    }

    /**
     * fal's {@code key_id:key_secret}, here of letters only so that no credential pattern matches it, echoed back whole,
     * in halves and percent-encoded in a failed job's error, and whole in a status answer that is not JSON: neither
     * the key nor its secret half reaches a note, an exception's message (causes included) or the log.
     */
    @Test
    void aConfiguredKeyEchoedInAnErrorOrAnUnreadableAnswerReachesNoNoteMessageOrLog() throws Exception {
        String id = "abcdefghijkl";
        String secret = "mnopqrstuvwxyzab";
        String key = id + ":" + secret;
        Routing r = routing("""
                providers:
                  fal: {type: fal, base_url: %s, api_key_env: FAL_KEY}
                routes:
                  %s: [fal]
                """.formatted(url(), MODEL), Map.of("FAL_KEY", key));
        stubSubmit();
        wm.stubFor(get(urlEqualTo(APP_REQ + "/status")).willReturn(okJson("{\"status\": \"COMPLETED\", \"response_url\": \"x\"}")));
        wm.stubFor(get(urlEqualTo(APP_REQ)).willReturn(aResponse().withStatus(422).withHeader("Content-Type", "application/json")
                .withBody("{\"detail\": [{\"loc\": [\"body\"], \"msg\": \"Key " + key + " (secret " + secret + ", sent as "
                        + id + "%3A" + secret + ") cannot run this app\", \"type\": \"" + secret + "\"}]}")));
        wm.stubFor(put(urlEqualTo(APP_REQ + "/cancel")).willReturn(okJson("{\"status\": \"ALREADY_COMPLETED\"}")));
        RenderPlan plan = plan(firstAndLast(MODEL).build());
        TestContext ctx = new TestContext(tmp);
        Throwable thrown;
        try (CapturedLog log = new CapturedLog()) {
            thrown = org.assertj.core.api.Assertions.catchThrowable(() -> r.backendFor(plan.model()).generate(plan, ctx));
            assertThat(log.text()).doesNotContain(secret);
        }
        assertThat(thrown).isInstanceOf(GenerationException.class).hasMessageContaining("cannot run this app");
        for (Throwable t = thrown; t != null; t = t.getCause()) assertThat(String.valueOf(t.getMessage())).doesNotContain(secret);
        assertThat(String.join(" ", ctx.notes.values())).doesNotContain(secret);

        // a status answer that is not JSON: the parser's own message quotes what it could not read
        wm.resetAll();
        stubSubmit();
        wm.stubFor(get(urlEqualTo(APP_REQ + "/status")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBody(secret + " is not allowed")));
        wm.stubFor(put(urlEqualTo(APP_REQ + "/cancel")).willReturn(okJson("{\"status\": \"OK\"}")));
        TestContext unread = new TestContext(tmp.resolve("2"));
        Throwable broken;
        try (CapturedLog log = new CapturedLog()) {
            broken = org.assertj.core.api.Assertions.catchThrowable(() -> r.backendFor(plan.model()).generate(plan, unread));
            assertThat(log.text()).doesNotContain(secret);
        }
        assertThat(broken).isInstanceOf(GenerationException.class);
        for (Throwable t = broken; t != null; t = t.getCause()) assertThat(String.valueOf(t.getMessage())).doesNotContain(secret);
        assertThat(String.join(" ", unread.notes.values())).doesNotContain(secret);
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {
            // fal's documented model error
            "{\"detail\": [{\"loc\": [\"body\", \"prompt\"], \"msg\": \"The content could not be processed because it"
                    + " contained material flagged by a content checker.\", \"type\": \"content_policy_violation\","
                    + " \"url\": \"https://docs.fal.ai/errors#content_policy_violation\"}]}",
            // the shape third parties report for some models
            "{\"detail\": {\"error\": \"content_policy_violation\", \"category\": \"x\", \"message\": \"material flagged by"
                    + " a content checker.\"}}"})
    void aContentFilterOnTheResultEndsTheJobContentFilteredWithoutCost(String body) throws Exception {
        Routing r = fal("  " + MODEL + ": [fal]");
        stubSubmit();
        wm.stubFor(get(urlEqualTo(APP_REQ + "/status")).willReturn(okJson("{\"status\": \"COMPLETED\"}")));
        wm.stubFor(get(urlEqualTo(APP_REQ)).willReturn(aResponse().withStatus(422).withHeader("Content-Type", "application/json")
                .withBody(body)));
        RenderPlan plan = plan(firstAndLast(MODEL).build());
        TestContext ctx = new TestContext(tmp);

        assertThatThrownBy(() -> r.backendFor(plan.model()).generate(plan, ctx))
                .isInstanceOf(GenerationException.class)
                .satisfies(e -> assertThat(((GenerationException) e).code()).isEqualTo("content_filtered"));
        assertThat(ctx.notes.get("content_filtered")).contains("flagged by a content checker");
        assertThat(ctx.notes).doesNotContainKey("cost_usd");
    }

    /**
     * A hostile or broken upstream names a result on a private address (a cloud's metadata service, an internal host):
     * Framegate must not fetch it for the client, whether it is named at once or reached by a redirect.
     */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"named", "redirected"})
    void aResultUrlOnAPrivateAddressIsNotFetchedAndTheJobFailsUpstreamFailed(String how) throws Exception {
        Routing r = fal("  " + MODEL + ": [fal]");
        stubSubmit();
        wm.stubFor(get(urlEqualTo(APP_REQ + "/status")).willReturn(okJson("{\"status\": \"COMPLETED\"}")));
        // 127.0.0.2 is not the address the channel's base URL names (127.0.0.1): it stands for 169.254.169.254
        String internal = "http://127.0.0.2:" + wm.port() + "/latest/meta-data/iam";
        String named = how.equals("named") ? internal : url() + "/files/out.mp4";
        wm.stubFor(get(urlEqualTo(APP_REQ)).willReturn(okJson("{\"video\": {\"url\": \"" + named + "\"}}")));
        wm.stubFor(get(urlEqualTo("/files/out.mp4")).willReturn(aResponse().withStatus(302).withHeader("Location", internal)));
        wm.stubFor(get(urlEqualTo("/latest/meta-data/iam")).willReturn(aResponse().withBody(TestMedia.mp4())));
        wm.stubFor(put(urlEqualTo(APP_REQ + "/cancel")).willReturn(okJson("{\"status\": \"ALREADY_COMPLETED\"}")));
        RenderPlan plan = plan(firstAndLast(MODEL).build());
        TestContext ctx = new TestContext(tmp);

        assertFailsUpstreamFailed(r, plan, ctx, "private or reserved address");
        wm.verify(0, getRequestedFor(urlEqualTo("/latest/meta-data/iam")));
        assertThat(ctx.output(0).video()).doesNotExist();
    }

    private static void assertFailsUpstreamFailed(Routing r, RenderPlan plan, TestContext ctx, String why) {
        assertThatThrownBy(() -> r.backendFor(plan.model()).generate(plan, ctx))
                .isInstanceOf(GenerationException.class)
                .satisfies(e -> assertThat(((GenerationException) e).code()).isEqualTo("upstream_failed"))
                .hasMessageContaining(why);
    }

    /** A result that is an HTML or JSON page instead of a video is no video: the job fails, nothing is charged. */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"<html><body>Access denied</body></html>", "{\"error\": \"nope\"}", ""})
    void aResultThatIsNotAnMp4FailsTheJobUpstreamFailedWithoutCost(String page) throws Exception {
        Routing r = fal("  " + MODEL + ": [fal]");
        stubSubmit();
        stubStatuses();
        stubResult();
        wm.stubFor(get(urlEqualTo("/files/zebra/out.mp4")).willReturn(aResponse().withBody(page)));
        wm.stubFor(put(urlEqualTo(APP_REQ + "/cancel")).willReturn(okJson("{\"status\": \"ALREADY_COMPLETED\"}")));
        RenderPlan plan = plan(firstAndLast(MODEL).build());
        TestContext ctx = new TestContext(tmp);

        assertFailsUpstreamFailed(r, plan, ctx, "not an MP4 video");
        assertThat(ctx.notes).doesNotContainKey("cost_usd");
    }

    /** A result cut off mid-way (the connection closed early, no length to tell) is fetched again, not delivered. */
    @Test
    void aTruncatedResultIsDownloadedAgainAndOnlyTheWholeVideoIsDelivered() throws Exception {
        Routing r = fal("  " + MODEL + ": [fal]");
        stubSubmit();
        stubStatuses();
        stubResult();
        byte[] whole = TestMedia.mp4();
        byte[] half = java.util.Arrays.copyOf(whole, whole.length / 2);
        wm.stubFor(get(urlEqualTo("/files/zebra/out.mp4")).inScenario("cdn").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withBody(half)).willSetStateTo("whole"));
        wm.stubFor(get(urlEqualTo("/files/zebra/out.mp4")).inScenario("cdn").whenScenarioStateIs("whole")
                .willReturn(aResponse().withBody(whole)));
        RenderPlan plan = plan(firstAndLast(MODEL).build());
        TestContext ctx = new TestContext(tmp);

        r.backendFor(plan.model()).generate(plan, ctx);

        wm.verify(2, getRequestedFor(urlEqualTo("/files/zebra/out.mp4")));
        assertThat(ctx.output(0).video()).hasBinaryContent(whole);
        assertThat(ctx.notes).containsKey("cost_usd");
    }

    @Test
    void aRateLimitedSubmitWaitsForRetryAfterAndIsSentAgain() throws Exception {
        Routing r = fal("  " + MODEL + ": [fal]");
        wm.stubFor(post(urlEqualTo("/" + MODEL)).inScenario("rl").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(429).withHeader("Retry-After", "3").withHeader("Content-Type", "application/json")
                        .withBody("{\"detail\": \"Too many requests\", \"error_type\": \"rate_limited\"}"))
                .willSetStateTo("ok"));
        wm.stubFor(post(urlEqualTo("/" + MODEL)).inScenario("rl").whenScenarioStateIs("ok")
                .willReturn(okJson(queued(url(), "/fal-ai/veo3.1"))));
        wm.stubFor(get(urlEqualTo(APP_REQ + "/status")).willReturn(okJson("{\"status\": \"COMPLETED\"}")));
        stubResult();
        RenderPlan plan = plan(firstAndLast(MODEL).build());
        TestContext ctx = new TestContext(tmp);
        java.time.Instant start = ticker.now();

        r.backendFor(plan.model()).generate(plan, ctx);

        wm.verify(2, postRequestedFor(urlEqualTo("/" + MODEL)));
        assertThat(ctx.notes.get("retry")).contains("HTTP 429").contains("3000 ms (Retry-After)");
        assertThat(java.time.Duration.between(start, ticker.now())).isGreaterThanOrEqualTo(java.time.Duration.ofSeconds(3));
        assertThat(ctx.output(0).video()).isNotEmptyFile();
    }

    @Test
    void aCancelledJobIsCancelledAtFalWithTheKey() throws Exception {
        Routing r = fal("  " + MODEL + ": [fal]");
        stubSubmit();
        wm.stubFor(get(urlEqualTo(APP_REQ + "/status")).willReturn(okJson("{\"status\": \"IN_PROGRESS\"}")));
        wm.stubFor(put(urlEqualTo(APP_REQ + "/cancel")).willReturn(aResponse().withStatus(202)
                .withHeader("Content-Type", "application/json").withBody("{\"status\": \"CANCELLATION_REQUESTED\"}")));
        RenderPlan plan = plan(firstAndLast(MODEL).build());
        TestContext ctx = new TestContext(tmp);
        ticker.onSleep = t -> {
            if (wm.findAll(getRequestedFor(urlEqualTo(APP_REQ + "/status"))).size() >= 2) ctx.cancelled.set(true);
        };

        assertThatThrownBy(() -> r.backendFor(plan.model()).generate(plan, ctx))
                .isInstanceOf(GenerationException.class)
                .satisfies(e -> assertThat(((GenerationException) e).code()).isEqualTo("cancelled"));
        wm.verify(1, putRequestedFor(urlEqualTo(APP_REQ + "/cancel")).withHeader("Authorization", equalTo("Key fal-key-id:fal-key-secret")));
        assertThat(ctx.notes.get("upstream_cancel")).contains("asked");
    }

    @Test
    void klingAndWanEndpointsSpellTheirOwnFields() throws Exception {
        Routing r = fal("""
                  fal-ai/kling-video/v2.1/pro/image-to-video: [fal]
                  fal-ai/wan-flf2v: [fal]
                """);
        wm.stubFor(post(urlMatching("/fal-ai/.*")).willReturn(okJson(queued(url(), "/fal-ai/x"))));
        RenderPlan kling = plan(firstAndLast("fal-ai/kling-video/v2.1/pro/image-to-video").seconds(10).size("1920x1080").build());
        RenderPlan wan = plan(firstAndLast("fal-ai/wan-flf2v").seed(7L).build());
        UpstreamBackend.Prepared pk = r.route(kling.model().id()).orElseThrow().preflight(kling).get(0);
        UpstreamBackend.Prepared pw = r.route(wan.model().id()).orElseThrow().preflight(wan).get(0);
        pk.target().channel().upstream().submit(new UpstreamJob(pk.upstreamPlan(), fitted(pk.upstreamPlan())), "k", java.time.Duration.ofSeconds(5));
        pw.target().channel().upstream().submit(new UpstreamJob(pw.upstreamPlan(), fitted(pw.upstreamPlan())), "k", java.time.Duration.ofSeconds(5));

        wm.verify(postRequestedFor(urlEqualTo("/fal-ai/kling-video/v2.1/pro/image-to-video"))
                .withRequestBody(matchingJsonPath("$.duration", equalTo("10")))
                .withRequestBody(matchingJsonPath("$.image_url", matching("data:image/png;base64,.+")))
                .withRequestBody(matchingJsonPath("$.tail_image_url", matching("data:image/png;base64,.+")))
                .withRequestBody(notContaining("resolution")));
        wm.verify(postRequestedFor(urlEqualTo("/fal-ai/wan-flf2v"))
                .withRequestBody(matchingJsonPath("$.start_image_url", matching("data:image/png;base64,.+")))
                .withRequestBody(matchingJsonPath("$.end_image_url", matching("data:image/png;base64,.+")))
                .withRequestBody(matchingJsonPath("$.num_frames", equalTo("81")))
                .withRequestBody(matchingJsonPath("$.frames_per_second", equalTo("16")))
                .withRequestBody(matchingJsonPath("$.seed", equalTo("7")))
                .withRequestBody(notContaining("duration")));
    }

    static java.util.List<FittedImage> fitted(RenderPlan up) {
        return up.request().images().stream().map(i -> new FittedImage(i.role(), i.bytes(), "image/png", 0, 0)).toList();
    }

    @Test
    void aRequestTheEndpointCannotHonourIsRefusedBeforeAnyCallNamingWhatIsMissing() {
        Routing r = fal("  veo-3.1-generate-001: [{channel: fal, model: " + MODEL + "}, {channel: fal, model: fal-ai/wan-flf2v}]\n");
        RenderPlan firstOnly = plan(GenerationRequest.builder().model("veo-3.1-generate-001").prompt("dawn")
                .image(ImageRole.FIRST_FRAME, FIRST, "image/png", "first.png").seconds(8).build());
        assertThatThrownBy(() -> r.choose(firstOnly))
                .isInstanceOf(ValidationException.class)
                .hasMessageContaining(MODEL).hasMessageContaining("fal-ai/wan-flf2v")
                .hasMessageContaining("last_frame");
        wm.verify(0, anyRequestedFor(anyUrl()));
    }
}
