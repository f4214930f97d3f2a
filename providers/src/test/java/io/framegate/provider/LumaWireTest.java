package io.framegate.provider;

import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.framegate.domain.GenerationException;
import io.framegate.domain.ImageRole;
import io.framegate.domain.RenderPlan;
import io.framegate.domain.ValidationException;
import io.framegate.provider.luma.LumaUpstream;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.time.Duration;
import java.util.Base64;

import static com.github.tomakehurst.wiremock.client.WireMock.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Luma's Agents API (ray-3.2) and Dream Machine API (ray-2) at the wire (providers-2.md section 5 and Luma's docs). */
class LumaWireTest extends HostedWireTest {
    static final String KEY = "luma-api-test-5d1c";
    static final String ID = "4b0a6f6e-1f8c-4b8e-9a52-7d2e3c1b9f00";

    LumaUpstream luma() {
        return new LumaUpstream(url(), new Secret(KEY, "test key"), CALL);
    }

    static String agents(String state, String extra) {
        return "{\"id\":\"" + ID + "\",\"created_at\":\"2026-11-24T10:00:00Z\",\"model\":\"ray-3.2\",\"state\":\"" + state
                + "\",\"type\":\"video\"" + extra + "}";
    }

    static String legacy(String state, String extra) {
        return "{\"id\":\"" + ID + "\",\"generation_type\":\"video\",\"state\":\"" + state + "\",\"created_at\":\"2026-11-24T10:00:00.000Z\","
                + "\"model\":\"ray-2\",\"request\":{\"prompt\":\"a slow push through the valley\"}" + extra + "}";
    }

    void stubAgents(String last) {
        wm.stubFor(post(urlEqualTo("/generations")).willReturn(okJson(agents("queued", ""))));
        wm.stubFor(get(urlEqualTo("/generations/" + ID)).inScenario("a").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(okJson(agents("queued", ""))).willSetStateTo("processing"));
        wm.stubFor(get(urlEqualTo("/generations/" + ID)).inScenario("a").whenScenarioStateIs("processing")
                .willReturn(okJson(agents("processing", ""))).willSetStateTo("end"));
        wm.stubFor(get(urlEqualTo("/generations/" + ID)).inScenario("a").whenScenarioStateIs("end").willReturn(okJson(last)));
    }

    @Test
    void ray32SendsStartAndEndFrameInlineAsBase64WithTheirMediaType() throws Exception {
        wm.stubFor(post(urlEqualTo("/generations")).willReturn(okJson(agents("queued", ""))));
        LumaUpstream up = luma();
        RenderPlan plan = hostedPlan(firstAndLast("ray-3.2").build());
        UpstreamJob job = job(plan, up);
        assertThat(up.refuse(job)).isNull();

        assertThat(up.submit(job, "k", CALL)).isEqualTo("agents/" + ID);

        LoggedRequest req = wm.findAll(postRequestedFor(urlEqualTo("/generations"))).get(0);
        assertThat(req.getHeader("Authorization")).isEqualTo("Bearer " + KEY);
        String first = Base64.getEncoder().encodeToString(job.imagesWith(ImageRole.FIRST_FRAME).get(0).bytes());
        String last = Base64.getEncoder().encodeToString(job.imagesWith(ImageRole.LAST_FRAME).get(0).bytes());
        assertThat(body(req)).isEqualTo(Http.JSON.readTree("""
                {"model":"ray-3.2","type":"video","prompt":"a slow push through the valley","aspect_ratio":"16:9",
                 "video":{"resolution":"720p","duration":"5s","start_frame":{"data":"%s","media_type":"image/png"},
                          "end_frame":{"data":"%s","media_type":"image/png"}}}
                """.formatted(first, last)));
    }

    @Test
    void aRay32JobPollsThroughQueuedAndProcessingThenDownloadsItsPresignedOutput() throws Exception {
        stubAgents(agents("completed", ",\"output\":[{\"type\":\"video\",\"url\":\"" + url() + "/presigned/out.mp4?X-Amz-Signature=abc\"}]"));
        wm.stubFor(get(urlPathEqualTo("/presigned/out.mp4")).willReturn(aResponse().withBody(TestMedia.mp4())));
        RenderPlan plan = hostedPlan(firstAndLast("ray-3.2").build());
        TestContext ctx = new TestContext(tmp);

        backend(luma(), "ray-3.2").generate(plan, ctx);

        assertThat(Files.readAllBytes(ctx.output(0).video())).isEqualTo(TestMedia.mp4());
        wm.verify(3, getRequestedFor(urlEqualTo("/generations/" + ID)));
        assertThat(wm.findAll(getRequestedFor(urlPathEqualTo("/presigned/out.mp4"))).get(0).containsHeader("Authorization")).isFalse();
        assertThat(ctx.notes).containsEntry("provider", "luma").containsEntry("upstream_id", "agents/" + ID)
                .doesNotContainKey("cost_usd");
    }

    @Test
    void contentModeratedIsContentFilteredAndOtherFailureCodesAreUpstreamFailed() throws Exception {
        stubAgents(agents("failed", ",\"failure_code\":\"content_moderated\",\"failure_reason\":\"The prompt or image was moderated\""));
        RenderPlan plan = hostedPlan(firstAndLast("ray-3.2").build());
        assertThatThrownBy(() -> backend(luma(), "ray-3.2").generate(plan, new TestContext(tmp)))
                .isInstanceOfSatisfying(GenerationException.class, e -> assertThat(e.code()).isEqualTo("content_filtered"))
                .hasMessageContaining("moderated");

        wm.resetAll();
        stubAgents(agents("failed", ",\"failure_code\":\"generation_failed\",\"failure_reason\":\"Generation failed\""));
        assertThatThrownBy(() -> backend(luma(), "ray-3.2").generate(plan, new TestContext(tmp.resolve("2"))))
                .isInstanceOfSatisfying(GenerationException.class, e -> assertThat(e.code()).isEqualTo("upstream_failed"))
                .hasMessageContaining("generation_failed");
    }

    @Test
    void ray2WithFramesIsRefusedWithoutSignedInputUrlsBeforeAnyCall() throws Exception {
        LumaUpstream up = luma();
        RenderPlan plan = hostedPlan(firstAndLast("ray-2").build());
        assertThat(up.refuse(job(plan, up))).contains("only from URLs").contains("public base URL");
        assertThatThrownBy(() -> backend(up, "ray-2").generate(plan, new TestContext(tmp)))
                .isInstanceOf(ValidationException.class).hasMessageContaining("ray-2");
        assertThat(wm.getAllServeEvents()).isEmpty();
    }

    @Test
    void ray2SendsKeyframesFrame0AndFrame1AsImageUrlsAndPollsDreamingThenCompleted() throws Exception {
        LumaUpstream up = luma();
        InputUrls urls = (jobId, name, img, until) -> "https://framegate.example.com/i/" + img.role().wireName() + "?sig=s1";
        wm.stubFor(post(urlEqualTo("/generations")).willReturn(okJson(legacy("queued", ",\"assets\":null,\"failure_reason\":null"))));
        wm.stubFor(get(urlEqualTo("/generations/" + ID)).inScenario("l").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(okJson(legacy("dreaming", ",\"assets\":null"))).willSetStateTo("end"));
        wm.stubFor(get(urlEqualTo("/generations/" + ID)).inScenario("l").whenScenarioStateIs("end")
                .willReturn(okJson(legacy("completed", ",\"assets\":{\"video\":\"" + url() + "/dm/out.mp4\",\"image\":\"" + url() + "/dm/t.jpg\"}"))));
        wm.stubFor(get(urlEqualTo("/dm/out.mp4")).willReturn(aResponse().withBody(TestMedia.mp4())));
        RenderPlan plan = hostedPlan(firstAndLast("ray-2").seconds(9).build());
        TestContext ctx = new TestContext(tmp);

        backend(up, "ray-2", urls).generate(plan, ctx);

        assertThat(body(wm.findAll(postRequestedFor(urlEqualTo("/generations"))).get(0))).isEqualTo(Http.JSON.readTree("""
                {"model":"ray-2","prompt":"a slow push through the valley","aspect_ratio":"16:9","resolution":"720p","duration":"9s",
                 "keyframes":{"frame0":{"type":"image","url":"https://framegate.example.com/i/first_frame?sig=s1"},
                              "frame1":{"type":"image","url":"https://framegate.example.com/i/last_frame?sig=s1"}}}
                """));
        assertThat(Files.readAllBytes(ctx.output(0).video())).isEqualTo(TestMedia.mp4());
        assertThat(ctx.notes).containsEntry("upstream_id", "dream-machine/" + ID);
    }

    @Test
    void dreamMachineCancelDeletesTheGenerationAndTheAgentsApiHasNone() throws Exception {
        wm.stubFor(delete(urlEqualTo("/generations/" + ID)).willReturn(aResponse().withStatus(204)));
        assertThat(luma().cancel("agents/" + ID, CALL)).isFalse();
        assertThat(wm.getAllServeEvents()).isEmpty();
        assertThat(luma().cancel("dream-machine/" + ID, CALL)).isTrue();
        wm.verify(1, deleteRequestedFor(urlEqualTo("/generations/" + ID)).withHeader("Authorization", equalTo("Bearer " + KEY)));
    }

    @Test
    void a429WithRetryAfterIsAProvableRefusalAnd5xxOtherThan503IsAmbiguous() throws Exception {
        LumaUpstream up = luma();
        UpstreamJob job = job(hostedPlan(firstAndLast("ray-3.2").build()), up);
        wm.stubFor(post(urlEqualTo("/generations")).willReturn(aResponse().withStatus(429).withHeader("Retry-After", "30")
                .withBody("{\"detail\":\"Too many requests\"}")));
        assertThatThrownBy(() -> up.submit(job, "k", CALL)).isInstanceOfSatisfying(UpstreamException.class, e -> {
            assertThat(e.kind()).isEqualTo(UpstreamException.Kind.RATE_LIMITED);
            assertThat(e.retryAfter()).isEqualTo(Duration.ofSeconds(30));
            assertThat(e.refusedBeforeAcceptance()).isTrue();
        });
        for (int status : new int[]{500, 502, 504, 503}) {
            wm.resetAll();
            wm.stubFor(post(urlEqualTo("/generations")).willReturn(aResponse().withStatus(status)));
            assertThatThrownBy(() -> up.submit(job, "k", CALL)).isInstanceOfSatisfying(UpstreamException.class,
                    e -> assertThat(e.refusedBeforeAcceptance()).as("HTTP %d", status).isEqualTo(status == 503));
        }
    }

    @Test
    void anAnchoredRay32JobOf10SecondsIsRefusedBeforeAnyCall() {
        assertThatThrownBy(() -> hostedPlan(firstAndLast("ray-3.2").seconds(10).build()))
                .isInstanceOf(ValidationException.class).hasMessageContaining("anchored to a frame are 5 s");
    }

    @Test
    void aLumaChannelFromFramegateYamlServesRay32AndRefusesRay2WithFramesAtPreflight() throws Exception {
        Routing r = routing("""
                providers:
                  luma: {type: luma, base_url: %s, api_key_env: LUMA_AGENTS_API_KEY}
                routes:
                  ray-3.2: [luma]
                  ray-2: [luma]
                """.formatted(url()), java.util.Map.of("LUMA_AGENTS_API_KEY", KEY));
        stubAgents(agents("completed", ",\"output\":[{\"type\":\"video\",\"url\":\"" + url() + "/presigned/out.mp4\"}]"));
        wm.stubFor(get(urlPathEqualTo("/presigned/out.mp4")).willReturn(aResponse().withBody(TestMedia.mp4())));
        RenderPlan plan = plan(firstAndLast("ray-3.2").build());
        TestContext ctx = new TestContext(tmp);
        r.backendFor(plan.model()).generate(plan, ctx);
        assertThat(ctx.output(0).video()).isNotEmptyFile();

        wm.resetAll();
        RenderPlan legacy = plan(firstAndLast("ray-2").build());
        assertThatThrownBy(() -> r.preflight(legacy)).isInstanceOf(ValidationException.class)
                .hasMessageContaining("ray-2").hasMessageContaining("public base URL");
        assertThat(wm.getAllServeEvents()).isEmpty();
    }
}
