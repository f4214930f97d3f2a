package io.framegate.provider;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.framegate.domain.GenerationException;
import io.framegate.domain.GenerationRequest;
import io.framegate.domain.ImageRole;
import io.framegate.domain.ModelSpec;
import io.framegate.domain.RenderPlan;
import org.bytedeco.opencv.opencv_core.Mat;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import static com.github.tomakehurst.wiremock.client.WireMock.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Veo on the Gemini API, against the operation JSON of shared/reference/wire-formats.md §2.4. */
class GeminiWireTest extends WireTest {
    static final String OP = "models/veo-3.1-generate-001/operations/ld6i6vp968tt";
    static final String KEY = "gm-key-123";

    Routing gemini(String route) {
        return gemini(route, TIMING, ticker);
    }

    /** With this timing section, on {@code clock}. */
    Routing gemini(String route, String timing, Ticker clock) {
        return routing("""
                providers:
                  google: {type: gemini, base_url: %s, api_key_env: GEMINI_KEY}
                routes:
                %s
                """.formatted(url(), route), Map.of("GEMINI_KEY", KEY), timing, clock);
    }

    /**
     * An operation answer the provider cannot read (inline video bytes that are not base64) is an unreadable answer,
     * looked at again until the deadline like any other, then timeout: it used to escape as an internal error, which
     * the server's poller retried every 10 s for ever, past the job's deadline.
     */
    @Test
    void anOperationWithVideoBytesThatAreNotBase64IsUnreadableUntilTheDeadlineThenTimesOut() throws Exception {
        Routing r = gemini("  veo-3.1-generate-001: [google]");
        stubCreate();
        wm.stubFor(get(urlEqualTo("/v1beta/" + OP)).willReturn(okJson("{\"name\": \"" + OP + "\", \"done\": true,"
                + " \"response\": {\"generateVideoResponse\": {\"generatedSamples\": [{\"video\": {\"encodedVideo\":"
                + " \"!!!not base64!!!\"}}]}}}")));
        wm.stubFor(post(urlEqualTo("/v1beta/" + OP + ":cancel")).willReturn(okJson("{}")));
        RenderPlan plan = plan(keyframes("veo-3.1-generate-001").build());
        TestContext ctx = new TestContext(tmp);
        FailoverBackend route = (FailoverBackend) r.backendFor(plan.model());
        Checkpoint sent = route.submit(plan, ctx);

        PollStep step = route.poll(sent, ctx, null, 0);
        assertThat(step).isInstanceOf(PollStep.Wait.class);
        ticker.sleep(java.time.Duration.ofMinutes(10));
        assertThatThrownBy(() -> route.poll(sent, ctx, java.time.Duration.ofSeconds(2), 1))
                .isInstanceOf(GenerationException.class)
                .satisfies(e -> assertThat(((GenerationException) e).code()).isEqualTo("timeout"))
                .hasMessageContaining("could not be read");
    }

    static String doneWithUri(String base) {
        return """
                { "name": "%s", "done": true,
                  "response": { "@type": "type.googleapis.com/google.ai.generativelanguage.v1beta.PredictLongRunningResponse",
                    "generateVideoResponse": { "generatedSamples": [
                      { "video": { "uri": "%s/v1beta/files/zsmxt6ue9jk1:download?alt=media" } } ] } } }
                """.formatted(OP, base);
    }

    void stubCreate() {
        wm.stubFor(post(urlEqualTo("/v1beta/models/veo-3.1-generate-001:predictLongRunning"))
                .willReturn(okJson("{\"name\": \"" + OP + "\"}")));
    }

    void stubPollRunningThen(String finalJson) {
        stubPollFirstThen(okJson("{\"name\": \"" + OP + "\", \"done\": false}"), okJson(finalJson));
    }

    /** The first poll of the operation is answered {@code first}, every later one {@code then}. */
    void stubPollFirstThen(ResponseDefinitionBuilder first, ResponseDefinitionBuilder then) {
        wm.stubFor(get(urlEqualTo("/v1beta/" + OP)).inScenario("op").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(first).willSetStateTo("later"));
        wm.stubFor(get(urlEqualTo("/v1beta/" + OP)).inScenario("op").whenScenarioStateIs("later")
                .willReturn(then));
    }

    /** The operation runs on and never finishes; a cancel of it is answered. */
    void stubPollNeverDone() {
        wm.stubFor(get(urlEqualTo("/v1beta/" + OP)).willReturn(okJson("{\"name\": \"" + OP + "\", \"done\": false}")));
        wm.stubFor(post(urlEqualTo("/v1beta/" + OP + ":cancel")).willReturn(okJson("{}")));
    }

    void stubDownloadWithRedirect() throws Exception {
        wm.stubFor(get(urlEqualTo("/v1beta/files/zsmxt6ue9jk1:download?alt=media"))
                .willReturn(aResponse().withStatus(302).withHeader("Location", url() + "/signed/zsmxt6ue9jk1.mp4")));
        wm.stubFor(get(urlEqualTo("/signed/zsmxt6ue9jk1.mp4"))
                .willReturn(aResponse().withHeader("Content-Type", "video/mp4").withBody(TestMedia.mp4())));
    }

    static JsonNode body(LoggedRequest r) throws Exception {
        return Http.JSON.readTree(r.getBodyAsString());
    }

    @Test
    void keyframesJobSendsEveryFieldPollsDownloadsThroughRedirectAndRecordsCost() throws Exception {
        Routing r = gemini("  veo-3.1-generate-001: [google]");
        stubCreate();
        stubPollRunningThen(doneWithUri("https://generativelanguage.googleapis.com"));
        stubDownloadWithRedirect();
        // a 4:3 first frame, so the crop fit has to act
        RenderPlan plan = plan(GenerationRequest.builder().model("veo-3.1").prompt("A ghostly woman swings")
                .image(ImageRole.FIRST_FRAME, TestMedia.png(1600, 1200, 1200, 600), "image/png", "first.png")
                .image(ImageRole.LAST_FRAME, TestMedia.png(1280, 720, 300, 300), "image/png", "last.png")
                .negativePrompt("text overlays").seed(42L).personGeneration("allow_adult")
                .seconds(8).aspectRatio("16:9").resolution("720p").build());
        TestContext ctx = new TestContext(tmp);

        r.backendFor(plan.model()).generate(plan, ctx);

        List<LoggedRequest> creates = wm.findAll(postRequestedFor(urlEqualTo("/v1beta/models/veo-3.1-generate-001:predictLongRunning")));
        assertThat(creates).hasSize(1);
        JsonNode b = body(creates.get(0));
        JsonNode inst = b.at("/instances/0");
        assertThat(inst.path("prompt").asText()).isEqualTo("A ghostly woman swings");
        assertThat(inst.at("/image/mimeType").asText()).isEqualTo("image/png");
        try (Mat first = TestMedia.decode(Base64.getDecoder().decode(inst.at("/image/bytesBase64Encoded").asText()))) {
            assertThat(first.cols()).isEqualTo(1280);
            assertThat(first.rows()).isEqualTo(720);
        }
        assertThat(inst.at("/lastFrame/bytesBase64Encoded").asText()).isNotEmpty();
        assertThat(inst.has("referenceImages")).isFalse();
        JsonNode p = b.path("parameters");
        assertThat(p.path("aspectRatio").asText()).isEqualTo("16:9");
        assertThat(p.path("resolution").asText()).isEqualTo("720p");
        assertThat(p.path("durationSeconds").isInt()).isTrue();
        assertThat(p.path("durationSeconds").asInt()).isEqualTo(8);
        assertThat(p.path("sampleCount").asInt()).isEqualTo(1);
        assertThat(p.path("negativePrompt").asText()).isEqualTo("text overlays");
        assertThat(p.path("personGeneration").asText()).isEqualTo("allow_adult");
        assertThat(p.path("seed").asLong()).isEqualTo(42);
        assertThat(p.has("generateAudio")).as("the Gemini API refuses generateAudio").isFalse();
        assertThat(wm.findAll(anyRequestedFor(anyUrl()).withHeader("x-goog-api-key", equalTo(KEY)))).hasSizeGreaterThanOrEqualTo(4);

        assertThat(Files.readAllBytes(ctx.output(0).video())).isEqualTo(TestMedia.mp4());
        assertThat(TestMedia.frameCount(ctx.output(0).video())).isEqualTo(12);
        assertThat(ctx.output(0).thumbnail()).isNotEmptyFile();
        assertThat(ctx.output(0).spritesheet()).isNotEmptyFile();
        assertThat(ctx.notes).containsEntry("provider", "gemini").containsEntry("channel", "google")
                .containsEntry("upstream_id", OP).containsEntry("upstream_model", "veo-3.1-generate-001")
                .containsEntry("cost_usd", "3.2000").containsKeys("submitted_at", "completed_at", "upstream_seconds");
        assertThat(ctx.notes.get("fit")).contains("first_frame").contains("crop 1600x1200 -> 1280x720");
        assertThat(Checkpoint.parse(ctx.checkpoints.get(0)).phase()).as("stored before the submit")
                .isEqualTo(Checkpoint.Phase.SUBMITTING);
        assertThat(Checkpoint.parse(ctx.checkpoints.get(1)).handle()).isEqualTo(OP);
        assertThat(Checkpoint.parse(ctx.checkpoints.get(1)).channel()).isEqualTo("google");
    }

    @Test
    void soraStyleReferenceBecomesFirstFrameByDefaultAndAssetByRule() throws Exception {
        ModelSpec sora = CATALOG.require("sora-2");
        GenerationRequest soraReq = GenerationRequest.builder().model("sora-2").prompt("a calico cat on a piano")
                .image(ImageRole.REFERENCE, TestMedia.png(720, 1280, 360, 640), "image/png", "input_reference").seconds(8)
                .size("720x1280").build();
        stubCreate();
        stubPollRunningThen(doneWithUri(url()));
        stubDownloadWithRedirect();

        Routing byDefault = gemini("  sora-2: [{channel: google, model: veo-3.1-generate-001}]");
        TestContext ctx = new TestContext(tmp.resolve("a"));
        byDefault.backendFor(sora).generate(plan(soraReq), ctx);
        JsonNode inst = body(wm.findAll(postRequestedFor(urlMatching(".*predictLongRunning"))).get(0)).at("/instances/0");
        assertThat(inst.has("image")).isTrue();
        assertThat(inst.has("referenceImages")).isFalse();
        assertThat(body(wm.findAll(postRequestedFor(urlMatching(".*predictLongRunning"))).get(0)).at("/parameters/aspectRatio").asText())
                .isEqualTo("9:16");
        assertThat(ctx.notes.get("translation")).contains("reference image sent as first_frame");
        byDefault.close();

        wm.resetRequests();
        wm.resetScenarios();
        Routing asAsset = gemini("""
                  sora-2:
                    reference_as: asset
                    channels: [{channel: google, model: veo-3.1-generate-001}]
                """);
        TestContext ctx2 = new TestContext(tmp.resolve("b"));
        asAsset.backendFor(sora).generate(plan(soraReq), ctx2);
        JsonNode inst2 = body(wm.findAll(postRequestedFor(urlMatching(".*predictLongRunning"))).get(0)).at("/instances/0");
        assertThat(inst2.has("image")).isFalse();
        assertThat(inst2.at("/referenceImages/0/referenceType").asText()).isEqualTo("ASSET");
        assertThat(inst2.at("/referenceImages/0/image/bytesBase64Encoded").asText()).isNotEmpty();
        assertThat(ctx2.output(0).video()).isNotEmptyFile();
    }

    @Test
    void safetyFilteredOperationIsContentFilteredWithGooglesReason() throws Exception {
        Routing r = gemini("  veo-3.1-generate-001: [google]");
        stubCreate();
        stubPollRunningThen("""
                { "name": "%s", "done": true, "response": { "generateVideoResponse": {
                  "raiMediaFilteredCount": 1,
                  "raiMediaFilteredReasons": ["Veo could not generate 1 videos based on the prompt provided. You will not be charged for this request. Support codes: 42237218"] } } }
                """.formatted(OP));
        RenderPlan plan = plan(keyframes("veo-3.1-generate-001").build());
        TestContext ctx = new TestContext(tmp);
        assertThatThrownBy(() -> r.backendFor(plan.model()).generate(plan, ctx))
                .isInstanceOf(GenerationException.class)
                .satisfies(e -> assertThat(((GenerationException) e).code()).isEqualTo("content_filtered"))
                .hasMessageContaining("Support codes: 42237218");
        assertThat(ctx.notes).doesNotContainKey("cost_usd");
        assertThat(ctx.output(0).video()).doesNotExist();
    }

    @Test
    void failedOperationIsUpstreamFailedWithItsMessage() throws Exception {
        Routing r = gemini("  veo-3.1-generate-001: [google]");
        stubCreate();
        stubPollRunningThen("""
                { "name": "%s", "done": true, "error": { "code": 13, "message": "Internal error while generating video" } }
                """.formatted(OP));
        RenderPlan plan = plan(keyframes("veo-3.1-generate-001").build());
        assertThatThrownBy(() -> r.backendFor(plan.model()).generate(plan, new TestContext(tmp)))
                .isInstanceOf(GenerationException.class)
                .satisfies(e -> assertThat(((GenerationException) e).code()).isEqualTo("upstream_failed"))
                .hasMessageContaining("Internal error while generating video").hasMessageContaining("13");
    }

    @Test
    void rateLimitedSubmitWaitsTheRetryAfterThenSucceeds() throws Exception {
        Routing r = gemini("  veo-3.1-generate-001: [google]");
        wm.stubFor(post(urlMatching(".*predictLongRunning")).inScenario("rl").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(429).withHeader("Retry-After", "7")
                        .withBody("{\"error\": {\"code\": 429, \"message\": \"Resource exhausted\", \"status\": \"RESOURCE_EXHAUSTED\"}}"))
                .willSetStateTo("ok"));
        wm.stubFor(post(urlMatching(".*predictLongRunning")).inScenario("rl").whenScenarioStateIs("ok")
                .willReturn(okJson("{\"name\": \"" + OP + "\"}")));
        wm.stubFor(get(urlEqualTo("/v1beta/" + OP)).willReturn(okJson(doneWithUri(url()))));
        stubDownloadWithRedirect();
        RenderPlan plan = plan(keyframes("veo-3.1-generate-001").build());
        TestContext ctx = new TestContext(tmp);
        ticker.sleeps.clear();

        r.backendFor(plan.model()).generate(plan, ctx);

        assertThat(wm.findAll(postRequestedFor(urlMatching(".*predictLongRunning")))).hasSize(2);
        assertThat(ctx.notes.get("retry")).contains("HTTP 429").contains("retrying in 7000 ms (Retry-After)");
        // 7 s Retry-After + the first poll interval of 2 s, all on virtual time
        assertThat(ticker.sleptSeconds()).isEqualTo(9);
        assertThat(ctx.output(0).video()).isNotEmptyFile();
    }

    /**
     * docs/config.md, Timing: {@code retry_max} from framegate.yaml caps every wait between tries of a refused submit.
     * Uncapped, the waits after {@code retry_base: 1s} double (1, 2, 4, 8, 16 s, each jittered down to no less than
     * half); with {@code retry_max: 2s} none is longer than 2 s and the later ones are between 1 and 2 s.
     */
    @Test
    void retryMaxFromTheConfigCapsEveryWaitBetweenSubmitTries() throws Exception {
        Routing r = gemini("  veo-3.1-generate-001: [google]",
                TIMING.replace("retry_attempts: 3", "retry_attempts: 6").replace("retry_max: 4s", "retry_max: 2s"), ticker);
        String unavailable = "{\"error\": {\"code\": 503, \"message\": \"The service is currently unavailable.\", "
                + "\"status\": \"UNAVAILABLE\"}}";
        for (int i = 0; i < 5; i++) {
            wm.stubFor(post(urlMatching(".*predictLongRunning")).inScenario("busy")
                    .whenScenarioStateIs(i == 0 ? Scenario.STARTED : "refused-" + i)
                    .willReturn(aResponse().withStatus(503).withBody(unavailable)).willSetStateTo("refused-" + (i + 1)));
        }
        wm.stubFor(post(urlMatching(".*predictLongRunning")).inScenario("busy").whenScenarioStateIs("refused-5")
                .willReturn(okJson("{\"name\": \"" + OP + "\"}")));
        wm.stubFor(get(urlEqualTo("/v1beta/" + OP)).willReturn(okJson(doneWithUri(url()))));
        stubDownloadWithRedirect();
        RenderPlan plan = plan(keyframes("veo-3.1-generate-001").build());
        TestContext ctx = new TestContext(tmp);

        List<Long> waits;
        try (CapturedLog log = new CapturedLog()) {
            r.backendFor(plan.model()).generate(plan, ctx);
            waits = java.util.regex.Pattern.compile("submit.*? attempt \\d+ failed .*?retrying in (\\d+) ms").matcher(log.text())
                    .results().map(m -> Long.parseLong(m.group(1))).toList();
        }

        assertThat(wm.findAll(postRequestedFor(urlMatching(".*predictLongRunning")))).hasSize(6);
        assertThat(waits).as("the waits between the six tries").hasSize(5);
        assertThat(waits).as("retry_max: 2s caps every wait (uncapped the 3rd to 5th would be 2-4, 4-8, 8-16 s)")
                .allMatch(w -> w <= 2000);
        assertThat(waits.subList(2, 5)).as("at the cap, jittered no lower than half of it").allMatch(w -> w >= 1000);
        assertThat(ctx.output(0).video()).isNotEmptyFile();
    }

    /**
     * docs/config.md, Timing: {@code request_timeout} from framegate.yaml bounds one HTTP call, answer body included. A
     * poll whose headers come at once but whose body trickles for 2 s is cut under {@code request_timeout: 1s} (and
     * retried, as a poll is), and read whole under {@code request_timeout: 5s}.
     */
    @Test
    void aPollAnswerWhoseBodyTricklesPastRequestTimeoutIsCutAndRetried() throws Exception {
        for (String timeout : List.of("1s", "5s")) {
            wm.resetAll();
            Routing r = gemini("  veo-3.1-generate-001: [google]",
                    TIMING.replace("request_timeout: 5s", "request_timeout: " + timeout), ticker);
            stubCreate();
            stubPollFirstThen(okJson(doneWithUri(url())).withChunkedDribbleDelay(8, 2000), okJson(doneWithUri(url())));
            stubDownloadWithRedirect();
            RenderPlan plan = plan(keyframes("veo-3.1-generate-001").build());
            TestContext ctx = new TestContext(java.nio.file.Files.createDirectories(tmp.resolve(timeout)));

            r.backendFor(plan.model()).generate(plan, ctx);

            if (timeout.equals("1s")) {
                assertThat(wm.findAll(getRequestedFor(urlEqualTo("/v1beta/" + OP)))).as("cut after 1 s, then polled again").hasSize(2);
                assertThat(ctx.notes.get("retry")).contains("timed out");
            } else {
                assertThat(wm.findAll(getRequestedFor(urlEqualTo("/v1beta/" + OP)))).as("read whole within 5 s").hasSize(1);
                assertThat(ctx.notes).doesNotContainKey("retry");
            }
            assertThat(ctx.output(0).video()).isNotEmptyFile();
        }
    }

    @Test
    void pollThatTimesOutIsRetried() throws Exception {
        Routing r = gemini("  veo-3.1-generate-001: [google]", TIMING.replace("request_timeout: 5s", "request_timeout: 1s"),
                ticker);
        stubCreate();
        stubPollFirstThen(okJson(doneWithUri(url())).withFixedDelay(3000), okJson(doneWithUri(url())));
        stubDownloadWithRedirect();
        RenderPlan plan = plan(keyframes("veo-3.1-generate-001").build());
        TestContext ctx = new TestContext(tmp);

        r.backendFor(plan.model()).generate(plan, ctx);

        assertThat(wm.findAll(postRequestedFor(urlMatching(".*predictLongRunning")))).hasSize(1);
        assertThat(wm.findAll(getRequestedFor(urlEqualTo("/v1beta/" + OP)))).hasSize(2);
        assertThat(ctx.notes.get("retry")).contains("timed out");
        assertThat(ctx.output(0).video()).isNotEmptyFile();
    }

    @Test
    void aSevenSecondBlipOf503sOnPollingDoesNotFailAJobTheUpstreamFinishes() throws Exception {
        Routing r = gemini("  veo-3.1-generate-001: [google]");
        stubCreate();
        wm.stubFor(get(urlEqualTo("/v1beta/" + OP)).willReturn(okJson(doneWithUri(url()))));
        var blip = wm.stubFor(get(urlEqualTo("/v1beta/" + OP)).atPriority(1).willReturn(aResponse().withStatus(503)
                .withBody("{\"error\": {\"code\": 503, \"message\": \"The service is currently unavailable.\", \"status\": \"UNAVAILABLE\"}}")));
        java.time.Instant blipEnds = ticker.now().plusSeconds(7);
        java.util.concurrent.atomic.AtomicBoolean over = new java.util.concurrent.atomic.AtomicBoolean();
        ticker.onSleep = now -> {
            if (!now.isBefore(blipEnds) && over.compareAndSet(false, true)) wm.removeStub(blip.getId());
        };
        stubDownloadWithRedirect();
        RenderPlan plan = plan(keyframes("veo-3.1-generate-001").build());
        TestContext ctx = new TestContext(tmp);

        r.backendFor(plan.model()).generate(plan, ctx);

        assertThat(wm.findAll(getRequestedFor(urlEqualTo("/v1beta/" + OP))).size())
                .as("more 503s than retry_attempts (3), all retried").isGreaterThan(3);
        assertThat(ctx.notes.get("retry")).contains("HTTP 503 UNAVAILABLE");
        assertThat(ctx.output(0).video()).isNotEmptyFile();
        assertThat(wm.findAll(postRequestedFor(urlMatching(".*:cancel")))).isEmpty();
    }

    @Test
    void resultGoneBeforeDownloadIsUpstreamExpired() throws Exception {
        Routing r = gemini("  veo-3.1-generate-001: [google]");
        stubCreate();
        wm.stubFor(get(urlEqualTo("/v1beta/" + OP)).willReturn(okJson(doneWithUri(url()))));
        wm.stubFor(get(urlEqualTo("/v1beta/files/zsmxt6ue9jk1:download?alt=media"))
                .willReturn(aResponse().withStatus(404).withBody("{\"error\": {\"code\": 404, \"status\": \"NOT_FOUND\"}}")));
        RenderPlan plan = plan(keyframes("veo-3.1-generate-001").build());
        assertThatThrownBy(() -> r.backendFor(plan.model()).generate(plan, new TestContext(tmp)))
                .isInstanceOf(GenerationException.class)
                .satisfies(e -> assertThat(((GenerationException) e).code()).isEqualTo("upstream_expired"))
                .hasMessageContaining("404");
    }

    @Test
    void checkpointResumesPollingTheSameOperationWithoutSubmittingAgain() throws Exception {
        Routing r = gemini("  veo-3.1-generate-001: [google]");
        stubCreate();
        wm.stubFor(get(urlEqualTo("/v1beta/" + OP)).willReturn(okJson(doneWithUri(url()))));
        stubDownloadWithRedirect();
        RenderPlan plan = plan(keyframes("veo-3.1-generate-001").build());
        String cp = new Checkpoint("gemini", "google", "veo-3.1-generate-001", OP, ticker.now().minusSeconds(30)).toJson();
        TestContext ctx = new TestContext(tmp, cp);

        r.backendFor(plan.model()).generate(plan, ctx);

        assertThat(wm.findAll(postRequestedFor(urlMatching(".*predictLongRunning")))).isEmpty();
        assertThat(wm.findAll(getRequestedFor(urlEqualTo("/v1beta/" + OP)))).hasSize(1);
        assertThat(ctx.output(0).video()).isNotEmptyFile();
        assertThat(ctx.notes).containsEntry("upstream_id", OP).containsKey("resumed");
    }

    @Test
    void jobDeadlinePassesWhileUpstreamKeepsRunningAndTheOperationIsCancelled() throws Exception {
        Routing r = gemini("  veo-3.1-generate-001: [google]");
        stubCreate();
        stubPollNeverDone();
        RenderPlan plan = plan(keyframes("veo-3.1-generate-001").build());
        TestContext ctx = new TestContext(tmp);
        assertThatThrownBy(() -> r.backendFor(plan.model()).generate(plan, ctx))
                .isInstanceOf(GenerationException.class)
                .satisfies(e -> assertThat(((GenerationException) e).code()).isEqualTo("timeout"));
        // 10 min deadline, polls every 2, 4, 8, 8, ... s
        assertThat(wm.findAll(getRequestedFor(urlEqualTo("/v1beta/" + OP))).size()).isBetween(70, 80);
        assertThat(wm.findAll(postRequestedFor(urlEqualTo("/v1beta/" + OP + ":cancel")))).hasSize(1);
        assertThat(ctx.notes.get("upstream_cancel")).contains("asked");
    }

    @Test
    void cancellationStopsPollingAndAsksTheUpstreamToCancel() throws Exception {
        Routing r = gemini("  veo-3.1-generate-001: [google]");
        stubCreate();
        stubPollNeverDone();
        RenderPlan plan = plan(keyframes("veo-3.1-generate-001").build());
        TestContext ctx = new TestContext(tmp);
        ticker.onSleep = t -> {
            if (wm.findAll(getRequestedFor(urlEqualTo("/v1beta/" + OP))).size() >= 2) ctx.cancelled.set(true);
        };
        assertThatThrownBy(() -> r.backendFor(plan.model()).generate(plan, ctx))
                .isInstanceOf(GenerationException.class)
                .satisfies(e -> assertThat(((GenerationException) e).code()).isEqualTo("cancelled"));
        assertThat(wm.findAll(getRequestedFor(urlEqualTo("/v1beta/" + OP)))).hasSize(2);
        assertThat(wm.findAll(postRequestedFor(urlEqualTo("/v1beta/" + OP + ":cancel")))).hasSize(1);
    }

    @Test
    void shutdownStopsPollingButLeavesTheOperationRunningForTheNextStart() throws Exception {
        Routing r = gemini("  veo-3.1-generate-001: [google]");
        stubCreate();
        stubPollNeverDone();
        RenderPlan plan = plan(keyframes("veo-3.1-generate-001").build());
        TestContext ctx = new TestContext(tmp);
        ticker.onSleep = t -> {
            if (wm.findAll(getRequestedFor(urlEqualTo("/v1beta/" + OP))).size() >= 2) ctx.shuttingDown.set(true);
        };
        assertThatThrownBy(() -> r.backendFor(plan.model()).generate(plan, ctx))
                .isInstanceOf(GenerationException.class)
                .satisfies(e -> assertThat(((GenerationException) e).code()).isEqualTo("cancelled"));
        assertThat(wm.findAll(getRequestedFor(urlEqualTo("/v1beta/" + OP)))).hasSize(2);
        assertThat(wm.findAll(postRequestedFor(urlEqualTo("/v1beta/" + OP + ":cancel")))).isEmpty();
        assertThat(ctx.notes).doesNotContainKey("upstream_cancel");
        assertThat(Checkpoint.parse(ctx.checkpoint).handle()).isEqualTo(OP);
    }

    Routing geminiOnRealTime() {
        return gemini("  veo-3.1-generate-001: [google]", SHORT_DEADLINE, Ticker.SYSTEM);
    }

    @Test
    void aHangingPollFailsAtTheDeadlineNotARequestTimeoutLaterAndCancelsUpstream() throws Exception {
        Routing r = geminiOnRealTime();
        stubCreate();
        wm.stubFor(get(urlEqualTo("/v1beta/" + OP)).willReturn(okJson("{\"name\": \"" + OP + "\", \"done\": false}").withFixedDelay(20_000)));
        wm.stubFor(post(urlEqualTo("/v1beta/" + OP + ":cancel")).willReturn(okJson("{}")));
        RenderPlan plan = plan(keyframes("veo-3.1-generate-001").build());
        TestContext ctx = new TestContext(tmp);

        long start = System.nanoTime();
        assertThatThrownBy(() -> r.backendFor(plan.model()).generate(plan, ctx))
                .isInstanceOf(GenerationException.class)
                .satisfies(e -> assertThat(((GenerationException) e).code()).isEqualTo("timeout"));
        long ms = (System.nanoTime() - start) / 1_000_000;

        assertThat(ms).as("deadline 2 s, request timeout 5 s").isLessThan(3_500);
        assertThat(wm.findAll(postRequestedFor(urlEqualTo("/v1beta/" + OP + ":cancel")))).hasSize(1);
        assertThat(ctx.notes.get("upstream_cancel")).contains("asked").contains("timeout");
    }

    @Test
    void aTricklingDownloadIsCutAtTheDeadlineAndTheFinishedOperationLeftAlone() throws Exception {
        Routing r = geminiOnRealTime();
        stubCreate();
        wm.stubFor(get(urlEqualTo("/v1beta/" + OP)).willReturn(okJson(doneWithUri(url()))));
        wm.stubFor(get(urlEqualTo("/v1beta/files/zsmxt6ue9jk1:download?alt=media"))
                .willReturn(aResponse().withBody(TestMedia.mp4()).withChunkedDribbleDelay(40, 30_000)));
        wm.stubFor(post(urlEqualTo("/v1beta/" + OP + ":cancel")).willReturn(okJson("{}")));
        RenderPlan plan = plan(keyframes("veo-3.1-generate-001").build());
        TestContext ctx = new TestContext(tmp);

        long start = System.nanoTime();
        assertThatThrownBy(() -> r.backendFor(plan.model()).generate(plan, ctx))
                .isInstanceOf(GenerationException.class)
                .satisfies(e -> assertThat(((GenerationException) e).code()).isEqualTo("timeout"));
        long ms = (System.nanoTime() - start) / 1_000_000;

        assertThat(ms).as("deadline 2 s; the body would take 30 s").isLessThan(3_500);
        assertThat(wm.findAll(postRequestedFor(urlEqualTo("/v1beta/" + OP + ":cancel")))).isEmpty();
        assertThat(ctx.notes.get("upstream_kept")).contains(OP);
        assertThat(ctx.output(0).video()).doesNotExist();
        assertThat(ctx.notes).doesNotContainKey("cost_usd");
    }

    @Test
    void aJobCancelledBeforeItsSubmitIsSentLeavesNoSubmittingCheckpoint() throws Exception {
        Routing r = gemini("  veo-3.1-generate-001: [google]");
        stubCreate();
        RenderPlan plan = plan(keyframes("veo-3.1-generate-001").build());
        TestContext ctx = new TestContext(tmp);
        ctx.cancelled.set(true);
        assertThatThrownBy(() -> r.backendFor(plan.model()).generate(plan, ctx))
                .isInstanceOf(GenerationException.class)
                .satisfies(e -> assertThat(((GenerationException) e).code()).isEqualTo("cancelled"));
        assertThat(wm.findAll(postRequestedFor(urlMatching(".*predictLongRunning")))).isEmpty();
        assertThat(Checkpoint.parse(ctx.checkpoint).phase()).as("a restart may submit it").isEqualTo(Checkpoint.Phase.REFUSED);
    }
}
