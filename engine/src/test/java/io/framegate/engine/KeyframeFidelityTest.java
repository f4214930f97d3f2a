package io.framegate.engine;

import io.framegate.domain.FitMode;

import io.framegate.domain.ImageRole;
import io.framegate.domain.InputImage;
import io.framegate.domain.OutputFiles;
import io.framegate.domain.ProgressListener;
import io.framegate.domain.RenderPlan;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opencv.core.Mat;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Keyframe fidelity: a local render honours its keyframes; a video that starts elsewhere is flagged. */
class KeyframeFidelityTest {
    static final int W = 320, H = 180, FRAMES = 9, FPS = 12;
    static Mat scene, first, last;

    @BeforeAll
    static void images() {
        scene = TestScenes.scene(800, 500, 11);
        first = TestScenes.view(scene, 400, 250, 1, W, H);
        last = TestScenes.view(scene, 440, 235, 1.05, W, H);
    }

    @AfterAll
    static void release() {
        scene.release();
        first.release();
        last.release();
    }

    static Path render(Path dir, Mat a, Mat b) throws Exception {
        RenderPlan plan = TestScenes.plan("framegate-local", "slow push", W, H, FPS, FRAMES,
                ImageRole.FIRST_FRAME, a, ImageRole.LAST_FRAME, b);
        new LocalEngine().render(plan, 0, OutputFiles.in(dir), ProgressListener.NONE, () -> false);
        return dir.resolve("video.mp4");
    }

    static InputImage image(ImageRole role, Mat m) {
        return new InputImage(role, TestScenes.png(m), "image/png", role + ".png");
    }

    @Test
    void aLocalRenderHonoursBothKeyframes(@TempDir Path dir) throws Exception {
        Path video = render(dir, first, last);
        KeyframeFidelity.Result r = KeyframeFidelity.measure(video, image(ImageRole.FIRST_FRAME, first),
                image(ImageRole.LAST_FRAME, last), FitMode.CROP);
        assertThat(r.honoured()).isTrue();
        assertThat(r.firstFrame().ssim()).isGreaterThan(0.9);
        assertThat(r.firstFrame().gradedPsnr()).isGreaterThanOrEqualTo(r.firstFrame().psnr() - 0.5);
        assertThat(r.lastFrame().ssim()).isGreaterThan(0.9);
        assertThat(r.firstFrame().psnr()).isGreaterThan(30);
    }

    @Test
    void aVideoThatStartsElsewhereInTheSceneIsFlagged(@TempDir Path dir) throws Exception {
        // the "upstream" started 10% of the width to the right of the first keyframe but ended on the last one
        Mat elsewhere = TestScenes.view(scene, 400 + 0.10 * W, 250, 1, W, H);
        Path video = render(dir, elsewhere, last);
        KeyframeFidelity.Result r = KeyframeFidelity.measure(video, image(ImageRole.FIRST_FRAME, first),
                image(ImageRole.LAST_FRAME, last), FitMode.CROP);
        elsewhere.release();
        assertThat(r.firstFrame().honoured()).isFalse();
        assertThat(r.lastFrame().honoured()).isTrue();
        assertThat(r.honoured()).isFalse();
    }

    @Test
    void onlyTheKeyframesGivenAreScored(@TempDir Path dir) throws Exception {
        Path video = render(dir, first, last);
        KeyframeFidelity.Result r = KeyframeFidelity.measure(video, null, image(ImageRole.LAST_FRAME, first), FitMode.CROP);
        assertThat(r.firstFrame()).isNull();
        assertThat(r.lastFrame().honoured()).isFalse(); // the video ends on `last`, not on `first`
        assertThatThrownBy(() -> KeyframeFidelity.measure(video, null, null, FitMode.CROP))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void ssimIsOneForIdenticalImagesAndAColourGradeAloneDoesNotLowerTheGradedPsnr() {
        assertThat(KeyframeFidelity.ssim(first, first)).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-9));
        Mat graded = new Mat();
        first.convertTo(graded, -1, 0.85, 25); // darker contrast, brighter: the same picture
        Mat matched = KeyframeFidelity.matchGrade(graded, first);
        double plain = ImageFitter.psnr(graded, first), gradedPsnr = ImageFitter.psnr(matched, first);
        graded.release();
        matched.release();
        assertThat(plain).isLessThan(gradedPsnr - 8);
        assertThat(gradedPsnr).isGreaterThan(35);
        Mat rings = TestScenes.rings(W, H);
        Mat other = KeyframeFidelity.matchGrade(rings, first);
        assertThat(ImageFitter.psnr(other, first)).isLessThan(KeyframeFidelity.HONOURED_PSNR);
        other.release();
        rings.release();
    }
}
