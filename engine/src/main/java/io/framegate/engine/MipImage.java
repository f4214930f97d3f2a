package io.framegate.engine;

import org.opencv.core.Core;
import org.opencv.core.CvType;
import org.opencv.core.Mat;
import org.opencv.core.Size;
import org.opencv.imgproc.Imgproc;

import java.util.ArrayList;
import java.util.List;

/**
 * An image with its Gaussian pyramid, sampled through a homography with trilinear filtering: the two pyramid levels
 * around the local scale are warped and blended, so shrinking never aliases and a slow zoom never pops between
 * levels. Upscales use bicubic interpolation on the full-resolution level.
 */
final class MipImage {
    private final List<Mat> levels = new ArrayList<>();

    /** Takes ownership of {@code base}. */
    MipImage(Mat base, int maxLevels) {
        levels.add(base);
        Mat cur = base;
        while (levels.size() <= maxLevels && cur.cols() >= 32 && cur.rows() >= 32) {
            Mat next = new Mat();
            Imgproc.pyrDown(cur, next);
            levels.add(next);
            cur = next;
        }
    }

    Mat base() {
        return levels.getFirst();
    }

    /**
     * Renders a {@code width x height} image where output pixel (x, y) shows base pixel {@code M (x, y, 1)}
     * (row-major 3x3, pixel-index coordinates).
     */
    Mat sample(double[] m, int width, int height) {
        double scale = CameraRig.scaleAtCentre(m, width / 2.0, height / 2.0);
        double lambda = Math.log(Math.max(scale, 1e-9)) / Math.log(2);
        if (lambda <= 1e-3) return warp(0, m, width, height, Imgproc.INTER_CUBIC);
        int l0 = Math.min((int) Math.floor(lambda), levels.size() - 1);
        double frac = l0 == levels.size() - 1 ? 0 : lambda - l0;
        Mat a = warp(l0, m, width, height, Imgproc.INTER_LINEAR);
        if (frac < 0.02) return a;
        Mat b = warp(l0 + 1, m, width, height, Imgproc.INTER_LINEAR);
        Mat out = new Mat();
        Core.addWeighted(a, 1 - frac, b, frac, 0, out);
        a.release();
        b.release();
        return out;
    }

    private Mat warp(int level, double[] m, int width, int height, int interpolation) {
        double s = Math.pow(0.5, level);
        double[] toLevel = {s, 0, (s - 1) / 2, 0, s, (s - 1) / 2, 0, 0, 1};
        double[] ml = CameraRig.mul(toLevel, m);
        Mat h = new Mat(3, 3, CvType.CV_64F);
        h.put(0, 0, ml);
        Mat out = new Mat();
        Imgproc.warpPerspective(levels.get(level), out, h, new Size(width, height),
                interpolation | Imgproc.WARP_INVERSE_MAP, Core.BORDER_REFLECT_101);
        h.release();
        return out;
    }

    void release() {
        levels.forEach(Mat::release);
        levels.clear();
    }
}
