package io.framegate.engine;

import org.junit.jupiter.api.Test;
import org.opencv.core.CvType;
import org.opencv.core.Mat;
import org.opencv.core.Scalar;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * DIS's initial field is filled with zeros without the per-pixel loop only where that loop would give zeros: for an
 * exact identity (a -0.0 entry included), never for a shift or a scale a rounding step away from 1.
 */
class InitialFlowTest {
    @Test
    void onlyAnExactIdentitySkipsTheInitialFieldsLoop() {
        assertThat(InitialFlow.isIdentity(GlobalMotion.IDENTITY.clone())).isTrue();
        assertThat(InitialFlow.isIdentity(new double[]{1, -0.0, 0, -0.0, 1, -0.0, 0, 0, 1})).isTrue();
        assertThat(InitialFlow.isIdentity(new double[]{1, 0, 0.5, 0, 1, 0, 0, 0, 1})).isFalse();
        assertThat(InitialFlow.isIdentity(new double[]{1, 0, 0, 0, 1, 1e-12, 0, 0, 1})).isFalse();
        assertThat(InitialFlow.isIdentity(new double[]{Math.nextUp(1.0), 0, 0, 0, 1, 0, 0, 0, 1})).isFalse();
        assertThat(InitialFlow.isIdentity(new double[]{1, 0, 0, 0, 1, 0, 1e-300, 0, 1})).isFalse();
    }

    @Test
    void theIdentitysZeroFieldHasTheLoopsBitsAndAShiftStillGetsItsField() {
        NativeLibs.ensureLoaded();
        int w = 64, h = 36;
        // garbage first: the field must overwrite every value
        Mat fast = new Mat(h, w, CvType.CV_32FC2, new Scalar(7, -3));
        InitialFlow.fill(fast, GlobalMotion.IDENTITY.clone());
        // not the identity (so the loop runs), but 1e-300 x + 1 rounds to exactly 1: the loop's own zeros
        Mat loop = new Mat(h, w, CvType.CV_32FC2, new Scalar(7, -3));
        InitialFlow.fill(loop, new double[]{1, 0, 0, 0, 1, 0, 1e-300, 0, 1});
        assertThat(bits(fast)).containsExactly(bits(loop));
        assertThat(bits(fast)).containsOnly(Float.floatToRawIntBits(0f));

        Mat shift = new Mat(h, w, CvType.CV_32FC2);
        InitialFlow.fill(shift, new double[]{1, 0, 2.5, 0, 1, -1.5, 0, 0, 1});
        float[] v = new float[2 * w * h];
        shift.get(0, 0, v);
        for (int i = 0; i < v.length; i += 2) {
            assertThat(v[i]).isEqualTo(2.5f);
            assertThat(v[i + 1]).isEqualTo(-1.5f);
        }
        for (Mat m : new Mat[]{fast, loop, shift}) m.release();
    }

    private static int[] bits(Mat m) {
        float[] v = new float[(int) m.total() * m.channels()];
        m.get(0, 0, v);
        int[] b = new int[v.length];
        for (int i = 0; i < v.length; i++) b[i] = Float.floatToRawIntBits(v[i]);
        return b;
    }
}
