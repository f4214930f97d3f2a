package io.framegate.provider;

import io.framegate.domain.GenerationRequest;
import io.framegate.domain.ImageRole;
import io.framegate.domain.ModelCatalog;
import io.framegate.domain.ModelSpec;
import io.framegate.domain.RenderPlan;
import io.framegate.domain.RequestValidator;
import io.framegate.domain.ValidationException;
import io.framegate.domain.VideoSize;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TranslationTest {
    static final ModelCatalog CATALOG = ModelCatalog.builtIn();
    static final RequestValidator V = new RequestValidator(CATALOG);
    static final byte[] IMG = {1, 2, 3};

    static Translation.Result translate(GenerationRequest req, String upstream, ReferenceAs rule) {
        return Translation.toUpstream(V.validate(req), CATALOG.require(upstream), rule, V, "channel c");
    }

    static GenerationRequest.Builder sora(int seconds) {
        return GenerationRequest.builder().model("sora-2").prompt("p").seconds(seconds).size("1280x720")
                .image(ImageRole.REFERENCE, IMG, "image/png", "ref");
    }

    @Test
    void referenceBecomesFirstFrameOrAssetByRule() {
        RenderPlan first = translate(sora(4).build(), "veo-3.1-generate-001", ReferenceAs.FIRST_FRAME).upstreamPlan();
        assertThat(first.request().images()).extracting(i -> i.role()).containsExactly(ImageRole.FIRST_FRAME);
        assertThat(first.aspectRatio()).isEqualTo("16:9");
        assertThat(first.resolution()).isEqualTo("720p");
        assertThat(first.seconds()).isEqualTo(4);

        RenderPlan asset = translate(sora(8).build(), "veo-3.1-generate-001", ReferenceAs.ASSET).upstreamPlan();
        assertThat(asset.request().images()).extracting(i -> i.role()).containsExactly(ImageRole.ASSET);
    }

    @Test
    void assetRuleAtFourSecondsFailsWithVeosOwnRule() {
        assertThatThrownBy(() -> translate(sora(4).build(), "veo-3.1-generate-001", ReferenceAs.ASSET))
                .isInstanceOf(ValidationException.class)
                .hasMessageContaining("veo-3.1-generate-001").hasMessageContaining("seconds=4")
                .hasMessageContaining("reference images are only available at 8 seconds");
    }

    @Test
    void assetRuleOnAModelWithoutAssetsNamesModelAndRole() {
        assertThatThrownBy(() -> translate(sora(8).build(), "veo-3.1-fast-generate-001", ReferenceAs.ASSET))
                .isInstanceOf(ValidationException.class)
                .hasMessageContaining("veo-3.1-fast-generate-001 (channel c) cannot honour a reference image (as asset)");
    }

    @Test
    void keyframesOnSoraFailOnTheLastFrameAndAssetsOnFast() {
        GenerationRequest kf = GenerationRequest.builder().model("veo-3.1-generate-001").prompt("p").seconds(8)
                .image(ImageRole.FIRST_FRAME, IMG, "image/png", "a").image(ImageRole.LAST_FRAME, IMG, "image/png", "b").build();
        assertThatThrownBy(() -> translate(kf, "sora-2", ReferenceAs.FIRST_FRAME))
                .isInstanceOf(ValidationException.class)
                .satisfies(e -> assertThat(((ValidationException) e).violations()).hasSize(1))
                .hasMessageContaining("sora-2 (channel c) cannot honour a last_frame image; it takes reference (up to 1)");

        GenerationRequest assets = GenerationRequest.builder().model("veo-3.1-generate-001").prompt("p").seconds(8)
                .image(ImageRole.ASSET, IMG, "image/png", "a").image(ImageRole.ASSET, IMG, "image/png", "b").build();
        assertThatThrownBy(() -> translate(assets, "veo-3.1-fast-generate-001", ReferenceAs.FIRST_FRAME))
                .hasMessageContaining("cannot honour a asset image");
    }

    @Test
    void parametersTheUpstreamLacksAreNotDropped() {
        GenerationRequest veo = GenerationRequest.builder().model("veo-3.1-generate-001").prompt("p").seconds(8)
                .negativePrompt("blur").seed(5L).image(ImageRole.FIRST_FRAME, IMG, "image/png", "a").build();
        assertThatThrownBy(() -> translate(veo, "sora-2", ReferenceAs.FIRST_FRAME))
                .isInstanceOf(ValidationException.class)
                .hasMessageContaining("negative_prompt is not supported by sora-2").hasMessageContaining("seed is not supported by sora-2");
    }

    @Test
    void sizesMapToAspectAndResolutionAndBack() {
        ModelSpec veo = CATALOG.require("veo-3.1-generate-001");
        ModelSpec soraPro = CATALOG.require("sora-2-pro");
        ModelSpec sora = CATALOG.require("sora-2");
        assertThat(Translation.mapSize(new VideoSize(1920, 1080), veo)).isEqualTo(new VideoSize(1920, 1080));
        assertThat(Translation.mapSize(new VideoSize(720, 1280), veo)).isEqualTo(new VideoSize(720, 1280));
        // 7:4 has no Veo equivalent
        assertThat(Translation.mapSize(new VideoSize(1792, 1024), veo)).isNull();
        // Veo 4k -> the largest 16:9 size Sora 2 Pro makes
        assertThat(Translation.mapSize(new VideoSize(3840, 2160), soraPro)).isEqualTo(new VideoSize(1920, 1080));
        assertThat(Translation.mapSize(new VideoSize(1080, 1920), sora)).isEqualTo(new VideoSize(720, 1280));

        GenerationRequest veoShape = GenerationRequest.builder().model("veo-3.1-generate-001").prompt("p").seconds(8)
                .aspectRatio("9:16").resolution("1080p").build();
        Translation.Result r = translate(veoShape, "sora-2", ReferenceAs.FIRST_FRAME);
        assertThat(r.upstreamPlan().size()).isEqualTo(new VideoSize(720, 1280));
        assertThat(r.changes()).containsExactly("size 1080x1920 sent as 720x1280");

        GenerationRequest wide = GenerationRequest.builder().model("sora-2-pro").prompt("p").seconds(8).size("1792x1024").build();
        assertThatThrownBy(() -> translate(wide, "veo-3.1-generate-001", ReferenceAs.FIRST_FRAME))
                .hasMessageContaining("cannot make size=1792x1024 (aspect ratio 7:4)");
    }
}
