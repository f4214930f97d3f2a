package io.framegate.provider;

import io.framegate.domain.GenerationRequest;
import io.framegate.domain.ImageRole;
import io.framegate.domain.RenderPlan;
import io.framegate.domain.ValidationException;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static com.github.tomakehurst.wiremock.client.WireMock.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** One catalog model routed to fal and to Replicate: failover where both can honour a job, refusal where neither can. */
class HostedFailoverWireTest extends WireTest {
    static final String FAL_MODEL = FalWireTest.MODEL;
    static final String APP_REQ = FalWireTest.APP_REQ;

    Routing both() {
        return routing("""
                providers:
                  fal: {type: fal, base_url: %1$s, api_key_env: FAL_KEY}
                  rep: {type: replicate, base_url: %1$s/v1, api_key_env: REP_KEY}
                routes:
                  veo-3.1-generate-001:
                    - {channel: fal, model: %2$s}
                    - {channel: rep, model: google/veo-3.1}
                """.formatted(url(), FAL_MODEL), Map.of("FAL_KEY", "fal-k", "REP_KEY", "rep-k"));
    }

    void stubReplicateWorks() throws Exception {
        String out = url() + "/delivery/out.mp4";
        wm.stubFor(post(urlEqualTo("/v1/models/google/veo-3.1/predictions")).willReturn(aResponse().withStatus(201)
                .withHeader("Content-Type", "application/json")
                .withBody(ReplicateWireTest.prediction(url(), "starting", "null", "null"))));
        wm.stubFor(get(urlEqualTo("/v1/predictions/" + ReplicateWireTest.ID))
                .willReturn(okJson(ReplicateWireTest.prediction(url(), "succeeded", "\"" + out + "\"", "null"))));
        wm.stubFor(get(urlEqualTo("/delivery/out.mp4")).willReturn(aResponse().withBody(TestMedia.mp4())));
    }

    @Test
    void aFirstAndLastFrameJobRefusedByFalFailsOverToReplicate() throws Exception {
        Routing r = both();
        wm.stubFor(post(urlEqualTo("/" + FAL_MODEL)).willReturn(aResponse().withStatus(503)
                .withHeader("Content-Type", "application/json").withHeader("X-Fal-Error-Type", "runner_scheduling_failure")
                .withBody("{\"detail\": \"No runner could be allocated\", \"error_type\": \"runner_scheduling_failure\"}")));
        stubReplicateWorks();
        RenderPlan plan = plan(FalWireTest.firstAndLast("veo-3.1-generate-001").seconds(8).build());
        TestContext ctx = new TestContext(tmp);

        r.backendFor(plan.model()).generate(plan, ctx);

        wm.verify(3, postRequestedFor(urlEqualTo("/" + FAL_MODEL)));
        wm.verify(1, postRequestedFor(urlEqualTo("/v1/models/google/veo-3.1/predictions"))
                .withRequestBody(matchingJsonPath("$.input.image", matching("data:image/png;base64,.+")))
                .withRequestBody(matchingJsonPath("$.input.last_frame", matching("data:image/png;base64,.+"))));
        assertThat(ctx.notes.get("failover")).contains("fal:fal").contains("HTTP 503 runner_scheduling_failure");
        assertThat(ctx.notes).containsEntry("provider", "replicate").containsEntry("upstream_model", "google/veo-3.1");
        assertThat(ctx.output(0).video()).hasBinaryContent(TestMedia.mp4());
    }

    @Test
    void referenceImagesSkipTheFalEndpointThatCannotTakeThemAndGoToReplicate() throws Exception {
        Routing r = both();
        stubReplicateWorks();
        RenderPlan plan = plan(GenerationRequest.builder().model("veo-3.1-generate-001").prompt("the same fox")
                .image(ImageRole.ASSET, FalWireTest.FIRST, "image/png", "fox.png")
                .image(ImageRole.ASSET, FalWireTest.LAST, "image/png", "fox2.png").seconds(8).build());

        Routing.Choice c = r.choose(plan);
        assertThat(c.channel()).isEqualTo("rep");
        TestContext ctx = new TestContext(tmp);
        r.backendFor(plan.model()).generate(plan, ctx);

        wm.verify(0, anyRequestedFor(urlMatching("/fal-ai/.*")));
        wm.verify(1, postRequestedFor(urlEqualTo("/v1/models/google/veo-3.1/predictions"))
                .withRequestBody(matchingJsonPath("$.input.reference_images.length()", equalTo("2")))
                .withRequestBody(notContaining("\"image\"")));
        assertThat(ctx.notes).containsEntry("channel", "rep");
    }

    @Test
    void aJobNeitherCanHonourIsRefusedBeforeAnyCallNamingBothAndOneOnlyReplicateTakesGoesThere() {
        Routing r = both();
        // two videos in one request: Veo on Vertex makes up to 4, neither fal's endpoint nor Replicate's model more than 1
        RenderPlan two = plan(FalWireTest.firstAndLast("veo-3.1-generate-001").seconds(8).numberOfVideos(2).build());
        assertThatThrownBy(() -> r.choose(two))
                .isInstanceOf(ValidationException.class)
                .hasMessageContaining(FAL_MODEL).hasMessageContaining("google/veo-3.1")
                .hasMessageContaining("channel fal").hasMessageContaining("channel rep");
        // a first frame only: fal's first-last endpoint needs both frames, Replicate takes it
        RenderPlan firstOnly = plan(GenerationRequest.builder().model("veo-3.1-generate-001").prompt("x")
                .image(ImageRole.FIRST_FRAME, FalWireTest.FIRST, "image/png", "a.png").seconds(6).build());
        assertThat(r.choose(firstOnly).channel()).isEqualTo("rep");
        wm.verify(0, anyRequestedFor(anyUrl()));
    }
}
