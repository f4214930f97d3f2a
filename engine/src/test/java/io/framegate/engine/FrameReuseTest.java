package io.framegate.engine;

import org.junit.jupiter.api.Test;
import org.opencv.core.Core;
import org.opencv.core.CvType;
import org.opencv.core.Mat;
import org.opencv.core.Scalar;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * In-betweens are synthesised in reused memory (the working images of {@link WarpScratch}, the output frames of
 * {@link FramePool}): a frame must not depend on what that memory held before, which frame or which pair used it last.
 */
class FrameReuseTest {
    private static final int W = 640, H = 360;

    @Test
    void framesInReusedMemoryAreTheFramesInFreshMemory() {
        NativeLibs.ensureLoaded();
        Mat scene = TestScenes.scene(1600, 900, 11), other = TestScenes.scene(1600, 900, 12);
        Mat a = TestScenes.view(scene, 700, 450, 1.0, W, H), b = TestScenes.view(scene, 760, 470, 1.1, W, H);
        Mat c = TestScenes.view(other, 800, 450, 1.0, W, H), d = TestScenes.view(other, 780, 420, 0.9, W, H);
        double[] times = {0.2, 0.5, 0.8};
        try (KeyframeInterpolator ab = KeyframeInterpolator.prepare(a, b, KeyframeInterpolator.Preset.QUALITY);
             KeyframeInterpolator cd = KeyframeInterpolator.prepare(c, d, KeyframeInterpolator.Preset.QUALITY)) {
            List<Mat> fresh = new ArrayList<>();
            for (double t : times) {
                fresh.add(ab.frameAt(t));
                fresh.add(cd.frameAt(t));
            }
            // one output Mat, first of another size and type and full of junk, reused for every frame, pairs
            // interleaved in reverse order so that every frame follows a different one than before
            Mat out = new Mat(17, 9, CvType.CV_8UC1, new Scalar(200));
            for (int i = times.length - 1; i >= 0; i--) {
                for (int p = 1; p >= 0; p--) {
                    (p == 0 ? ab : cd).frameAt(times[i], out);
                    Mat expected = fresh.get(2 * i + p);
                    assertThat(out.size()).isEqualTo(expected.size());
                    assertThat(out.type()).isEqualTo(CvType.CV_8UC3);
                    assertThat(Core.norm(out, expected, Core.NORM_INF)).as("pair %d at t=%.1f", p, times[i]).isZero();
                }
            }
            // and the frames differ from one another, so that a stale frame could not pass
            assertThat(Core.norm(fresh.get(0), fresh.get(2), Core.NORM_INF)).isPositive();
            assertThat(Core.norm(fresh.get(0), fresh.get(1), Core.NORM_INF)).isPositive();
            out.release();
            fresh.forEach(Mat::release);
        }
        for (Mat m : new Mat[]{scene, other, a, b, c, d}) m.release();
    }

    @Test
    void aRecycledFrameIsHandedOutAgain() {
        NativeLibs.ensureLoaded();
        try (FramePool pool = new FramePool()) {
            Mat first = pool.take();
            first.create(4, 4, CvType.CV_8UC3);
            long address = first.dataAddr();
            pool.give(first);
            Mat again = pool.take();
            assertThat(again.dataAddr()).isEqualTo(address);
            assertThat(pool.take().empty()).isTrue();
            again.release();
        }
    }
}
