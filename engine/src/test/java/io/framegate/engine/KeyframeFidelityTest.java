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

    /** Reference SSIM of two grey images given as arrays: Wang et al. 2004, 11x11 Gaussian window (sigma 1.5, edges replicated). */
    private static double referenceSsim(double[][] x, double[][] y) {
        int h = x.length, w = x[0].length, r = 5;
        double[] g = new double[2 * r + 1];
        double sum = 0;
        for (int i = -r; i <= r; i++) sum += g[i + r] = Math.exp(-i * i / (2 * 1.5 * 1.5));
        for (int i = 0; i < g.length; i++) g[i] /= sum;
        double c1 = Math.pow(0.01 * 255, 2), c2 = Math.pow(0.03 * 255, 2), total = 0;
        for (int py = 0; py < h; py++) {
            for (int px = 0; px < w; px++) {
                double mx = 0, my = 0, xx = 0, yy = 0, xy = 0;
                for (int dy = -r; dy <= r; dy++) {
                    for (int dx = -r; dx <= r; dx++) {
                        int yy0 = Math.clamp(py + dy, 0, h - 1), xx0 = Math.clamp(px + dx, 0, w - 1);
                        double k = g[dy + r] * g[dx + r], a = x[yy0][xx0], b = y[yy0][xx0];
                        mx += k * a;
                        my += k * b;
                        xx += k * a * a;
                        yy += k * b * b;
                        xy += k * a * b;
                    }
                }
                double vx = xx - mx * mx, vy = yy - my * my, cxy = xy - mx * my;
                total += (2 * mx * my + c1) * (2 * cxy + c2) / ((mx * mx + my * my + c1) * (vx + vy + c2));
            }
        }
        return total / (w * h);
    }

    /**
     * docs/fidelity.md: {@code psnr} is in dB over all colour channels; {@code ssim} is the mean SSIM of the luma with
     * an 11x11 Gaussian window (Wang et al.). A grey picture with detail against (1) the same picture with blue and red
     * moved apart so that its luma stays the same, (2) the picture with noise added.
     */
    @Test
    void psnrIsOverAllColourChannelsAndSsimIsTheMeanSsimOfTheLumaInAnElevenByElevenGaussianWindow() {
        int w = 48, h = 40;
        java.util.Random random = new java.util.Random(5);
        Mat grey = new Mat(h, w, org.opencv.core.CvType.CV_8UC3), tinted = grey.clone(), noisy = grey.clone();
        double[][] x = new double[h][w], y = new double[h][w];
        for (int r = 0; r < h; r++) {
            for (int c = 0; c < w; c++) {
                int v = 40 + random.nextInt(170), n = Math.clamp(v + random.nextInt(41) - 20, 0, 255);
                grey.put(r, c, v, v, v);
                tinted.put(r, c, v - 21, v, v + 8); // BGR: 8 * 0.299 = 21 * 0.114 within OpenCV's rounding
                noisy.put(r, c, n, n, n);
                x[r][c] = v;
                y[r][c] = n;
            }
        }
        // every channel counts: (21^2 + 0 + 8^2) / 3 is the mean squared error
        assertThat(ImageFitter.psnr(grey, tinted)).isCloseTo(10 * Math.log10(255.0 * 255 / ((21 * 21 + 8 * 8) / 3.0)),
                org.assertj.core.data.Offset.offset(1e-9));
        // the luma alone: a colour shift that keeps it is a perfect SSIM
        assertThat(KeyframeFidelity.ssim(grey, tinted)).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-12));
        double expected = referenceSsim(x, y);
        assertThat(expected).isBetween(0.5, 0.99);
        assertThat(KeyframeFidelity.ssim(grey, noisy)).isCloseTo(expected, org.assertj.core.data.Offset.offset(1e-9));
        for (Mat m : new Mat[] {grey, tinted, noisy}) m.release();
    }

    /** docs/fidelity.md: honoured from a grade-matched PSNR of 23 dB, whatever the plain PSNR and SSIM say. */
    @Test
    void aKeyframeIsHonouredFromTwentyThreeDbOfGradeMatchedPsnrAlone() {
        assertThat(KeyframeFidelity.HONOURED_PSNR).isEqualTo(23.0);
        assertThat(new KeyframeFidelity.Score(12, 0.4, 23.0).honoured()).isTrue();
        assertThat(new KeyframeFidelity.Score(45, 0.99, 22.99).honoured()).isFalse();
    }
}
