package io.framegate.engine;

import org.opencv.core.Mat;
import org.opencv.core.Scalar;

/** The initial field DIS starts from: every pixel's displacement under the pair's global motion. */
final class InitialFlow {
    private InitialFlow() {
    }

    /** Fills {@code flow} ({@code CV_32FC2}) with the displacement of every pixel under homography {@code m}. */
    static void fill(Mat flow, double[] m) {
        if (isIdentity(m)) {
            // no global motion (most real pairs): the loop below would give +0.0 at every pixel (x / 1 - x) - the
            // same zeros without a 230k-pixel loop and a 1.8 MB array per direction at 640x360
            flow.setTo(Scalar.all(0));
            return;
        }
        int fw = flow.cols(), fh = flow.rows();
        float[] initFlow = PairScratch.floats(PairScratch.INIT_FLOW, 2 * fw * fh);
        // an affine motion (a sequence's shift) divides by exactly 1: skipped, the same values
        boolean affine = m[6] == 0 && m[7] == 0 && m[8] == 1;
        for (int y = 0; y < fh; y++) {
            double m1y = m[1] * y, m4y = m[4] * y, m7y = m[7] * y;
            for (int x = 0; x < fw; x++) {
                int i = 2 * (y * fw + x);
                double px = m[0] * x + m1y + m[2], py = m[3] * x + m4y + m[5];
                if (!affine) {
                    double d = m[6] * x + m7y + m[8];
                    px /= d;
                    py /= d;
                }
                initFlow[i] = (float) (px - x);
                initFlow[i + 1] = (float) (py - y);
            }
        }
        flow.put(0, 0, initFlow);
    }

    /** Whether {@code m} equals the identity exactly (a -0.0 counts as 0: it changes no sum in the field's loop). */
    static boolean isIdentity(double[] m) {
        for (int i = 0; i < 9; i++) {
            if (m[i] != GlobalMotion.IDENTITY[i]) return false;
        }
        return true;
    }
}
