package io.framegate.provider;

import io.framegate.domain.GenerationBackend;
import io.framegate.domain.GenerationContext;
import io.framegate.domain.GenerationRequest;
import io.framegate.domain.ImageRole;
import io.framegate.domain.RenderPlan;
import io.framegate.domain.ValidationException;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link Routing#choose}: what a server records at submission, and what it refuses at once. No upstream call. */
class RoutingChoiceTest extends WireTest {
    static final GenerationBackend LOCAL = new GenerationBackend() {
        @Override
        public String id() {
            return "local";
        }

        @Override
        public boolean isLocal() {
            return true;
        }

        @Override
        public void generate(RenderPlan plan, GenerationContext ctx) {
            throw new AssertionError("choose must not generate");
        }
    };

    Routing routingWithLocal(String yaml) {
        FramegateConfig cfg = new ConfigLoader(CATALOG, Map.of("K", "k", "L", "l")::get).parse(yaml + TIMING, "test.yaml", tmp);
        routing = new Routing(cfg, LOCAL, VALIDATOR, null, ticker, new java.util.Random(1));
        return routing;
    }

    static final String TWO_CHANNELS = """
            providers:
              google: {type: gemini, base_url: 'http://127.0.0.1:9', api_key_env: K}
              agg: {type: openai, base_url: 'http://127.0.0.1:9/v1', api_key_env: L}
            routes:
              sora-2: [{channel: google, model: veo-3.1-generate-001}]
              veo-3.1-fast-generate-001: [{channel: agg, model: sora-2, allow_retired: true}]
            """;

    @Test
    void routedModelNamesChannelUpstreamModelAndTheUpstreamsPrice() {
        Routing r = routingWithLocal(TWO_CHANNELS);
        RenderPlan plan = plan(GenerationRequest.builder().model("sora-2").prompt("a cat").seconds(8).size("1280x720").build());
        Routing.Choice c = r.choose(plan);
        assertThat(c.backend().id()).isEqualTo("route:sora-2");
        assertThat(c.backend().isLocal()).isFalse();
        assertThat(c.channel()).isEqualTo("google");
        assertThat(c.upstreamModel()).isEqualTo("veo-3.1-generate-001");
        // Veo 3.1 at 720p: 0.40 USD/s x 8 s, not sora-2's own 0.10 USD/s
        assertThat(c.estimatedCostUsd()).hasValueSatisfying(v -> assertThat(v).isCloseTo(3.2, org.assertj.core.data.Offset.offset(1e-9)));
    }

    @Test
    void unroutedModelIsALocalRenderAtNoCost() {
        Routing r = routingWithLocal(TWO_CHANNELS);
        Routing.Choice c = r.choose(plan(GenerationRequest.builder().model("veo-3.1-generate-001").prompt("x").seconds(8).build()));
        assertThat(c.backend()).isSameAs(LOCAL);
        assertThat(c.channel()).isNull();
        assertThat(c.estimatedCostUsd()).contains(0.0);
    }

    @Test
    void keyframesOnAFirstFrameOnlyUpstreamAreRefusedNamingModelAndCapability() {
        Routing r = routingWithLocal(TWO_CHANNELS);
        RenderPlan plan = plan(keyframes("veo-3.1-fast-generate-001").seconds(8).build());
        assertThatThrownBy(() -> r.choose(plan)).isInstanceOf(ValidationException.class)
                .hasMessageContaining("sora-2").hasMessageContaining("channel agg").hasMessageContaining("last_frame");
        assertThatThrownBy(() -> r.preflight(plan)).isInstanceOf(ValidationException.class);
        // the first frame alone becomes the upstream's input_reference
        RenderPlan first = plan(GenerationRequest.builder().model("veo-3.1-fast-generate-001").prompt("x").seconds(8)
                .image(ImageRole.FIRST_FRAME, TestMedia.png(1280, 720, 640, 360), "image/png", "f.png").build());
        assertThat(r.choose(first).upstreamModel()).isEqualTo("sora-2");
    }

    @Test
    void defaultRouteNoneRefusesAnUnroutedModelUpFront() {
        Routing r = routingWithLocal(TWO_CHANNELS + "default_route: none\n");
        RenderPlan plan = plan(GenerationRequest.builder().model("framegate-local").prompt("x")
                .image(ImageRole.FIRST_FRAME, TestMedia.png(64, 36, 32, 18), "image/png", "f.png").build());
        assertThatThrownBy(() -> r.choose(plan)).isInstanceOf(ValidationException.class)
                .hasMessageContaining("framegate-local has no route").hasMessageContaining("default_route is none");
    }
}
