package io.framegate.engine;

import org.junit.jupiter.api.Test;
import org.opencv.core.Core;
import org.opencv.core.Mat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A pair's arrays (the splat's flows, importances and reliabilities; the constructor's initial flows and colours) are
 * reused from pair to pair: a pair's frames must not depend on which pair used them before, and a pair closed twice
 * must not hand its arrays to two later pairs at once.
 */
class PairArraysReuseTest {
    private static final int W = 640, H = 360;

    @Test
    void aPairPreparedInReusedArraysGivesTheFramesOfAFreshPrepare() {
        NativeLibs.ensureLoaded();
        Mat scene = TestScenes.scene(1600, 900, 21), other = TestScenes.scene(1600, 900, 22);
        Mat a = TestScenes.view(scene, 700, 450, 1.0, W, H), b = TestScenes.view(scene, 730, 460, 1.0, W, H);
        Mat c = TestScenes.view(other, 800, 450, 1.0, W, H), d = TestScenes.view(other, 770, 430, 1.0, W, H);
        Mat first, again, otherFrame;
        try (KeyframeInterpolator ab = KeyframeInterpolator.prepare(a, b, KeyframeInterpolator.Preset.SEQUENCE)) {
            first = ab.frameAt(0.5);
        }
        // another pair takes the arrays ab handed back and writes its own flows into them
        try (KeyframeInterpolator cd = KeyframeInterpolator.prepare(c, d, KeyframeInterpolator.Preset.SEQUENCE)) {
            otherFrame = cd.frameAt(0.5);
        }
        try (KeyframeInterpolator ab = KeyframeInterpolator.prepare(a, b, KeyframeInterpolator.Preset.SEQUENCE)) {
            again = ab.frameAt(0.5);
        }
        assertThat(Core.norm(first, again, Core.NORM_INF)).isZero();
        assertThat(Core.norm(first, otherFrame, Core.NORM_INF)).as("the pairs' frames differ").isPositive();
        for (Mat m : new Mat[]{scene, other, a, b, c, d, first, again, otherFrame}) m.release();
    }

    @Test
    void aPairClosedTwiceHandsItsArraysBackOnce() {
        NativeLibs.ensureLoaded();
        Mat scene = TestScenes.scene(1600, 900, 23), other = TestScenes.scene(1600, 900, 24);
        Mat a = TestScenes.view(scene, 700, 450, 1.0, W, H), b = TestScenes.view(scene, 730, 460, 1.0, W, H);
        Mat c = TestScenes.view(other, 800, 450, 1.0, W, H), d = TestScenes.view(other, 770, 430, 1.0, W, H);
        Mat alone;
        try (KeyframeInterpolator ab = KeyframeInterpolator.prepare(a, b, KeyframeInterpolator.Preset.SEQUENCE)) {
            alone = ab.frameAt(0.5);
        }
        KeyframeInterpolator twice = KeyframeInterpolator.prepare(c, d, KeyframeInterpolator.Preset.SEQUENCE);
        twice.close();
        twice.close();
        // two pairs alive at once: had the double close pooled one set twice, the second would overwrite the first's
        try (KeyframeInterpolator ab = KeyframeInterpolator.prepare(a, b, KeyframeInterpolator.Preset.SEQUENCE);
             KeyframeInterpolator cd = KeyframeInterpolator.prepare(c, d, KeyframeInterpolator.Preset.SEQUENCE)) {
            Mat frame = ab.frameAt(0.5);
            assertThat(Core.norm(frame, alone, Core.NORM_INF)).isZero();
            frame.release();
        }
        for (Mat m : new Mat[]{scene, other, a, b, c, d, alone}) m.release();
    }

    @Test
    void aClosedPairRefusesToMakeFramesInsteadOfReadingArraysAnotherPairNowHolds() {
        NativeLibs.ensureLoaded();
        Mat scene = TestScenes.scene(1600, 900, 25);
        Mat a = TestScenes.view(scene, 700, 450, 1.0, W, H), b = TestScenes.view(scene, 730, 460, 1.0, W, H);
        KeyframeInterpolator ab = KeyframeInterpolator.prepare(a, b, KeyframeInterpolator.Preset.SEQUENCE);
        ab.close();
        assertThatThrownBy(() -> ab.frameAt(0.5)).isInstanceOf(IllegalStateException.class).hasMessageContaining("released");
        for (Mat m : new Mat[]{scene, a, b}) m.release();
    }
}
