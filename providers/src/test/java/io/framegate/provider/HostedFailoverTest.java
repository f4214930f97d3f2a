package io.framegate.provider;

import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.framegate.domain.RenderPlan;
import io.framegate.domain.ValidationException;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.util.Map;

import static com.github.tomakehurst.wiremock.client.WireMock.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A first+last-frame route across providers: Kling refuses provably (429) and the job fails over to Luma's ray-3.2,
 * whose capabilities match (1080p 16:9, 5 s, both frames); Runway's gen4_turbo takes no last frame and is ruled out.
 */
class HostedFailoverTest extends HostedWireTest {
    static final String LUMA_ID = "9f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a00";

    @Test
    void aKlingRateLimitFailsOverToLumaAndAModelWithoutALastFrameIsNeverTried() throws Exception {
        Files.writeString(tmp.resolve("sk"), "kling-secret");
        Routing r = routing("""
                providers:
                  kling: {type: kling, base_url: %1$s/kling, access_key_env: AK, secret_key_file: sk}
                  runway: {type: runway, base_url: %1$s/runway, api_key_env: RW}
                  luma: {type: luma, base_url: %1$s/luma, api_key_env: LUMA}
                routes:
                  kling-v2-5-turbo:
                    - kling
                    - {channel: runway, model: gen4_turbo}
                    - {channel: luma, model: ray-3.2}
                """.formatted(url()), Map.of("AK", "ak", "RW", "key_rw", "LUMA", "luma-key"));
        wm.stubFor(post(urlEqualTo("/kling/v1/videos/image2video")).willReturn(aResponse().withStatus(429)
                .withHeader("Retry-After", "2").withBody("{\"code\":1303,\"message\":\"parallel task over resource pack limit\"}")));
        wm.stubFor(post(urlEqualTo("/luma/generations")).willReturn(okJson(LumaWireTest.agents("queued", "")
                .replace(LumaWireTest.ID, LUMA_ID))));
        wm.stubFor(get(urlEqualTo("/luma/generations/" + LUMA_ID)).willReturn(okJson(LumaWireTest.agents("completed",
                ",\"output\":[{\"type\":\"video\",\"url\":\"" + url() + "/out.mp4\"}]").replace(LumaWireTest.ID, LUMA_ID))));
        wm.stubFor(get(urlEqualTo("/out.mp4")).willReturn(aResponse().withBody(TestMedia.mp4())));
        RenderPlan plan = plan(firstAndLast("kling-v2-5-turbo").build());
        TestContext ctx = new TestContext(tmp);

        r.backendFor(plan.model()).generate(plan, ctx);

        assertThat(Files.readAllBytes(ctx.output(0).video())).isEqualTo(TestMedia.mp4());
        // retry_attempts: 3 tries at Kling, none at Runway (no last frame), one at Luma
        wm.verify(3, postRequestedFor(urlEqualTo("/kling/v1/videos/image2video")));
        wm.verify(0, postRequestedFor(urlMatching("/runway/.*")));
        wm.verify(1, postRequestedFor(urlEqualTo("/luma/generations")));
        LoggedRequest luma = wm.findAll(postRequestedFor(urlEqualTo("/luma/generations"))).get(0);
        assertThat(body(luma).path("video").path("resolution").asText()).isEqualTo("1080p");
        assertThat(body(luma).path("video").has("end_frame")).isTrue();
        assertThat(ctx.notes).containsEntry("provider", "luma").containsEntry("upstream_model", "ray-3.2")
                .containsKey("failover");
    }

    @Test
    void aRouteWhoseOnlyChannelCannotTakeTheLastFrameIsRefusedBeforeAnyCall() {
        Routing r = routing("""
                providers:
                  runway: {type: runway, base_url: %s, api_key_env: RW}
                routes:
                  kling-v2-5-turbo: [{channel: runway, model: gen4_turbo}]
                """.formatted(url()), Map.of("RW", "key_rw"));
        RenderPlan plan = plan(firstAndLast("kling-v2-5-turbo").build());
        assertThatThrownBy(() -> r.preflight(plan)).isInstanceOf(ValidationException.class)
                .hasMessageContaining("gen4_turbo").hasMessageContaining("last_frame");
        assertThat(wm.getAllServeEvents()).isEmpty();
    }
}
