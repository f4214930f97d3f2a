package io.framegate.provider;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.framegate.domain.GenerationException;
import io.framegate.domain.GenerationRequest;
import io.framegate.domain.ImageRole;
import io.framegate.domain.RenderPlan;
import io.framegate.domain.ValidationException;
import io.framegate.provider.runway.RunwayUpstream;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.time.Duration;
import java.util.Base64;

import static com.github.tomakehurst.wiremock.client.WireMock.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Runway's API at the wire, against the task JSON of its API reference (providers-2.md section 4). */
class RunwayWireTest extends HostedWireTest {
    static final String KEY = "key_" + "0123456789abcdef".repeat(8);
    static final String ID = "17f20503-6c24-4c16-946b-35dbbce2af2f";

    RunwayUpstream runway() {
        return new RunwayUpstream(url(), new Secret(KEY, "test key"), CALL);
    }

    static String task(String status, String extra) {
        return "{\"id\":\"" + ID + "\",\"status\":\"" + status + "\",\"createdAt\":\"2026-11-24T10:00:00.000Z\"" + extra + "}";
    }

    String succeeded() {
        return task("SUCCEEDED", ",\"output\":[\"" + url() + "/cdn/runway/out.mp4?_jwt=eyJhbGciOiJIUzI1NiJ9.e30.sig\"]");
    }

    void stubStatuses(String last) {
        wm.stubFor(post(urlEqualTo("/v1/image_to_video")).willReturn(okJson("{\"id\":\"" + ID + "\"}")));
        String[][] steps = {{Scenario.STARTED, task("PENDING", ""), "throttled"}, {"throttled", task("THROTTLED", ""), "running"},
                {"running", task("RUNNING", ",\"progress\":0.42"), "end"}};
        for (String[] s : steps) {
            wm.stubFor(get(urlEqualTo("/v1/tasks/" + ID)).inScenario("t").whenScenarioStateIs(s[0])
                    .willReturn(okJson(s[1])).willSetStateTo(s[2]));
        }
        wm.stubFor(get(urlEqualTo("/v1/tasks/" + ID)).inScenario("t").whenScenarioStateIs("end").willReturn(okJson(last)));
    }

    @Test
    void submitSendsPromptImageWithFirstAndLastPositionsAndTheVersionHeader() throws Exception {
        wm.stubFor(post(urlEqualTo("/v1/image_to_video")).willReturn(okJson("{\"id\":\"" + ID + "\"}")));
        RunwayUpstream up = runway();
        // the last frame listed first: positions, not order, say which is which
        RenderPlan plan = hostedPlan(GenerationRequest.builder().model("veo3.1").prompt("a slow push through the valley")
                .image(ImageRole.LAST_FRAME, TestMedia.png(1280, 720, 300, 300), "image/png", "last.png")
                .image(ImageRole.FIRST_FRAME, TestMedia.png(1280, 720, 640, 360), "image/png", "first.png")
                .negativePrompt("text overlays").audio(false).build());
        UpstreamJob job = job(plan, up);

        assertThat(up.submit(job, "k", CALL)).isEqualTo(ID);

        LoggedRequest req = wm.findAll(postRequestedFor(urlEqualTo("/v1/image_to_video"))).get(0);
        assertThat(req.getHeader("Authorization")).isEqualTo("Bearer " + KEY);
        assertThat(req.getHeader("X-Runway-Version")).isEqualTo("2024-11-06");
        assertThat(req.getHeader("Content-Type")).startsWith("application/json");
        String first = "data:image/png;base64," + Base64.getEncoder().encodeToString(job.imagesWith(ImageRole.FIRST_FRAME).get(0).bytes());
        String last = "data:image/png;base64," + Base64.getEncoder().encodeToString(job.imagesWith(ImageRole.LAST_FRAME).get(0).bytes());
        assertThat(body(req)).isEqualTo(Http.JSON.readTree("""
                {"model":"veo3.1","promptImage":[{"uri":"%s","position":"first"},{"uri":"%s","position":"last"}],
                 "promptText":"a slow push through the valley","ratio":"1280:720","duration":8,"audio":false,
                 "negativePrompt":"text overlays"}
                """.formatted(first, last)));
    }

    @Test
    void aJobPollsThroughPendingThrottledRunningThenDownloadsTheOutputWithoutTheKey() throws Exception {
        stubStatuses(succeeded());
        wm.stubFor(get(urlPathEqualTo("/cdn/runway/out.mp4")).willReturn(aResponse().withBody(TestMedia.mp4())));
        RenderPlan plan = hostedPlan(firstAndLast("veo3.1").seconds(4).build());
        TestContext ctx = new TestContext(tmp);

        backend(runway(), "veo3.1").generate(plan, ctx);

        assertThat(Files.readAllBytes(ctx.output(0).video())).isEqualTo(TestMedia.mp4());
        wm.verify(4, getRequestedFor(urlEqualTo("/v1/tasks/" + ID)));
        wm.verify(getRequestedFor(urlEqualTo("/v1/tasks/" + ID)).withHeader("X-Runway-Version", equalTo("2024-11-06")));
        assertThat(wm.findAll(getRequestedFor(urlPathEqualTo("/cdn/runway/out.mp4"))).get(0).containsHeader("Authorization")).isFalse();
        // 4 s at 0.40 per second (Veo 3.1 with audio, the dearer figure)
        assertThat(ctx.notes).containsEntry("provider", "runway").containsEntry("upstream_id", ID)
                .containsEntry("polls", "4").containsEntry("cost_usd", "1.6000");
    }

    @Test
    void aSafetyFailureCodeIsContentFilteredAndOtherFailuresAreUpstreamFailed() throws Exception {
        stubStatuses(task("FAILED", ",\"failure\":\"The input image was flagged by content moderation.\",\"failureCode\":\"SAFETY.INPUT.IMAGE\""));
        RenderPlan plan = hostedPlan(firstAndLast("veo3.1").build());
        assertThatThrownBy(() -> backend(runway(), "veo3.1").generate(plan, new TestContext(tmp)))
                .isInstanceOfSatisfying(GenerationException.class, e -> assertThat(e.code()).isEqualTo("content_filtered"))
                .hasMessageContaining("flagged by content moderation").hasMessageContaining("SAFETY.INPUT.IMAGE");

        wm.resetAll();
        stubStatuses(task("FAILED", ",\"failure\":\"Text was rejected\",\"failureCode\":\"INPUT_PREPROCESSING.SAFETY.TEXT\""));
        assertThatThrownBy(() -> backend(runway(), "veo3.1").generate(plan, new TestContext(tmp.resolve("2"))))
                .isInstanceOfSatisfying(GenerationException.class, e -> assertThat(e.code()).isEqualTo("content_filtered"));

        wm.resetAll();
        stubStatuses(task("FAILED", ",\"failure\":\"The asset could not be read.\",\"failureCode\":\"ASSET.INVALID\""));
        assertThatThrownBy(() -> backend(runway(), "veo3.1").generate(plan, new TestContext(tmp.resolve("3"))))
                .isInstanceOfSatisfying(GenerationException.class, e -> assertThat(e.code()).isEqualTo("upstream_failed"))
                .hasMessageContaining("could not be read");
    }

    @Test
    void cancelDeletesTheTaskAndAJobCancelledByTheClientIsCancelledUpstream() throws Exception {
        wm.stubFor(delete(urlEqualTo("/v1/tasks/" + ID)).willReturn(aResponse().withStatus(204)));
        assertThat(runway().cancel(ID, CALL)).isTrue();
        wm.verify(1, deleteRequestedFor(urlEqualTo("/v1/tasks/" + ID)).withHeader("Authorization", equalTo("Bearer " + KEY))
                .withHeader("X-Runway-Version", equalTo("2024-11-06")));

        // a client cancel while the task runs: the job stops and Runway is asked to stop it
        wm.resetAll();
        wm.stubFor(post(urlEqualTo("/v1/image_to_video")).willReturn(okJson("{\"id\":\"" + ID + "\"}")));
        wm.stubFor(get(urlEqualTo("/v1/tasks/" + ID)).willReturn(okJson(task("RUNNING", ",\"progress\":0.1"))));
        wm.stubFor(delete(urlEqualTo("/v1/tasks/" + ID)).willReturn(aResponse().withStatus(204)));
        TestContext ctx = new TestContext(tmp);
        ticker.onSleep = now -> {
            if (wm.findAll(getRequestedFor(urlEqualTo("/v1/tasks/" + ID))).size() >= 2) ctx.cancelled.set(true);
        };
        RenderPlan plan = hostedPlan(firstAndLast("veo3.1").build());
        assertThatThrownBy(() -> backend(runway(), "veo3.1").generate(plan, ctx))
                .isInstanceOfSatisfying(GenerationException.class, e -> assertThat(e.code()).isEqualTo("cancelled"));
        wm.verify(1, deleteRequestedFor(urlEqualTo("/v1/tasks/" + ID)));
        assertThat(ctx.notes).containsKey("upstream_cancel");
    }

    @Test
    void a429WithRetryAfterIsAProvableRefusalAnd5xxOtherThan503IsAmbiguous() throws Exception {
        RunwayUpstream up = runway();
        UpstreamJob job = job(hostedPlan(firstAndLast("veo3.1").build()), up);
        wm.stubFor(post(urlEqualTo("/v1/image_to_video")).willReturn(aResponse().withStatus(429).withHeader("Retry-After", "12")
                .withBody("{\"error\":\"You have exceeded the rate limit.\"}")));
        assertThatThrownBy(() -> up.submit(job, "k", CALL)).isInstanceOfSatisfying(UpstreamException.class, e -> {
            assertThat(e.kind()).isEqualTo(UpstreamException.Kind.RATE_LIMITED);
            assertThat(e.retryAfter()).isEqualTo(Duration.ofSeconds(12));
            assertThat(e.refusedBeforeAcceptance()).isTrue();
            assertThat(e.getMessage()).doesNotContain("exceeded the rate limit");
        });
        // Runway's error table calls 502/503/504 load shedding, "may retry"; only 503 is taken as a provable refusal
        for (int status : new int[]{500, 502, 504, 503}) {
            wm.resetAll();
            wm.stubFor(post(urlEqualTo("/v1/image_to_video")).willReturn(aResponse().withStatus(status)));
            assertThatThrownBy(() -> up.submit(job, "k", CALL)).isInstanceOfSatisfying(UpstreamException.class,
                    e -> assertThat(e.refusedBeforeAcceptance()).as("HTTP %d", status).isEqualTo(status == 503));
        }
        // a 400 naming the field is the request's own fault: final, not the channel's
        wm.resetAll();
        wm.stubFor(post(urlEqualTo("/v1/image_to_video")).willReturn(aResponse().withStatus(400)
                .withBody("{\"error\":\"promptImage: Invalid data URI.\"}")));
        assertThatThrownBy(() -> up.submit(job, "k", CALL)).isInstanceOfSatisfying(UpstreamException.class, e -> {
            assertThat(e.requestRejected()).isTrue();
            assertThat(e.refusedBeforeAcceptance()).isFalse();
        });
    }

    @Test
    void aLastFrameAloneOrOnAFirstFrameOnlyModelIsRefusedBeforeAnyCall() {
        assertThatThrownBy(() -> hostedPlan(GenerationRequest.builder().model("veo3.1").prompt("p")
                .image(ImageRole.LAST_FRAME, TestMedia.png(1280, 720, 300, 300), "image/png", "last.png").build()))
                .isInstanceOf(ValidationException.class).hasMessageContaining("last frame without a first frame");
        assertThatThrownBy(() -> hostedPlan(firstAndLast("gen4_turbo").build()))
                .isInstanceOf(ValidationException.class).hasMessageContaining("last_frame");
        assertThat(wm.getAllServeEvents()).isEmpty();
    }

    @Test
    void gen4TurboSendsItsSeedAndNoAudioField() throws Exception {
        wm.stubFor(post(urlEqualTo("/v1/image_to_video")).willReturn(okJson("{\"id\":\"" + ID + "\"}")));
        RunwayUpstream up = runway();
        RenderPlan plan = hostedPlan(GenerationRequest.builder().model("gen4_turbo").prompt("p").seed(42L).size("960x960")
                .image(ImageRole.FIRST_FRAME, TestMedia.png(800, 800, 400, 400), "image/png", "f.png").build());
        up.submit(job(plan, up), "k", CALL);
        JsonNode body = body(wm.findAll(postRequestedFor(urlEqualTo("/v1/image_to_video"))).get(0));
        assertThat(body.path("seed").asLong()).isEqualTo(42);
        assertThat(body.path("ratio").asText()).isEqualTo("960:960");
        assertThat(body.path("duration").asInt()).isEqualTo(5);
        assertThat(body.has("audio")).isFalse();
        assertThat(body.path("promptImage")).hasSize(1);
        assertThat(body.path("promptImage").get(0).path("position").asText()).isEqualTo("first");
    }

    @Test
    void aRunwayChannelFromFramegateYamlServesItsRoute() throws Exception {
        Routing r = routing("""
                providers:
                  runway: {type: runway, base_url: %s, api_key_env: RUNWAYML_API_SECRET}
                routes:
                  veo3.1: [runway]
                """.formatted(url()), java.util.Map.of("RUNWAYML_API_SECRET", KEY));
        stubStatuses(succeeded());
        wm.stubFor(get(urlPathEqualTo("/cdn/runway/out.mp4")).willReturn(aResponse().withBody(TestMedia.mp4())));
        RenderPlan plan = plan(firstAndLast("runway-veo3.1").build());
        TestContext ctx = new TestContext(tmp);
        r.backendFor(plan.model()).generate(plan, ctx);
        assertThat(ctx.output(0).video()).isNotEmptyFile();
        assertThat(ctx.notes).containsEntry("provider", "runway").containsEntry("upstream_model", "veo3.1");
        wm.verify(postRequestedFor(urlEqualTo("/v1/image_to_video")).withHeader("Authorization", equalTo("Bearer " + KEY)));
    }
}
