package io.framegate.engine;

import org.opencv.calib3d.Calib3d;
import org.opencv.core.Core;
import org.opencv.core.CvType;
import org.opencv.core.DMatch;
import org.opencv.core.KeyPoint;
import org.opencv.core.Mat;
import org.opencv.core.MatOfDMatch;
import org.opencv.core.MatOfKeyPoint;
import org.opencv.core.MatOfPoint2f;
import org.opencv.core.Point;
import org.opencv.core.Size;
import org.opencv.features2d.DescriptorMatcher;
import org.opencv.features2d.ORB;
import org.opencv.imgproc.Imgproc;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The dominant motion between two frames as a homography (A pixel to B pixel): ORB features with a RANSAC homography
 * for zoom, rotation and perspective, phase correlation for plain shifts of low-texture images. Estimated on a copy at
 * most {@value #WORK_SIZE} px on its long side; accepted only if it aligns the images better than no motion does.
 * Optical flow uses it as initialisation, since DIS alone misses shifts larger than its coarsest pyramid level.
 *
 * @param h         row-major 3x3, full-resolution pixel-index coordinates
 * @param kind      {@code homography}, {@code translation} or {@code none}
 * @param inliers   RANSAC inliers (homography) or 0
 * @param response  phase-correlation peak response
 */
record GlobalMotion(double[] h, String kind, int inliers, double response) {
    static final int WORK_SIZE = 640;
    static final double[] IDENTITY = {1, 0, 0, 0, 1, 0, 0, 0, 1};

    static GlobalMotion none() {
        return new GlobalMotion(IDENTITY.clone(), "none", 0, 0);
    }

    boolean isIdentity() {
        return "none".equals(kind);
    }

    /** Largest displacement of the frame's corners and centre under {@link #h}. */
    double maxDisplacement(int width, int height) {
        double max = 0;
        for (double[] p : new double[][]{{0, 0}, {width - 1, 0}, {0, height - 1}, {width - 1, height - 1},
                {width / 2.0, height / 2.0}}) {
            double[] q = CameraRig.project(h, p[0], p[1]);
            max = Math.max(max, Math.hypot(q[0] - p[0], q[1] - p[1]));
        }
        return max;
    }

    @Override
    public String toString() {
        return switch (kind) {
            case "none" -> "no global motion";
            case "translation" -> String.format(Locale.ROOT, "shift %.1f,%.1f px", h[2], h[5]);
            default -> String.format(Locale.ROOT, "homography (%d inliers, centre moves %.1f,%.1f px)", inliers,
                    h[2], h[5]);
        };
    }

    /** Estimates the motion from gray {@code a} to gray {@code b} (same size, {@code CV_8U}). */
    static GlobalMotion estimate(Mat a, Mat b) {
        return estimate(a, b, true);
    }

    /**
     * As {@link #estimate(Mat, Mat)}; without {@code withHomography} only a shift is looked for (consecutive frames of
     * a sequence: the ORB homography costs about 30 ms per pair and rarely beats the shift there).
     */
    static GlobalMotion estimate(Mat a, Mat b, boolean withHomography) {
        int w = a.cols(), hgt = a.rows();
        double s = Math.min(1.0, (double) WORK_SIZE / Math.max(w, hgt));
        Mat sa = new Mat(), sb = new Mat();
        if (s < 1) {
            Size size = new Size(Math.max(8, Math.round(w * s)), Math.max(8, Math.round(hgt * s)));
            Imgproc.resize(a, sa, size, 0, 0, Imgproc.INTER_AREA);
            Imgproc.resize(b, sb, size, 0, 0, Imgproc.INTER_AREA);
        } else {
            a.copyTo(sa);
            b.copyTo(sb);
        }
        try {
            return estimateScaled(sa, sb, w, hgt, withHomography);
        } finally {
            sa.release();
            sb.release();
        }
    }

    /**
     * As {@link #estimate(Mat, Mat, boolean)} on copies {@code sa}, {@code sb} already shrunk from {@code w x hgt}
     * (the caller's; a sequence passes its DIS working images, a quarter of the pixels of the 640 px copy).
     */
    static GlobalMotion estimateScaled(Mat sa, Mat sb, int w, int hgt, boolean withHomography) {
        double sx = (double) sa.cols() / w, sy = (double) sa.rows() / hgt;
        double baseline = alignmentError(sa, sb, IDENTITY);
        List<GlobalMotion> candidates = new ArrayList<>();
        GlobalMotion hom = withHomography ? homography(sa, sb) : null;
        if (hom != null) candidates.add(hom);
        GlobalMotion shift = phaseShift(sa, sb);
        if (shift != null) candidates.add(shift);
        GlobalMotion best = null;
        double bestError = baseline * 0.97;
        for (GlobalMotion c : candidates) {
            double e = alignmentError(sa, sb, c.h);
            if (e < bestError) {
                bestError = e;
                best = c;
            }
        }
        if (best == null) return none();
        // back to full-resolution pixel-index coordinates: H = S^-1 Hs S
        double[] scale = {sx, 0, (sx - 1) / 2, 0, sy, (sy - 1) / 2, 0, 0, 1};
        double[] full = CameraRig.normalise(CameraRig.mul(CameraRig.invert(scale), CameraRig.mul(best.h, scale)));
        return new GlobalMotion(full, best.kind, best.inliers, best.response);
    }

    private static GlobalMotion phaseShift(Mat a, Mat b) {
        Mat fa = new Mat(), fb = new Mat();
        a.convertTo(fa, CvType.CV_32F);
        b.convertTo(fb, CvType.CV_32F);
        double[] response = new double[1];
        Point p = Imgproc.phaseCorrelate(fa, fb, window(a.cols(), a.rows()), response);
        fa.release();
        fb.release();
        if (response[0] < 0.03 || Double.isNaN(p.x)) return null;
        return new GlobalMotion(new double[]{1, 0, p.x, 0, 1, p.y, 0, 0, 1}, "translation", 0, response[0]);
    }

    /** Each thread's last Hanning window (a server sees images of any size: one per thread, not one per size). */
    private static final ThreadLocal<Mat> WINDOW = new ThreadLocal<>();

    /** The Hanning window of a size, remade only when the thread's last one had another size (a cosine per pixel). */
    private static Mat window(int width, int height) {
        Mat w = WINDOW.get();
        if (w != null && w.cols() == width && w.rows() == height) return w;
        if (w != null) w.release();
        w = new Mat();
        Imgproc.createHanningWindow(w, new Size(width, height), CvType.CV_32F);
        WINDOW.set(w);
        return w;
    }

    private static GlobalMotion homography(Mat a, Mat b) {
        ORB orb = ORB.create(1500);
        MatOfKeyPoint ka = new MatOfKeyPoint(), kb = new MatOfKeyPoint();
        Mat da = new Mat(), db = new Mat();
        Mat noMask = new Mat();
        orb.detectAndCompute(a, noMask, ka, da);
        orb.detectAndCompute(b, noMask, kb, db);
        // the native detector must outlive its calls (OpenCV's Java objects free it in a finaliser)
        java.lang.ref.Reference.reachabilityFence(orb);
        noMask.release();
        try {
            if (da.rows() < 12 || db.rows() < 12) return null;
            DescriptorMatcher matcher = DescriptorMatcher.create(DescriptorMatcher.BRUTEFORCE_HAMMING);
            List<MatOfDMatch> knn = new ArrayList<>();
            matcher.knnMatch(da, db, knn, 2);
            java.lang.ref.Reference.reachabilityFence(matcher);
            KeyPoint[] pa = ka.toArray(), pb = kb.toArray();
            List<Point> src = new ArrayList<>(), dst = new ArrayList<>();
            for (MatOfDMatch m : knn) {
                DMatch[] d = m.toArray();
                if (d.length == 2 && d[0].distance < 0.75 * d[1].distance) {
                    src.add(pa[d[0].queryIdx].pt);
                    dst.add(pb[d[0].trainIdx].pt);
                }
                m.release();
            }
            if (src.size() < 12) return null;
            MatOfPoint2f ms = new MatOfPoint2f(src.toArray(new Point[0]));
            MatOfPoint2f md = new MatOfPoint2f(dst.toArray(new Point[0]));
            Mat inlierMask = new Mat();
            Mat hm = Calib3d.findHomography(ms, md, Calib3d.RANSAC, 2.5, inlierMask, 2000, 0.995);
            int inliers = hm.empty() ? 0 : Core.countNonZero(inlierMask);
            ms.release();
            md.release();
            inlierMask.release();
            if (hm.empty() || inliers < 12 || inliers < 0.25 * src.size()) return null;
            double[] h = new double[9];
            hm.get(0, 0, h);
            hm.release();
            h = CameraRig.normalise(h);
            double det = h[0] * h[4] - h[1] * h[3];
            if (det < 0.33 || det > 3 || Math.abs(h[6]) > 0.002 || Math.abs(h[7]) > 0.002) return null;
            return new GlobalMotion(h, "homography", inliers, 0);
        } finally {
            ka.release();
            kb.release();
            da.release();
            db.release();
        }
    }

    /** Mean absolute difference between a and b warped onto a by h, over the pixels that h maps inside b. */
    static double alignmentError(Mat a, Mat b, double[] h) {
        if (java.util.Arrays.equals(h, IDENTITY)) {
            // no warp: the same figure (an identity warp copies b exactly and covers all of a) without two warps
            Mat diff = new Mat();
            Core.absdiff(a, b, diff);
            double err = Core.mean(diff).val[0];
            diff.release();
            return err;
        }
        Mat hm = new Mat(3, 3, CvType.CV_64F);
        hm.put(0, 0, h);
        Mat warped = new Mat(), valid = new Mat();
        Imgproc.warpPerspective(b, warped, hm, a.size(), Imgproc.INTER_LINEAR | Imgproc.WARP_INVERSE_MAP,
                Core.BORDER_CONSTANT);
        Mat ones = new Mat(b.size(), CvType.CV_8U, new org.opencv.core.Scalar(255));
        Imgproc.warpPerspective(ones, valid, hm, a.size(), Imgproc.INTER_NEAREST | Imgproc.WARP_INVERSE_MAP,
                Core.BORDER_CONSTANT);
        Mat diff = new Mat();
        Core.absdiff(a, warped, diff);
        int count = Core.countNonZero(valid);
        double err = count < 0.2 * a.total() ? Double.MAX_VALUE : Core.mean(diff, valid).val[0];
        for (Mat m : new Mat[]{hm, warped, valid, ones, diff}) m.release();
        return err;
    }
}
