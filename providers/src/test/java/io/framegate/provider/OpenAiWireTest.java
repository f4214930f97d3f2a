package io.framegate.provider;

import com.github.tomakehurst.wiremock.http.Request;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.framegate.domain.FitMode;
import io.framegate.domain.GenerationException;
import io.framegate.domain.InputImage;
import io.framegate.engine.ImageDecoder;
import io.framegate.engine.ImageFitter;
import io.framegate.domain.GenerationRequest;
import io.framegate.domain.ImageRole;
import io.framegate.domain.RenderPlan;
import io.framegate.domain.ValidationException;
import org.bytedeco.opencv.opencv_core.Mat;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static com.github.tomakehurst.wiremock.client.WireMock.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** An OpenAI-compatible /v1/videos upstream through the official openai-java SDK, against §1.5's Video objects. */
class OpenAiWireTest extends WireTest {
    static final String ID = "video_68d7512d07848190b3e45da0ecbebcde004da08e1e0678d5";
    static final String KEY = "sk-agg-456";

    Routing openai(String route) throws Exception {
        Files.writeString(tmp.resolve("agg.key"), KEY + "\n");
        return routing("""
                providers:
                  agg: {type: openai, base_url: %s/v1, api_key_file: agg.key}
                routes:
                %s
                """.formatted(url(), route), Map.of());
    }

    static String video(String status, String extra) {
        return """
                { "id": "%s", "object": "video", "created_at": 1758941485, "status": "%s", "model": "sora-2",
                  "progress": %d, "seconds": "8", "size": "1280x720", "completed_at": null, "expires_at": null,
                  "prompt": "A calico cat playing a piano on stage", "remixed_from_video_id": null, "error": %s }
                """.formatted(ID, status, "completed".equals(status) ? 100 : 0, extra);
    }

    void stubCreateAndPoll(String finalJson) {
        wm.stubFor(post(urlEqualTo("/v1/videos")).willReturn(okJson(video("queued", "null"))));
        wm.stubFor(get(urlEqualTo("/v1/videos/" + ID)).inScenario("v").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(okJson(video("in_progress", "null")).withHeader("openai-poll-after-ms", "5000")).willSetStateTo("end"));
        wm.stubFor(get(urlEqualTo("/v1/videos/" + ID)).inScenario("v").whenScenarioStateIs("end").willReturn(okJson(finalJson)));
    }

    GenerationRequest.Builder soraRequest() {
        return GenerationRequest.builder().model("sora-2").prompt("A calico cat playing a piano on stage").seconds(8)
                .size("1280x720").image(ImageRole.REFERENCE, TestMedia.png(1000, 1000, 200, 500), "image/png", "cat.png")
                .fit(FitMode.CROP);
    }

    /**
     * The content endpoint is the upstream's to answer, redirects included (the SDK's OkHttp follows them): one to a
     * private address (a metadata service, an internal host) is not fetched, and the job fails upstream_failed.
     */
    @Test
    void aContentRedirectToAPrivateAddressIsNotFollowedAndTheJobFailsUpstreamFailed() throws Exception {
        Routing r = openai("  sora-2: [{channel: agg, allow_retired: true}]");
        stubCreateAndPoll(video("completed", "null"));
        // 127.0.0.2 is not an address of the channel's base URL (localhost): it stands for 169.254.169.254
        wm.stubFor(get(urlPathEqualTo("/v1/videos/" + ID + "/content")).willReturn(aResponse().withStatus(302)
                .withHeader("Location", "http://127.0.0.2:" + wm.port() + "/latest/meta-data/iam")));
        wm.stubFor(get(urlEqualTo("/latest/meta-data/iam")).willReturn(aResponse().withBody(TestMedia.mp4())));
        wm.stubFor(delete(urlEqualTo("/v1/videos/" + ID)).willReturn(okJson("{\"id\": \"" + ID + "\", \"deleted\": true}")));
        RenderPlan plan = plan(soraRequest().build());
        TestContext ctx = new TestContext(tmp);

        assertThatThrownBy(() -> r.backendFor(plan.model()).generate(plan, ctx))
                .isInstanceOf(GenerationException.class)
                .satisfies(e -> assertThat(((GenerationException) e).code()).isEqualTo("upstream_failed"))
                .hasMessageContaining("private or reserved address");
        assertThat(wm.findAll(getRequestedFor(urlEqualTo("/latest/meta-data/iam")))).isEmpty();
    }

    @Test
    void referenceJobIsMultipartWithAnExactlySizedInputReferenceAndDownloadsAllVariants() throws Exception {
        Routing r = openai("  sora-2: [{channel: agg, allow_retired: true}]");
        stubCreateAndPoll(video("completed", "null"));
        for (String variant : List.of("video", "thumbnail", "spritesheet")) {
            wm.stubFor(get(urlEqualTo("/v1/videos/" + ID + "/content?variant=" + variant))
                    .willReturn(aResponse().withBody(variant.equals("video") ? TestMedia.mp4() : (variant + "-bytes").getBytes())));
        }
        RenderPlan plan = plan(soraRequest().build());
        TestContext ctx = new TestContext(tmp);
        ticker.sleeps.clear();

        r.backendFor(plan.model()).generate(plan, ctx);

        LoggedRequest create = wm.findAll(postRequestedFor(urlEqualTo("/v1/videos"))).get(0);
        assertThat(create.getHeader("Authorization")).isEqualTo("Bearer " + KEY);
        assertThat(create.getHeader("Idempotency-Key")).isEqualTo(FailoverBackend.idempotencyKey("job-test"))
                .startsWith("framegate-").doesNotContain("job-test");
        assertThat(create.getHeader("Content-Type")).startsWith("multipart/form-data");
        Map<String, Request.Part> parts = create.getParts().stream().collect(Collectors.toMap(Request.Part::getName, p -> p));
        assertThat(parts.get("prompt").getBody().asString()).isEqualTo("A calico cat playing a piano on stage");
        assertThat(parts.get("model").getBody().asString()).isEqualTo("sora-2");
        assertThat(parts.get("seconds").getBody().asString()).isEqualTo("8");
        assertThat(parts.get("size").getBody().asString()).isEqualTo("1280x720");
        Request.Part ref = parts.get("input_reference");
        assertThat(ref.getHeader("Content-Type").firstValue()).isEqualTo("image/png");
        assertThat(ref.getHeader("Content-Disposition").firstValue()).contains("filename=\"input_reference.png\"");
        try (Mat img = TestMedia.decode(ref.getBody().asBytes())) {
            assertThat(img.cols()).isEqualTo(1280);
            assertThat(img.rows()).isEqualTo(720);
        }
        assertThat(Files.readAllBytes(ctx.output(0).video())).isEqualTo(TestMedia.mp4());
        assertThat(Files.readString(ctx.output(0).thumbnail())).isEqualTo("thumbnail-bytes");
        assertThat(Files.readString(ctx.output(0).spritesheet())).isEqualTo("spritesheet-bytes");
        // first wait 2 s, then the upstream's openai-poll-after-ms of 5 s
        assertThat(ticker.sleptSeconds()).isEqualTo(7);
        assertThat(ctx.notes).containsEntry("provider", "openai").containsEntry("upstream_id", ID)
                .containsEntry("cost_usd", "0.8000");
        assertThat(ctx.notes.get("fit")).contains("crop 1000x1000 -> 1280x720");
    }

    /**
     * {@code fit: cover} (the engine's alias of crop) works on a cloud route: the upstream receives the image the
     * engine's one fitter makes, pixel for pixel; the crop follows the subject (a disc near the top, which a centre
     * cut would lose), and {@code pad} arrives with black bars.
     */
    @Test
    void theUpstreamReceivesTheImageFittedByTheEnginesFitterInTheRequestedMode() throws Exception {
        Routing r = openai("  sora-2: [{channel: agg, allow_retired: true}]");
        stubCreateAndPoll(video("completed", "null"));
        wm.stubFor(get(urlPathEqualTo("/v1/videos/" + ID + "/content")).willReturn(aResponse().withBody(TestMedia.mp4())));
        byte[] source = TestMedia.png(1000, 1000, 500, 110); // the subject near the top edge
        org.opencv.core.Mat decoded = ImageDecoder.decode(new InputImage(ImageRole.REFERENCE, source, "image/png", "s"));
        for (String fit : List.of("cover", "pad")) {
            wm.resetRequests();
            RenderPlan plan = plan(GenerationRequest.builder().model("sora-2").prompt("a disc").seconds(8).size("1280x720")
                    .image(ImageRole.REFERENCE, source, "image/png", "disc.png").fit(FitMode.parse(fit)).build());
            TestContext ctx = new TestContext(tmp.resolve(fit));
            r.backendFor(plan.model()).generate(plan, ctx);

            LoggedRequest create = wm.findAll(postRequestedFor(urlEqualTo("/v1/videos"))).get(0);
            byte[] sent = create.getParts().stream().filter(p -> p.getName().equals("input_reference")).findFirst()
                    .orElseThrow().getBody().asBytes();
            org.opencv.core.Mat got = ImageDecoder.decode(new InputImage(ImageRole.REFERENCE, sent, "image/png", "sent"));
            assertThat(got.cols()).isEqualTo(1280);
            assertThat(got.rows()).isEqualTo(720);
            org.opencv.core.Mat expected = ImageFitter.fit(decoded, 1280, 720, FitMode.parse(fit));
            assertThat(org.opencv.core.Core.norm(got, expected, org.opencv.core.Core.NORM_INF))
                    .as("%s: the engine's fit, pixel for pixel", fit).isZero();
            if (fit.equals("cover")) {
                // scaled 1.28x, the disc (radius 125 -> 160 px) sits at y ~ 141 from the top: the window starts at 0
                assertThat(ImageFitter.cropWindow(decoded, 1280, 720).y).isZero();
                assertThat(got.get(141, 640)[0]).as("the disc's centre is in the picture").isNotEqualTo(128.0);
                assertThat(ctx.notes.get("fit")).contains("crop 1000x1000 -> 1280x720");
            } else {
                assertThat(got.get(360, 10)).as("black bar").containsExactly(0, 0, 0);
                assertThat(got.get(360, 1270)).as("black bar").containsExactly(0, 0, 0);
                assertThat(ctx.notes.get("fit")).contains("pad 1000x1000 -> 1280x720");
            }
        }
    }

    @Test
    void upstreamWithoutPreviewVariantsGetsLocalPreviews() throws Exception {
        Routing r = openai("  sora-2: [{channel: agg, allow_retired: true}]");
        stubCreateAndPoll(video("completed", "null"));
        wm.stubFor(get(urlEqualTo("/v1/videos/" + ID + "/content?variant=video")).willReturn(aResponse().withBody(TestMedia.mp4())));
        wm.stubFor(get(urlMatching("/v1/videos/" + ID + "/content\\?variant=(thumbnail|spritesheet)"))
                .willReturn(aResponse().withStatus(404).withBody("{\"error\": {\"message\": \"no such variant\"}}")));
        RenderPlan plan = plan(soraRequest().build());
        TestContext ctx = new TestContext(tmp);
        r.backendFor(plan.model()).generate(plan, ctx);
        try (Mat thumb = TestMedia.decode(Files.readAllBytes(ctx.output(0).thumbnail()))) {
            assertThat(thumb.cols()).isEqualTo(64);
        }
    }

    @Test
    void moderationFailureIsContentFilteredAndOtherFailuresAreUpstreamFailed() throws Exception {
        Routing r = openai("  sora-2: [{channel: agg, allow_retired: true}]");
        stubCreateAndPoll(video("failed", "{\"code\": \"moderation_blocked\", \"message\": \"Your request was blocked by our moderation system.\"}"));
        RenderPlan plan = plan(soraRequest().build());
        assertThatThrownBy(() -> r.backendFor(plan.model()).generate(plan, new TestContext(tmp)))
                .isInstanceOf(GenerationException.class)
                .satisfies(e -> assertThat(((GenerationException) e).code()).isEqualTo("content_filtered"))
                .hasMessageContaining("blocked by our moderation system");

        wm.resetAll();
        stubCreateAndPoll(video("failed", "{\"code\": \"internal_error\", \"message\": \"Video generation failed\"}"));
        assertThatThrownBy(() -> r.backendFor(plan.model()).generate(plan, new TestContext(tmp.resolve("2"))))
                .isInstanceOf(GenerationException.class)
                .satisfies(e -> assertThat(((GenerationException) e).code()).isEqualTo("upstream_failed"))
                .hasMessageContaining("internal_error").hasMessageContaining("Video generation failed");
    }

    @Test
    void keyframesRequestRoutedToSoraFailsUpFrontNamingModelAndLastFrame() throws Exception {
        Routing r = openai("  veo-3.1-generate-001: [{channel: agg, model: sora-2, allow_retired: true}]");
        RenderPlan plan = plan(keyframes("veo-3.1-generate-001").seconds(8).build());
        assertThatThrownBy(() -> r.backendFor(plan.model()).generate(plan, new TestContext(tmp)))
                .isInstanceOf(ValidationException.class)
                .hasMessageContaining("sora-2").hasMessageContaining("last_frame");
        assertThatThrownBy(() -> r.preflight(plan)).isInstanceOf(ValidationException.class);
        assertThat(wm.getAllServeEvents()).isEmpty();
    }

    @Test
    void veoFirstFrameRequestOnSoraIsSentAsTheInputReference() throws Exception {
        Routing r = openai("  veo-3.1-generate-001: [{channel: agg, model: sora-2, allow_retired: true}]");
        stubCreateAndPoll(video("completed", "null"));
        for (String variant : List.of("video", "thumbnail", "spritesheet")) {
            wm.stubFor(get(urlEqualTo("/v1/videos/" + ID + "/content?variant=" + variant)).willReturn(aResponse().withBody(TestMedia.mp4())));
        }
        // Veo shape: aspect ratio + resolution, mapped to Sora's size
        RenderPlan plan = plan(GenerationRequest.builder().model("veo-3.1-generate-001").prompt("a lighthouse at dusk")
                .image(ImageRole.FIRST_FRAME, TestMedia.png(720, 1280, 360, 640), "image/png", "first.png")
                .aspectRatio("9:16").resolution("720p").seconds(4).build());
        TestContext ctx = new TestContext(tmp);
        r.backendFor(plan.model()).generate(plan, ctx);
        LoggedRequest create = wm.findAll(postRequestedFor(urlEqualTo("/v1/videos"))).get(0);
        Map<String, Request.Part> parts = create.getParts().stream().collect(Collectors.toMap(Request.Part::getName, p -> p));
        assertThat(parts.get("size").getBody().asString()).isEqualTo("720x1280");
        assertThat(parts).containsKey("input_reference");
        assertThat(new String(parts.get("seconds").getBody().asBytes(), StandardCharsets.UTF_8)).isEqualTo("4");
        assertThat(ctx.notes.get("translation")).contains("first_frame image sent as reference");
    }

    @Test
    void aGarbagePollHintIsClampedToPollMaxInsteadOfFailingTheJob() throws Exception {
        Routing r = openai("  sora-2: [{channel: agg, allow_retired: true}]");
        wm.stubFor(post(urlEqualTo("/v1/videos")).willReturn(okJson(video("queued", "null"))));
        wm.stubFor(get(urlEqualTo("/v1/videos/" + ID)).inScenario("v").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(okJson(video("in_progress", "null")).withHeader("openai-poll-after-ms", "3600000"))
                .willSetStateTo("end"));
        wm.stubFor(get(urlEqualTo("/v1/videos/" + ID)).inScenario("v").whenScenarioStateIs("end")
                .willReturn(okJson(video("completed", "null"))));
        wm.stubFor(get(urlMatching("/v1/videos/" + ID + "/content.*")).willReturn(aResponse().withBody(TestMedia.mp4())));
        RenderPlan plan = plan(soraRequest().build());
        TestContext ctx = new TestContext(tmp);
        ticker.sleeps.clear();

        r.backendFor(plan.model()).generate(plan, ctx);

        assertThat(ctx.output(0).video()).isNotEmptyFile();
        // 2 s first, then the hour-long hint cut to poll_max (8 s)
        assertThat(ticker.sleptSeconds()).isEqualTo(10);
    }

    @Test
    void aJobThatFinishesJustBeforeTheDeadlineIsPolledOnceMoreAndDelivered() throws Exception {
        Routing r = openai("  sora-2: [{channel: agg, allow_retired: true}]");
        wm.stubFor(post(urlEqualTo("/v1/videos")).willReturn(okJson(video("queued", "null"))));
        wm.stubFor(get(urlEqualTo("/v1/videos/" + ID)).willReturn(okJson(video("in_progress", "null"))));
        wm.stubFor(get(urlMatching("/v1/videos/" + ID + "/content.*")).willReturn(aResponse().withBody(TestMedia.mp4())));
        java.time.Instant deadline = ticker.now().plus(java.time.Duration.ofMinutes(10));
        // the upstream finishes 2.5 s before the job's deadline; polls 8 s apart would next look past it
        java.util.concurrent.atomic.AtomicBoolean finished = new java.util.concurrent.atomic.AtomicBoolean();
        ticker.onSleep = now -> {
            if (!finished.get() && !now.isBefore(deadline.minusMillis(2500))) {
                finished.set(true);
                wm.stubFor(get(urlEqualTo("/v1/videos/" + ID)).willReturn(okJson(video("completed", "null"))));
            }
        };
        RenderPlan plan = plan(soraRequest().build());
        TestContext ctx = new TestContext(tmp);

        r.backendFor(plan.model()).generate(plan, ctx);

        assertThat(ctx.output(0).video()).isNotEmptyFile();
        assertThat(ticker.now()).isBefore(deadline);
        assertThat(wm.findAll(deleteRequestedFor(urlPathMatching("/v1/videos/.*")))).isEmpty();
    }

    /**
     * limits.md: a wait that would pass the deadline is cut to end a tenth of the job's time (at most 2 s) before it,
     * for one last look; a job still running then fails {@code timeout} and is cancelled upstream. With a 10 s deadline
     * the last look is at 9 s: polls at 2, 4 (+2), 8 (+4), then the 8 s wait is cut to 1 s.
     */
    @Test
    void aJobStillRunningAtTheLastLookATenthOfItsTimeBeforeTheDeadlineFailsTimeoutAndIsCancelled() throws Exception {
        Files.writeString(tmp.resolve("agg.key"), KEY + "\n");
        Routing r = routing("""
                providers:
                  agg: {type: openai, base_url: %s/v1, api_key_file: agg.key}
                routes:
                  sora-2: [{channel: agg, allow_retired: true}]
                """.formatted(url()), Map.of(), TIMING.replace("deadline: 10m", "deadline: 10s"));
        wm.stubFor(post(urlEqualTo("/v1/videos")).willReturn(okJson(video("queued", "null"))));
        wm.stubFor(get(urlEqualTo("/v1/videos/" + ID)).willReturn(okJson(video("in_progress", "null"))));
        wm.stubFor(delete(urlEqualTo("/v1/videos/" + ID)).willReturn(okJson("{\"id\": \"" + ID + "\", \"deleted\": true}")));
        RenderPlan plan = plan(soraRequest().build());
        TestContext ctx = new TestContext(tmp);
        ticker.sleeps.clear();

        assertThatThrownBy(() -> r.backendFor(plan.model()).generate(plan, ctx))
                .isInstanceOf(GenerationException.class)
                .satisfies(e -> assertThat(((GenerationException) e).code()).isEqualTo("timeout"));

        assertThat(wm.findAll(getRequestedFor(urlEqualTo("/v1/videos/" + ID)))).hasSize(4);
        assertThat(ticker.sleeps.stream().mapToLong(java.time.Duration::toMillis).sum()).isEqualTo(9_000);
        assertThat(wm.findAll(deleteRequestedFor(urlEqualTo("/v1/videos/" + ID)))).hasSize(1);
    }

    /**
     * config.md, "Waiting costs nothing" and 6.: a job waiting on its upstream is polled one step at a time (the
     * server's poller), on the blocking loop's cadence: first after {@code poll_initial} (2 s), then growing by
     * {@code poll_factor} (2) up to {@code poll_max} (8 s); an {@code openai-poll-after-ms} hint is honoured up to
     * {@code poll_max}; a transient failure waits its {@code Retry-After}, or the interval without one, and is never
     * final. The upstream is asked nothing else: one create, no cancel.
     */
    @Test
    void aWaitingJobIsPolledOneStepAtATimeOnTheDocumentedCadence() throws Exception {
        Routing r = openai("  sora-2: [{channel: agg, allow_retired: true}]");
        wm.stubFor(post(urlEqualTo("/v1/videos")).willReturn(okJson(video("queued", "null"))));
        wm.stubFor(get(urlEqualTo("/v1/videos/" + ID)).willReturn(okJson(video("in_progress", "null"))));
        RenderPlan plan = plan(soraRequest().build());
        TestContext ctx = new TestContext(tmp);
        FailoverBackend route = (FailoverBackend) r.backendFor(plan.model());

        Checkpoint sent = route.submit(plan, ctx);
        assertThat(sent.handle()).isEqualTo(ID);
        assertThat(route.firstPollAfter(sent)).as("poll_initial").isEqualTo(seconds(2));
        PollStep step = route.poll(sent, ctx, null, 0);
        assertThat(step).isEqualTo(new PollStep.Wait(seconds(2), seconds(4), 1));
        step = route.poll(sent, ctx, seconds(4), 1);
        assertThat(step).as("x poll_factor").isEqualTo(new PollStep.Wait(seconds(4), seconds(8), 2));
        step = route.poll(sent, ctx, seconds(8), 2);
        assertThat(step).as("capped at poll_max").isEqualTo(new PollStep.Wait(seconds(8), seconds(8), 3));

        wm.stubFor(get(urlEqualTo("/v1/videos/" + ID)).willReturn(okJson(video("in_progress", "null"))
                .withHeader("openai-poll-after-ms", "5000")));
        assertThat(route.poll(sent, ctx, seconds(2), 3)).as("the hint").isEqualTo(new PollStep.Wait(seconds(5), seconds(4), 4));
        wm.stubFor(get(urlEqualTo("/v1/videos/" + ID)).willReturn(okJson(video("in_progress", "null"))
                .withHeader("openai-poll-after-ms", "3600000")));
        assertThat(route.poll(sent, ctx, seconds(2), 4)).as("a hint up to poll_max")
                .isEqualTo(new PollStep.Wait(seconds(8), seconds(4), 5));

        wm.stubFor(get(urlEqualTo("/v1/videos/" + ID)).willReturn(aResponse().withStatus(503).withHeader("Retry-After", "7")
                .withBody("{\"error\": {\"message\": \"busy\", \"type\": \"server_error\"}}")));
        assertThat(route.poll(sent, ctx, seconds(2), 5)).as("Retry-After of a transient failure")
                .isEqualTo(new PollStep.Wait(seconds(7), seconds(4), 5));
        wm.stubFor(get(urlEqualTo("/v1/videos/" + ID)).willReturn(aResponse().withStatus(500)
                .withBody("{\"error\": {\"message\": \"oops\", \"type\": \"server_error\"}}")));
        assertThat(route.poll(sent, ctx, seconds(2), 5)).as("the interval without one")
                .isEqualTo(new PollStep.Wait(seconds(2), seconds(4), 5));

        assertThat(wm.findAll(postRequestedFor(urlEqualTo("/v1/videos")))).hasSize(1);
        assertThat(wm.findAll(getRequestedFor(urlEqualTo("/v1/videos/" + ID)))).hasSize(7);
        assertThat(wm.findAll(deleteRequestedFor(urlPathMatching("/v1/videos/.*")))).isEmpty();
    }

    /**
     * An upstream whose job flips from completed back to in_progress and again: the poller finds it done, the worker
     * finds it running. Past the deadline that loop must end (timeout, cancelled upstream) instead of going round
     * for as long as the upstream keeps flipping.
     */
    @Test
    void aJobFlippingBetweenCompletedAndRunningEndsAtItsDeadline() throws Exception {
        Routing r = openai("  sora-2: [{channel: agg, allow_retired: true}]");
        wm.stubFor(post(urlEqualTo("/v1/videos")).willReturn(okJson(video("queued", "null"))));
        wm.stubFor(get(urlEqualTo("/v1/videos/" + ID)).inScenario("flip").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(okJson(video("completed", "null"))).willSetStateTo("running"));
        wm.stubFor(get(urlEqualTo("/v1/videos/" + ID)).inScenario("flip").whenScenarioStateIs("running")
                .willReturn(okJson(video("in_progress", "null"))).willSetStateTo(Scenario.STARTED));
        wm.stubFor(delete(urlEqualTo("/v1/videos/" + ID)).willReturn(okJson("{\"id\": \"" + ID + "\", \"deleted\": true}")));
        RenderPlan plan = plan(soraRequest().build());
        TestContext ctx = new TestContext(tmp);
        FailoverBackend route = (FailoverBackend) r.backendFor(plan.model());
        Checkpoint sent = route.submit(plan, ctx);
        java.time.Instant deadline = sent.submittedAt().plus(java.time.Duration.ofMinutes(10));
        GenerationException ended = null;
        for (int polls = 0; ended == null; ) {
            assertThat(ticker.now()).as("still going round a minute past the deadline").isBefore(deadline.plusSeconds(60));
            assertThat(route.poll(sent, ctx, seconds(2), polls)).isInstanceOf(PollStep.Ready.class);
            try {
                PollStep back = route.collect(plan, sent, ctx, ++polls);
                ticker.sleep(((PollStep.Wait) back).after().plusSeconds(1));
            } catch (GenerationException e) {
                ended = e;
            }
        }

        assertThat(ended.code()).isEqualTo("timeout");
        assertThat(ticker.now()).isAfter(deadline.minusSeconds(3));
        assertThat(wm.findAll(deleteRequestedFor(urlEqualTo("/v1/videos/" + ID)))).hasSize(1);
        assertThat(wm.findAll(postRequestedFor(urlEqualTo("/v1/videos")))).hasSize(1);
    }

    private static java.time.Duration seconds(long s) {
        return java.time.Duration.ofSeconds(s);
    }

    /**
     * config.md 6.: a job the upstream itself ended (failed, filtered, expired, its result gone) is not asked to
     * cancel; there is nothing left running there.
     */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"moderation", "failed", "expired", "content gone"})
    void aJobTheUpstreamEndedItselfIsNotAskedToCancel(String end) throws Exception {
        Routing r = openai("  sora-2: [{channel: agg, allow_retired: true}]");
        String finalJson = switch (end) {
            case "moderation" -> video("failed", "{\"code\": \"moderation_blocked\", \"message\": \"blocked\"}");
            case "failed" -> video("failed", "{\"code\": \"internal_error\", \"message\": \"Video generation failed\"}");
            case "expired" -> video("expired", "null");
            default -> video("completed", "null");
        };
        stubCreateAndPoll(finalJson);
        wm.stubFor(get(urlMatching("/v1/videos/" + ID + "/content.*")).willReturn(aResponse().withStatus(404)
                .withBody("{\"error\": {\"message\": \"gone\", \"type\": \"invalid_request_error\"}}")));
        wm.stubFor(delete(urlPathMatching("/v1/videos/.*")).willReturn(okJson("{\"id\": \"" + ID + "\", \"deleted\": true}")));
        RenderPlan plan = plan(soraRequest().build());
        TestContext ctx = new TestContext(tmp);

        assertThatThrownBy(() -> r.backendFor(plan.model()).generate(plan, ctx))
                .isInstanceOf(GenerationException.class)
                .satisfies(e -> assertThat(((GenerationException) e).code()).isEqualTo(switch (end) {
                    case "moderation" -> "content_filtered";
                    case "failed" -> "upstream_failed";
                    default -> "upstream_expired";
                }));
        assertThat(wm.findAll(deleteRequestedFor(urlPathMatching("/v1/videos/.*")))).isEmpty();
        assertThat(ctx.notes).doesNotContainKey("upstream_cancel");
    }

    /**
     * config.md, "No paid upstream call without the lease": the {@code submitting} checkpoint is written before the
     * submit; when that write fails (the server's write fails once the lease is lost, see
     * {@code JobNotesWritesTest#aCheckpointWithNotesOnALostLeaseThrowsAndWritesNeither}) nothing is sent.
     */
    @Test
    void aSubmitWhoseSubmittingCheckpointCannotBeWrittenIsNeverSent() throws Exception {
        Routing r = openai("  sora-2: [{channel: agg, allow_retired: true}]");
        stubCreateAndPoll(video("completed", "null"));
        RenderPlan plan = plan(soraRequest().build());
        TestContext ctx = new TestContext(tmp) {
            @Override
            public void saveCheckpoint(String state) {
                throw new IllegalStateException("the lease is lost");
            }
        };
        assertThatThrownBy(() -> r.backendFor(plan.model()).generate(plan, ctx)).hasMessageContaining("the lease is lost");
        assertThat(wm.getAllServeEvents()).as("no call at all").isEmpty();
    }

    /** The list as {@code GET /v1/videos?order=desc} answers it, with each job created at {@code createdAt} (unix s). */
    static String list(long createdAt, String... videos) {
        String data = String.join(", ", java.util.Arrays.stream(videos)
                .map(v -> v.replace("1758941485", String.valueOf(createdAt))).toList());
        return "{ \"object\": \"list\", \"data\": [" + data + "], \"first_id\": null, \"last_id\": null, \"has_more\": false }";
    }

    String submittingCheckpoint() {
        return Checkpoint.submitting("openai", "agg", "sora-2", ticker.now().minusSeconds(40),
                FailoverBackend.idempotencyKey("job-test")).toJson();
    }

    void stubDoneAndContent() throws Exception {
        wm.stubFor(get(urlEqualTo("/v1/videos/" + ID)).willReturn(okJson(video("completed", "null"))));
        wm.stubFor(get(urlMatching("/v1/videos/" + ID + "/content.*")).willReturn(aResponse().withBody(TestMedia.mp4())));
    }

    @Test
    void resumedSubmittingJobFoundInTheUpstreamListIsAdoptedAndNeverSubmittedAgain() throws Exception {
        Routing r = openai("  sora-2: [{channel: agg, allow_retired: true}]");
        long created = ticker.now().minusSeconds(38).getEpochSecond();
        // another job of the same model, at the same time, with another prompt: not ours
        String other = video("in_progress", "null").replace(ID, "video_other").replace("A calico cat playing a piano on stage", "a dog");
        wm.stubFor(get(urlPathEqualTo("/v1/videos")).willReturn(okJson(list(created, other, video("in_progress", "null")))));
        stubDoneAndContent();
        RenderPlan plan = plan(soraRequest().build());
        TestContext ctx = new TestContext(tmp, submittingCheckpoint());

        r.backendFor(plan.model()).generate(plan, ctx);

        assertThat(wm.findAll(postRequestedFor(urlEqualTo("/v1/videos")))).isEmpty();
        assertThat(wm.findAll(getRequestedFor(urlPathEqualTo("/v1/videos"))).get(0).queryParameter("order").firstValue())
                .isEqualTo("desc");
        assertThat(ctx.notes).containsEntry("upstream_id", ID).containsKey("reconciled").containsKey("cost_usd");
        assertThat(Checkpoint.parse(ctx.checkpoint).phase()).isEqualTo(Checkpoint.Phase.SUBMITTED);
        assertThat(Checkpoint.parse(ctx.checkpoint).handle()).isEqualTo(ID);
        assertThat(ctx.output(0).video()).isNotEmptyFile();
    }

    /**
     * Two keys send the same prompt through one channel: B's create was answered (B holds {@code ID}), A's was not.
     * A must not adopt B's video (nor cancel it later): it ends uncertain. With a second, free match A takes that one.
     */
    @Test
    void anUnclearSubmitNeverAdoptsAnUpstreamJobAnotherJobHolds() throws Exception {
        Routing r = openai("  sora-2: [{channel: agg, allow_retired: true}]");
        long created = ticker.now().minusSeconds(38).getEpochSecond();
        wm.stubFor(get(urlPathEqualTo("/v1/videos")).willReturn(okJson(list(created, video("in_progress", "null")))));
        stubDoneAndContent();
        wm.stubFor(delete(urlPathMatching("/v1/videos/.*")).willReturn(okJson("{}")));
        RenderPlan plan = plan(soraRequest().build());
        TestContext a = new TestContext(tmp, submittingCheckpoint());
        a.takenHandles.add(ID);

        assertThatThrownBy(() -> r.backendFor(plan.model()).generate(plan, a))
                .isInstanceOf(GenerationException.class)
                .satisfies(e -> assertThat(((GenerationException) e).code()).isEqualTo("upstream_submit_uncertain"));
        assertThat(a.notes).doesNotContainKey("upstream_id").doesNotContainKey("reconciled").containsKey("submit_uncertain");
        assertThat(wm.findAll(postRequestedFor(urlEqualTo("/v1/videos")))).isEmpty();
        assertThat(wm.findAll(getRequestedFor(urlEqualTo("/v1/videos/" + ID)))).as("B's job is not polled").isEmpty();
        assertThat(wm.findAll(deleteRequestedFor(urlPathMatching("/v1/videos/.*")))).as("nor cancelled").isEmpty();

        // the same listing with a second match nobody holds: that one is A's
        wm.resetAll();
        String mine = "video_mine0000000000000000000000000000000000000000000000";
        wm.stubFor(get(urlPathEqualTo("/v1/videos")).willReturn(okJson(list(created, video("in_progress", "null"),
                video("in_progress", "null").replace(ID, mine)))));
        wm.stubFor(get(urlEqualTo("/v1/videos/" + mine)).willReturn(okJson(video("completed", "null").replace(ID, mine))));
        wm.stubFor(get(urlMatching("/v1/videos/" + mine + "/content.*")).willReturn(aResponse().withBody(TestMedia.mp4())));
        TestContext again = new TestContext(tmp.resolve("again"), submittingCheckpoint());
        again.takenHandles.add(ID);
        r.backendFor(plan.model()).generate(plan, again);
        assertThat(again.notes).containsEntry("upstream_id", mine).containsKey("reconciled");
        assertThat(wm.findAll(getRequestedFor(urlEqualTo("/v1/videos/" + ID)))).isEmpty();
    }

    /**
     * Two jobs reconcile at the same moment and both find the one matching upstream job free: each records it, then
     * looks again; here the other job recorded it too, so this one does not keep it (it ends uncertain).
     */
    @Test
    void twoJobsAdoptingTheSameUpstreamJobAtOnceDoNotBothKeepIt() throws Exception {
        Routing r = openai("  sora-2: [{channel: agg, allow_retired: true}]");
        wm.stubFor(get(urlPathEqualTo("/v1/videos")).willReturn(okJson(list(ticker.now().minusSeconds(38).getEpochSecond(),
                video("in_progress", "null")))));
        stubDoneAndContent();
        RenderPlan plan = plan(soraRequest().build());
        TestContext a = new TestContext(tmp, submittingCheckpoint());
        // free while A looks; held by B as soon as A has recorded it (B recorded it at the same time)
        a.handleTaken = h -> a.checkpoints.stream().anyMatch(c -> c.contains(h));

        assertThatThrownBy(() -> r.backendFor(plan.model()).generate(plan, a))
                .isInstanceOf(GenerationException.class)
                .satisfies(e -> assertThat(((GenerationException) e).code()).isEqualTo("upstream_submit_uncertain"));
        assertThat(a.notes).doesNotContainKey("upstream_id");
        assertThat(Checkpoint.parse(a.checkpoint).phase()).isEqualTo(Checkpoint.Phase.SUBMITTING);
        assertThat(wm.findAll(getRequestedFor(urlEqualTo("/v1/videos/" + ID)))).isEmpty();
    }

    @Test
    void aListedJobWithoutAnInputReferenceIsNotAdoptedForAJobThatSentOne() throws Exception {
        Routing r = openai("  sora-2: [{channel: agg, allow_retired: true}]");
        long created = ticker.now().minusSeconds(38).getEpochSecond();
        String noReference = video("in_progress", "null").replace("\"error\":", "\"input_reference\": null, \"error\":");
        wm.stubFor(get(urlPathEqualTo("/v1/videos")).willReturn(okJson(list(created, noReference))));
        stubDoneAndContent();
        RenderPlan plan = plan(soraRequest().build());
        TestContext ctx = new TestContext(tmp, submittingCheckpoint());

        assertThatThrownBy(() -> r.backendFor(plan.model()).generate(plan, ctx))
                .isInstanceOf(GenerationException.class)
                .satisfies(e -> assertThat(((GenerationException) e).code()).isEqualTo("upstream_submit_uncertain"));
        assertThat(ctx.notes).doesNotContainKey("upstream_id");
    }

    @Test
    void aJobCreatedLongAfterTheSubmitCouldHaveAnsweredIsNotAdopted() throws Exception {
        Routing r = openai("  sora-2: [{channel: agg, allow_retired: true}]");
        // the submit was sent an hour ago (the process died and restarts now); the job was created a minute ago
        String sentAnHourAgo = Checkpoint.submitting("openai", "agg", "sora-2", ticker.now().minusSeconds(3600),
                FailoverBackend.idempotencyKey("job-test")).toJson();
        wm.stubFor(get(urlPathEqualTo("/v1/videos")).willReturn(okJson(list(ticker.now().minusSeconds(60).getEpochSecond(),
                video("in_progress", "null")))));
        stubDoneAndContent();
        RenderPlan plan = plan(soraRequest().build());
        TestContext ctx = new TestContext(tmp, sentAnHourAgo);

        assertThatThrownBy(() -> r.backendFor(plan.model()).generate(plan, ctx))
                .isInstanceOf(GenerationException.class)
                .satisfies(e -> assertThat(((GenerationException) e).code()).isEqualTo("upstream_submit_uncertain"));
        assertThat(ctx.notes).doesNotContainKey("upstream_id");
    }

    @Test
    void resumedSubmittingJobWithoutAMatchInTheListEndsUncertainWithoutSubmitting() throws Exception {
        Routing r = openai("  sora-2: [{channel: agg, allow_retired: true}]");
        // the same job, but created an hour before this submit: someone else's
        wm.stubFor(get(urlPathEqualTo("/v1/videos")).willReturn(okJson(list(ticker.now().minusSeconds(3600).getEpochSecond(),
                video("completed", "null")))));
        stubDoneAndContent();
        RenderPlan plan = plan(soraRequest().build());
        TestContext ctx = new TestContext(tmp, submittingCheckpoint());

        assertThatThrownBy(() -> r.backendFor(plan.model()).generate(plan, ctx))
                .isInstanceOf(GenerationException.class)
                .satisfies(e -> assertThat(((GenerationException) e).code()).isEqualTo("upstream_submit_uncertain"))
                .hasMessageContaining("no matching job");
        assertThat(wm.findAll(postRequestedFor(urlEqualTo("/v1/videos")))).isEmpty();
        assertThat(wm.findAll(getRequestedFor(urlPathEqualTo("/v1/videos")))).as("looked 3 times").hasSize(3);
        assertThat(ticker.sleptSeconds()).as("poll_initial (2 s) apart").isEqualTo(4);
        assertThat(ctx.notes).doesNotContainKey("cost_usd").containsKey("submit_uncertain");
        assertThat(ctx.output(0).video()).doesNotExist();
    }

    @Test
    void aCreateWhoseAnswerIsLostIsFoundInTheListInsteadOfBeingSentAgain() throws Exception {
        Routing r = routing("""
                providers:
                  agg: {type: openai, base_url: %s/v1, api_key_env: AGG}
                routes:
                  sora-2: [{channel: agg, allow_retired: true}]
                """.formatted(url()), Map.of("AGG", KEY), TIMING.replace("request_timeout: 5s", "request_timeout: 1s"));
        wm.stubFor(post(urlEqualTo("/v1/videos")).willReturn(okJson(video("queued", "null")).withFixedDelay(3000)));
        wm.stubFor(get(urlPathEqualTo("/v1/videos")).willReturn(okJson(list(ticker.now().getEpochSecond(), video("queued", "null")))));
        stubDoneAndContent();
        RenderPlan plan = plan(soraRequest().build());
        TestContext ctx = new TestContext(tmp);

        r.backendFor(plan.model()).generate(plan, ctx);

        assertThat(wm.findAll(postRequestedFor(urlEqualTo("/v1/videos")))).hasSize(1);
        assertThat(ctx.notes).containsEntry("upstream_id", ID).containsKey("reconciled");
        assertThat(ctx.notes.get("reconciled")).contains("timed out");
        assertThat(ctx.output(0).video()).isNotEmptyFile();
    }

    @Test
    void aRefusedCredentialEchoedInTheErrorBodyReachesNoNoteMessageOrLog() throws Exception {
        Routing r = openai("  sora-2: [{channel: agg, allow_retired: true}]");
        wm.stubFor(post(urlEqualTo("/v1/videos")).willReturn(aResponse().withStatus(401).withHeader("Content-Type", "application/json")
                .withBody("{\"error\": {\"message\": \"Incorrect API key provided: Bearer " + KEY + ". You can find your API key at ...\","
                        + " \"type\": \"invalid_request_error\", \"param\": null, \"code\": \"" + KEY + "\"}}")));
        RenderPlan plan = plan(soraRequest().build());
        TestContext ctx = new TestContext(tmp);
        Throwable thrown;
        try (CapturedLog log = new CapturedLog()) {
            thrown = org.assertj.core.api.Assertions.catchThrowable(() -> r.backendFor(plan.model()).generate(plan, ctx));
            assertThat(log.text()).contains("refused the credential").doesNotContain(KEY);
        }
        assertThat(thrown).isInstanceOf(GenerationException.class)
                .hasMessageContaining("the upstream refused the credential (HTTP 401 invalid_request_error)");
        for (Throwable t = thrown; t != null; t = t.getCause()) assertThat(String.valueOf(t.getMessage())).doesNotContain(KEY);
        assertThat(ctx.notes.values()).noneMatch(v -> v.contains(KEY)).anyMatch(v -> v.contains("HTTP 401"));
    }

    /**
     * A key that matches no credential pattern (letters only, as some providers issue) echoed back by the upstream,
     * as an error code, in an error message and in a failed job's text: the configured value itself is redacted.
     */
    @Test
    void aConfiguredKeyOfLettersOnlyEchoedByTheUpstreamReachesNoNoteMessageOrLog() throws Exception {
        String key = "abcdefghijklmnopqrstuvwx";
        Routing r = routing("""
                providers:
                  agg: {type: openai, base_url: %s/v1, api_key_env: AGG}
                routes:
                  sora-2: [{channel: agg, allow_retired: true}]
                """.formatted(url()), Map.of("AGG", key));
        wm.stubFor(post(urlEqualTo("/v1/videos")).willReturn(aResponse().withStatus(401).withHeader("Content-Type", "application/json")
                .withBody("{\"error\": {\"message\": \"Incorrect API key provided: " + key + "\","
                        + " \"type\": \"invalid_request_error\", \"param\": null, \"code\": \"" + key + "\"}}")));
        RenderPlan plan = plan(soraRequest().build());
        TestContext ctx = new TestContext(tmp);
        Throwable thrown;
        try (CapturedLog log = new CapturedLog()) {
            thrown = org.assertj.core.api.Assertions.catchThrowable(() -> r.backendFor(plan.model()).generate(plan, ctx));
            assertThat(log.text()).contains("refused the credential").doesNotContain(key);
        }
        assertThat(thrown).isInstanceOf(GenerationException.class).hasMessageContaining("HTTP 401");
        for (Throwable t = thrown; t != null; t = t.getCause()) assertThat(String.valueOf(t.getMessage())).doesNotContain(key);
        assertThat(ctx.notes.values()).noneMatch(v -> v.contains(key));

        wm.resetAll();
        stubCreateAndPoll(video("failed", "{\"code\": \"" + key + "\", \"message\": \"the key " + key
                + " may not use this model\"}"));
        TestContext failed = new TestContext(tmp.resolve("2"));
        Throwable ended = org.assertj.core.api.Assertions.catchThrowable(() -> r.backendFor(plan.model()).generate(plan, failed));
        assertThat(ended).isInstanceOf(GenerationException.class).hasMessageContaining("may not use this model");
        for (Throwable t = ended; t != null; t = t.getCause()) assertThat(String.valueOf(t.getMessage())).doesNotContain(key);
        assertThat(failed.notes.values()).noneMatch(v -> v.contains(key));
    }

    @Test
    void aTricklingDownloadThroughTheSdkIsCutAtTheDeadlineAndTheFinishedVideoKeptUpstream() throws Exception {
        Routing r = routing("""
                providers:
                  agg: {type: openai, base_url: %s/v1, api_key_env: AGG}
                routes:
                  sora-2: [{channel: agg, allow_retired: true}]
                """.formatted(url()), Map.of("AGG", KEY), SHORT_DEADLINE, Ticker.SYSTEM);
        wm.stubFor(post(urlEqualTo("/v1/videos")).willReturn(okJson(video("queued", "null"))));
        wm.stubFor(get(urlEqualTo("/v1/videos/" + ID)).willReturn(okJson(video("completed", "null"))));
        wm.stubFor(get(urlMatching("/v1/videos/" + ID + "/content.*"))
                .willReturn(aResponse().withBody(TestMedia.mp4()).withChunkedDribbleDelay(40, 30_000)));
        wm.stubFor(delete(urlEqualTo("/v1/videos/" + ID))
                .willReturn(okJson("{\"id\": \"" + ID + "\", \"object\": \"video.deleted\", \"deleted\": true}")));
        RenderPlan plan = plan(soraRequest().build());
        TestContext ctx = new TestContext(tmp);

        long start = System.nanoTime();
        assertThatThrownBy(() -> r.backendFor(plan.model()).generate(plan, ctx))
                .isInstanceOf(GenerationException.class)
                .satisfies(e -> assertThat(((GenerationException) e).code()).isEqualTo("timeout"));
        long ms = (System.nanoTime() - start) / 1_000_000;

        assertThat(ms).as("deadline 2 s; the body would take 30 s").isLessThan(3_500);
        // finished (and billed) upstream: deleting it would leave nothing to fetch by hand
        assertThat(wm.findAll(deleteRequestedFor(urlEqualTo("/v1/videos/" + ID)))).isEmpty();
        assertThat(ctx.notes).doesNotContainKey("upstream_cancel");
        assertThat(ctx.notes.get("upstream_kept")).contains(ID).contains("agg");
        assertThat(ctx.output(0).video()).doesNotExist();
    }

    @Test
    void aCreateAnsweredWithoutAnIdOrWithA502IsNotSentAgainAndEndsUncertainWhenTheListHasNoMatch() throws Exception {
        Routing r = openai("  sora-2: [{channel: agg, allow_retired: true}]");
        wm.stubFor(get(urlPathEqualTo("/v1/videos")).willReturn(okJson(list(ticker.now().getEpochSecond()))));
        RenderPlan plan = plan(soraRequest().build());
        for (var answer : List.of(okJson("{\"object\": \"video\", \"status\": \"queued\"}"),
                aResponse().withStatus(502).withBody("<html>bad gateway</html>"))) {
            wm.resetRequests();
            wm.stubFor(post(urlEqualTo("/v1/videos")).willReturn(answer));
            TestContext ctx = new TestContext(tmp);
            assertThatThrownBy(() -> r.backendFor(plan.model()).generate(plan, ctx))
                    .isInstanceOf(GenerationException.class)
                    .satisfies(e -> assertThat(((GenerationException) e).code()).isEqualTo("upstream_submit_uncertain"));
            assertThat(wm.findAll(postRequestedFor(urlEqualTo("/v1/videos")))).hasSize(1);
            assertThat(ctx.notes).doesNotContainKey("cost_usd").containsKey("submit_uncertain");
        }
    }
}
