package io.framegate.engine;

import org.junit.jupiter.api.Test;
import org.opencv.core.Core;
import org.opencv.core.Mat;
import org.opencv.core.Rect;
import org.opencv.core.Size;
import org.opencv.imgproc.Imgproc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The in-between is blurred by sigma = {@link DisplacementBlur#SIGMA_PER_PX} x (displacement - {@link
 * DisplacementBlur#FREE_PX}) x t(1 - t): nothing for small motions or at the keyframes, the same at t and 1 - t, and per
 * pixel by its own grid cell's level.
 */
class DisplacementBlurTest {
    /** Level of one grid cell whose content travels {@code dx} px between the keyframes, at {@code t}. */
    private static float level(double dx, double t) {
        float[] out = new float[1];
        DisplacementBlur.levels(new float[]{(float) (-t * dx), 0}, new float[]{(float) ((1 - t) * dx), 0}, t, out);
        return out[0];
    }

    @Test
    void theBlurGrowsWithDisplacementBeyondTheFreeOneAndWithTheDistanceFromBothKeyframes() {
        assertThat(level(10, 0.5)).isZero();
        assertThat(level(200, 0)).isZero();
        assertThat(level(200, 1)).isZero();
        // sigma 0.05 x 40 x 0.25 = 0.5 px: halfway from level 0 (sharp) to level 1 (1 px)
        assertThat(level(50, 0.5)).isCloseTo(0.5f, within(1e-5f));
        // sigma 0.05 x 190 x 0.25 = 2.375 px: between the 2 px and 4 px levels (2 and 3)
        assertThat(level(200, 0.5)).isCloseTo(2.1875f, within(1e-5f));
        assertThat(level(200, 0.25)).isEqualTo(level(200, 0.75));
        assertThat(level(5000, 0.5)).isEqualTo(4f);
        float[] out = new float[2];
        float max = DisplacementBlur.levels(new float[]{0, 0, -100, 0}, new float[]{0, 0, 100, 0}, 0.5, out);
        assertThat(max).isEqualTo(out[1]).isGreaterThan(out[0]);
    }

    @Test
    void eachPixelIsBlurredByItsOwnLevel() {
        int w = 320, h = 180;
        Mat scene = TestScenes.scene(w, h, 7);
        Mat frame = scene.clone();
        float[] levels = new float[w * h];
        // the right half at level 3 (sigma 4 px), the left sharp
        for (int y = 0; y < h; y++) for (int x = w / 2; x < w; x++) levels[y * w + x] = 3;
        WarpScratch s = WarpScratch.take(w, h, w, h);
        try {
            DisplacementBlur.apply(frame, levels, 3, s);
        } finally {
            s.release();
        }
        Rect left = new Rect(0, 0, w / 2 - 4, h), right = new Rect(w / 2 + 4, 8, w / 2 - 12, h - 16);
        assertThat(Core.norm(frame.submat(left), scene.submat(left), Core.NORM_INF)).isZero();
        Mat blurred = new Mat();
        Imgproc.GaussianBlur(scene, blurred, new Size(0, 0), 4);
        double toBlur = Core.norm(frame.submat(right), blurred.submat(right), Core.NORM_L1) / (right.area() * 3);
        double toSharp = Core.norm(frame.submat(right), scene.submat(right), Core.NORM_L1) / (right.area() * 3);
        assertThat(toBlur).as("mean difference from a 4 px blur").isLessThan(2.0);
        assertThat(toSharp).as("mean difference from the sharp frame").isGreaterThan(5 * toBlur);
    }

    @Test
    void aFrameWithNothingToBlurIsLeftAsItIs() {
        Mat scene = TestScenes.scene(64, 36, 3);
        Mat frame = scene.clone();
        WarpScratch s = WarpScratch.take(64, 36, 64, 36);
        try {
            DisplacementBlur.apply(frame, new float[64 * 36], 0.2f, s);
        } finally {
            s.release();
        }
        assertThat(Core.norm(frame, scene, Core.NORM_INF)).isZero();
    }
}
