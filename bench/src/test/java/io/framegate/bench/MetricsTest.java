package io.framegate.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MetricsTest {
    /** A textured test image: smooth gradients plus seeded noise, so SSIM windows see real variance. */
    static Rgb textured(int w, int h, long seed) {
        Random r = new Random(seed);
        byte[] d = new byte[w * h * 3];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                for (int c = 0; c < 3; c++) {
                    double v = 110 + 60 * Math.sin(x * 0.07 * (c + 1)) + 40 * Math.cos(y * 0.05 + c) + r.nextGaussian() * 12;
                    d[(y * w + x) * 3 + c] = (byte) Math.max(0, Math.min(255, (int) Math.round(v)));
                }
            }
        }
        return new Rgb(w, h, d);
    }

    /** {@code img} moved right by {@code dx} pixels (edge repeated) with extra seeded noise. */
    static Rgb distorted(Rgb img, int dx, double noise, long seed) {
        Random r = new Random(seed);
        int w = img.width(), h = img.height();
        byte[] d = new byte[w * h * 3];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                for (int c = 0; c < 3; c++) {
                    int v = img.get(Math.max(0, x - dx), y, c) + (int) Math.round(r.nextGaussian() * noise);
                    d[(y * w + x) * 3 + c] = (byte) Math.max(0, Math.min(255, v));
                }
            }
        }
        return new Rgb(w, h, d);
    }

    @Test
    void identicalImagesScorePerfectly() {
        Rgb a = textured(64, 48, 1);
        assertThat(Metrics.psnr(a, a)).isEqualTo(Metrics.PSNR_CAP);
        assertThat(Metrics.ssim(a, a)).isEqualTo(1.0);
        assertThat(Metrics.interpolationError(a, a)).isZero();
    }

    @Test
    void constantOffsetGivesKnownPsnrAndIe() {
        byte[] x = new byte[32 * 16 * 3], y = new byte[x.length];
        for (int i = 0; i < x.length; i++) {
            x[i] = (byte) (50 + i % 100);
            y[i] = (byte) (53 + i % 100);
        }
        Rgb a = new Rgb(32, 16, x), b = new Rgb(32, 16, y);
        assertThat(Metrics.mse(a, b)).isEqualTo(9.0);
        assertThat(Metrics.psnr(a, b)).isCloseTo(10 * Math.log10(255.0 * 255.0 / 9.0), within(1e-12));
        assertThat(Metrics.interpolationError(a, b)).isEqualTo(3.0);
        // a pure brightness shift keeps structure: SSIM is high but below 1
        assertThat(Metrics.ssim(a, b)).isBetween(0.99, 1.0 - 1e-9);
    }

    @Test
    void worseDistortionScoresWorse() {
        Rgb a = textured(96, 64, 2);
        Rgb mild = distorted(a, 1, 2, 3), strong = distorted(a, 4, 10, 3);
        assertThat(Metrics.psnr(a, mild)).isGreaterThan(Metrics.psnr(a, strong));
        assertThat(Metrics.ssim(a, mild)).isGreaterThan(Metrics.ssim(a, strong));
        assertThat(Metrics.interpolationError(a, mild)).isLessThan(Metrics.interpolationError(a, strong));
    }

    @Test
    void rejectsDifferentSizes() {
        assertThatThrownBy(() -> Metrics.psnr(Rgb.blank(8, 8), Rgb.blank(8, 12)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("8x8 vs 8x12");
    }

    @Test
    void pngRoundTripKeepsPixels(@TempDir Path dir) {
        Rgb a = textured(30, 20, 4);
        a.writePng(dir.resolve("a.png"));
        assertThat(Rgb.read(dir.resolve("a.png")).data()).isEqualTo(a.data());
    }

    /**
     * The Java scorer must agree with FFmpeg's filters: odd sizes exercise the partial-block edge rule, 584 is a
     * Middlebury width where FFmpeg 5.1's SIMD SSIM differs from its C code (see {@link FfmpegMetrics}).
     */
    @Test
    void agreesWithFfmpegFilters(@TempDir Path dir) {
        assumeTrue(Proc.available("ffmpeg"), "ffmpeg is not installed");
        int[][] sizes = {{160, 90}, {123, 77}, {584, 40}};
        for (int[] s : sizes) {
            Rgb a = textured(s[0], s[1], 5);
            Rgb b = distorted(a, 3, 6, 6);
            Path pa = dir.resolve("a.png"), pb = dir.resolve("b.png");
            a.writePng(pa);
            b.writePng(pb);
            FfmpegMetrics.Result ff = FfmpegMetrics.measure(pb, pa);
            assertThat(Metrics.mse(b, a)).as("MSE %dx%d", s[0], s[1]).isCloseTo(ff.mse(), within(0.006));
            assertThat(Metrics.psnr(b, a)).as("PSNR %dx%d", s[0], s[1]).isCloseTo(ff.psnr(), within(0.006));
            assertThat(Metrics.ssim(b, a)).as("SSIM %dx%d", s[0], s[1]).isCloseTo(ff.ssim(), within(2e-6));
        }
    }
}
