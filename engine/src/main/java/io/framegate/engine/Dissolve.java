package io.framegate.engine;

import org.opencv.core.Core;
import org.opencv.core.CvType;
import org.opencv.core.Mat;
import org.opencv.imgproc.Imgproc;

/** A pair's cross-dissolve, for keyframes that do not show the same content (the morph's low-confidence fallback). */
final class Dissolve {
    private final Mat a;
    private final Mat b;
    private final int width;
    private final int height;
    private final GlobalMotion global;
    private final boolean globalReliable;

    /** {@code a} and {@code b}: the pair's keyframes (the caller's, not released here). */
    Dissolve(Mat a, Mat b, GlobalMotion global, boolean globalReliable) {
        this.a = a;
        this.b = b;
        this.width = a.cols();
        this.height = a.rows();
        this.global = global;
        this.globalReliable = globalReliable;
    }

    /** Whether the dissolve follows the global motion (else it zooms through a cut). */
    boolean aligned() {
        return globalReliable;
    }

    /**
     * Cross-dissolve at time t: along the global motion when it is reliable (each image travels part of the way
     * toward the other), else with a slight zoom through the cut.
     */
    void frameAt(double t, Mat out) {
        double[] ma, mb;
        if (globalReliable) {
            double[] ht = new double[9];
            for (int i = 0; i < 9; i++) ht[i] = (1 - t) * GlobalMotion.IDENTITY[i] + t * global.h()[i];
            double[] htInv = CameraRig.invert(ht);
            ma = htInv;
            mb = CameraRig.mul(global.h(), htInv);
        } else {
            ma = zoomAboutCentre(1 + 0.06 * t);
            mb = zoomAboutCentre(1 + 0.06 * (1 - t));
        }
        Mat wa = warp(a, ma), wb = warp(b, mb);
        Core.addWeighted(wa, 1 - t, wb, t, 0, out);
        wa.release();
        wb.release();
    }

    private double[] zoomAboutCentre(double zoom) {
        double cx = (width - 1) / 2.0, cy = (height - 1) / 2.0;
        double s = 1 / zoom;
        return new double[]{s, 0, cx - s * cx, 0, s, cy - s * cy, 0, 0, 1};
    }

    private Mat warp(Mat src, double[] m) {
        Mat hm = new Mat(3, 3, CvType.CV_64F);
        hm.put(0, 0, m);
        Mat out = new Mat();
        Imgproc.warpPerspective(src, out, hm, src.size(), Imgproc.INTER_LINEAR | Imgproc.WARP_INVERSE_MAP,
                Core.BORDER_REPLICATE);
        hm.release();
        return out;
    }
}
