package io.framegate.engine;

import org.junit.jupiter.api.Test;
import org.opencv.core.Core;
import org.opencv.core.CvType;
import org.opencv.core.Mat;
import org.opencv.core.MatOfDouble;
import org.opencv.core.Rect;
import org.opencv.core.Scalar;
import org.opencv.core.Size;
import org.opencv.imgproc.Imgproc;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The morph's local fallback where the flow cannot be right: a textured scene pans 12 px (the flow is right there, the
 * pair is a morph), and in a patch of it each keyframe shows unrelated content in a colour of its own (no motion explains
 * the change). The in-between's content there is uncertain; the estimate with the least expected error averages over
 * where it may be, rather than showing both keyframes' detail sharply (the cross-fade's double exposure).
 */
class LocalFallbackTest {
    private static final int W = 640, H = 360;
    private static final Rect PATCH = new Rect(200, 100, 200, 140);
    /** The patch's interior, clear of the blend's soft edge. */
    private static final Rect INSIDE = new Rect(240, 130, 120, 80);

    private static Mat keyframe(Mat scene, double cx, long patchSeed) {
        Mat f = TestScenes.view(scene, cx, 600, 1.0, W, H);
        Mat p = patch(patchSeed);
        p.copyTo(f.submat(PATCH));
        p.release();
        return f;
    }

    /**
     * What the patch shows in one keyframe: a texture of its own per seed, tinted a colour of its own (a sign that
     * changes, a light that switches: no motion brings one keyframe's content there to the other's).
     */
    private static Mat patch(long seed) {
        Mat texture = TestScenes.scene(600, 400, 100 + seed);
        Mat m = TestScenes.view(texture, 300, 200, 1.0, PATCH.width, PATCH.height);
        texture.release();
        Scalar[] tints = {new Scalar(0, 0, 90), new Scalar(90, 0, 0), new Scalar(0, 90, 0), new Scalar(45, 45, 45)};
        Core.add(m, tints[(int) (seed % tints.length)], m);
        return m;
    }

    /** Grey-level spread of a region's detail (its difference from a 3 px blur of itself). */
    private static double detail(Mat region) {
        Mat smooth = new Mat(), f = new Mat(), s = new Mat();
        region.convertTo(f, CvType.CV_32FC3);
        Imgproc.GaussianBlur(f, smooth, new Size(0, 0), 3);
        Core.subtract(f, smooth, s);
        double d = spread(s);
        for (Mat m : new Mat[] {smooth, f, s}) m.release();
        return d;
    }

    private static double spread(Mat region) {
        MatOfDouble mean = new MatOfDouble(), std = new MatOfDouble();
        Core.meanStdDev(region, mean, std);
        double[] sd = std.toArray();
        return (sd[0] + sd[1] + sd[2]) / 3;
    }

    @Test
    void whereNoMotionExplainsTheChangeTheInBetweenIsNoSharpDoubleExposure() {
        Mat scene = TestScenes.scene(2000, 1200, 11);
        Mat a = keyframe(scene, 1000, 1), b = keyframe(scene, 1012, 2);
        Mat fade = new Mat();
        Core.addWeighted(a, 0.5, b, 0.5, 0, fade);
        try (KeyframeInterpolator k = KeyframeInterpolator.prepare(a, b, KeyframeInterpolator.Preset.QUALITY)) {
            assertThat(k.join()).isEqualTo(KeyframeInterpolator.Join.FLOW);
            Mat mid = k.frameAt(0.5);
            // the cross-fade carries both keyframes' detail there (the fallback used to be just that: a ratio of 1);
            // half of it is the mean over where the content may be, which carries none
            assertThat(detail(mid.submat(INSIDE))).as("detail in the patch: in-between vs cross-fade")
                    .isLessThan(0.7 * detail(fade.submat(INSIDE)));
            // outside the patch the pan is followed: the morph, not a double exposure
            Mat truth = TestScenes.view(scene, 1006, 600, 1.0, W, H);
            Rect clear = new Rect(0, 0, W, 80);
            assertThat(Core.PSNR(mid.submat(clear), truth.submat(clear)))
                    .isGreaterThan(Core.PSNR(fade.submat(clear), truth.submat(clear)) + 3);
            mid.release();
            truth.release();
        } finally {
            for (Mat m : new Mat[] {scene, a, b, fade}) m.release();
        }
    }
}
