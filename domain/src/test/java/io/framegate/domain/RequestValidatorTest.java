package io.framegate.domain;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class RequestValidatorTest {
    private static final byte[] PNG = {1, 2, 3};
    private final RequestValidator validator = new RequestValidator(ModelCatalog.builtIn());

    private static GenerationRequest.Builder req(String model) {
        return GenerationRequest.builder().model(model).prompt("a lighthouse at dusk");
    }

    private List<Violation> violations(GenerationRequest r) {
        return catchThrowableOfType(ValidationException.class, () -> validator.validate(r)).violations();
    }

    @Test
    void soraDurationMessageNamesParameterValueAndRule() {
        assertThat(violations(req("sora-2").seconds(6).build()))
                .extracting(Violation::message)
                .containsExactly("seconds=6 is not allowed for sora-2; allowed: 4, 8, 12");
    }

    @Test
    void reportsEveryViolationAtOnce() {
        List<Violation> v = violations(GenerationRequest.builder().model("sora-2").seconds(5).size("1920x1080")
                .seed(7L).image(ImageRole.LAST_FRAME, PNG, "image/png", "end.png").build());
        assertThat(v).extracting(Violation::param)
                .containsExactlyInAnyOrder("prompt", "images", "seconds", "size", "seed");
        assertThat(v).extracting(Violation::message).anySatisfy(m ->
                assertThat(m).isEqualTo("size=1920x1080 is not allowed for sora-2; allowed: 720x1280, 1280x720"));
        assertThat(v).extracting(Violation::message).anySatisfy(m ->
                assertThat(m).contains("image role last_frame is not supported by sora-2; allowed roles: reference"));
    }

    @Test
    void soraProAcceptsItsLargerSizes() {
        RenderPlan p = validator.validate(req("sora-2-pro").size("1792x1024").seconds(12).build());
        assertThat(p.size()).isEqualTo(new VideoSize(1792, 1024));
        assertThat(p.frameCount()).isEqualTo(12 * 24);
        assertThat(p.estimatedCostUsd()).hasValueSatisfying(c -> assertThat(c).isCloseTo(6.0, org.assertj.core.data.Offset.offset(1e-9)));
    }

    @Test
    void tooManyImagesOfARole() {
        assertThat(violations(req("sora-2").image(ImageRole.REFERENCE, PNG, null, "a")
                .image(ImageRole.REFERENCE, PNG, null, "b").build()))
                .extracting(Violation::message)
                .containsExactly("2 images with role reference given; sora-2 takes at most 1");
    }

    @Test
    void veo1080pOnlyAtEightSeconds() {
        assertThat(violations(req("veo-3.1").resolution("1080p").seconds(6).build()))
                .extracting(Violation::message)
                .containsExactly("seconds=6 is not allowed for veo-3.1-generate-001 here: "
                        + "1080p and 4k are only available at 8 seconds; allowed: 8");
        RenderPlan ok = validator.validate(req("veo-3.1").resolution("1080p").aspectRatio("9:16").seconds(8).build());
        assertThat(ok.size()).isEqualTo(new VideoSize(1080, 1920));
    }

    @Test
    void veoReferenceImagesOnlyAtEightSecondsAndNotWithKeyframes() {
        List<Violation> v = violations(req("veo-3.1").seconds(4)
                .image(ImageRole.ASSET, PNG, null, "cat")
                .image(ImageRole.FIRST_FRAME, PNG, null, "a").build());
        assertThat(v).extracting(Violation::message).containsExactlyInAnyOrder(
                "seconds=4 is not allowed for veo-3.1-generate-001 here: reference images are only available at 8 seconds; allowed: 8",
                "image role first_frame is not allowed here for veo-3.1-generate-001: reference images cannot be combined with a first or last frame");
        assertThat(validator.validate(req("veo-3.1").seconds(8).image(ImageRole.ASSET, PNG, null, "cat").build())
                .seconds()).isEqualTo(8);
    }

    @Test
    void veoFastTakesNoReferenceImages() {
        assertThat(violations(req("veo-3.1-fast").seconds(8).image(ImageRole.ASSET, PNG, null, "cat").build()))
                .extracting(Violation::message)
                .containsExactly("image role asset is not supported by veo-3.1-fast-generate-001; "
                        + "allowed roles: first_frame (up to 1), last_frame (up to 1)");
    }

    @Test
    void lastFrameNeedsFirstFrame() {
        assertThat(violations(req("veo-3.1").image(ImageRole.LAST_FRAME, PNG, null, "b").build()))
                .extracting(Violation::message)
                .containsExactly("image role first_frame is missing for veo-3.1-generate-001: a last frame needs a first frame");
    }

    @Test
    void veo3HasNo1080pPortrait() {
        assertThat(violations(req("veo-3.0").aspectRatio("9:16").resolution("1080p").build()))
                .extracting(Violation::param).containsExactly("resolution");
        assertThat(violations(req("veo-3.0").aspectRatio("4:3").build()))
                .extracting(Violation::message).containsExactly("aspect_ratio=4:3 is not allowed for veo-3.0-generate-001; allowed: 16:9, 9:16");
    }

    @Test
    void defaultsComeFromTheCatalog() {
        RenderPlan veo = validator.validate(req("veo-3.1").build());
        assertThat(veo.seconds()).isEqualTo(8);
        assertThat(veo.size()).isEqualTo(new VideoSize(1280, 720));
        assertThat(veo.aspectRatio()).isEqualTo("16:9");
        assertThat(veo.resolution()).isEqualTo("720p");
        assertThat(veo.audio()).isTrue();
        assertThat(veo.seed()).isZero();

        RenderPlan sora = validator.validate(req("sora-2").build());
        assertThat(sora.size()).isEqualTo(new VideoSize(720, 1280));
        assertThat(sora.seconds()).isEqualTo(4);
        assertThat(sora.frameCount()).isEqualTo(96);
    }

    @Test
    void localModelTakesAnyEvenSizeAndExactFrameCounts() {
        RenderPlan p = validator.validate(GenerationRequest.builder().model("framegate-local")
                .image(ImageRole.FIRST_FRAME, PNG, null, "a").size("320x180").fps(12).numFrames(30).build());
        assertThat(p.frameCount()).isEqualTo(30);
        assertThat(p.fps()).isEqualTo(12);
        assertThat(p.seconds()).isEqualTo(3);
        assertThat(p.durationSeconds()).isEqualTo(2.5);

        RenderPlan byClass = validator.validate(GenerationRequest.builder().model("local")
                .image(ImageRole.REFERENCE, PNG, null, "a").aspectRatio("9:16").resolution("480p").build());
        assertThat(byClass.size()).isEqualTo(new VideoSize(480, 854));
        assertThat(byClass.aspectRatio()).isEqualTo("9:16");
    }

    @Test
    void localModelRules() {
        assertThat(violations(GenerationRequest.builder().model("local").size("321x180").fps(0).build()))
                .extracting(Violation::param).containsExactlyInAnyOrder("images", "fps", "size");
        assertThat(violations(GenerationRequest.builder().model("local")
                .image(ImageRole.REFERENCE, PNG, null, "r").image(ImageRole.FIRST_FRAME, PNG, null, "a").build()))
                .extracting(Violation::message).containsExactly(
                        "image role first_frame is not allowed here for framegate-local: a reference image animates alone; keyframes are a separate mode");
    }

    @Test
    void numFramesIsLocalOnly() {
        assertThat(violations(req("veo-3.1").numFrames(40).build()))
                .extracting(Violation::message).containsExactly("num_frames=40 is only supported by local models (exact frame counts), not by veo-3.1-generate-001; give seconds instead");
    }

    @Test
    void contradictingSizeAndAspectRatio() {
        assertThat(violations(req("sora-2").size("1280x720").aspectRatio("9:16").build()))
                .extracting(Violation::message).containsExactly("aspect_ratio=9:16 contradicts size=1280x720 (16:9)");
    }

    @Test
    void malformedSizeAndOutOfRangeValues() {
        assertThat(violations(req("veo-3.1").size("big").seed(-1L).numberOfVideos(9)
                .personGeneration("everyone").audio(false).negativePrompt("blur").build()))
                .extracting(Violation::param)
                .containsExactlyInAnyOrder("size", "seed", "number_of_videos", "person_generation");
        assertThat(violations(req("sora-2").audio(false).negativePrompt("blur").build()))
                .extracting(Violation::param).containsExactlyInAnyOrder("audio", "negative_prompt");
    }

    @Test
    void overlongPrompt() {
        assertThatThrownBy(() -> validator.validate(req("sora-2").prompt("x".repeat(32_001)).build()))
                .hasMessageContaining("prompt has 32001 characters; at most 32000 are allowed");
    }

    @Test
    void rolesParseInEveryCommonSpelling() {
        assertThat(ImageRole.parse("FIRST_FRAME")).contains(ImageRole.FIRST_FRAME);
        assertThat(ImageRole.parse("lastFrame")).contains(ImageRole.LAST_FRAME);
        assertThat(ImageRole.parse("first-frame")).contains(ImageRole.FIRST_FRAME);
        assertThat(ImageRole.parse("ASSET")).contains(ImageRole.ASSET);
        assertThat(ImageRole.parse("middle")).isEmpty();
    }

    @Test
    void sizesParseAndClassify() {
        assertThat(VideoSize.parse("1280x720")).contains(new VideoSize(1280, 720));
        assertThat(VideoSize.parse("1280 X 720")).contains(new VideoSize(1280, 720));
        assertThat(VideoSize.parse("0x720")).isEmpty();
        assertThat(VideoSize.parse("wide")).isEmpty();
        assertThat(new VideoSize(1792, 1024).resolutionClass()).isEqualTo("1024p");
        assertThat(new VideoSize(3840, 2160).resolutionClass()).isEqualTo("4k");
        assertThat(new VideoSize(1024, 1792).aspectRatio()).isEqualTo("4:7");
        assertThat(new VideoSize(854, 480).aspectRatio()).isEqualTo("16:9");
    }
}
