package io.framegate.engine;

import org.opencv.core.Core;
import org.opencv.core.CvType;
import org.opencv.core.Mat;
import org.opencv.core.Rect;
import org.opencv.core.Size;
import org.opencv.imgproc.Imgproc;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Objects that move far apart from the camera, found by matching the regions the global motion leaves different
 * (found in session 4, commit d0183fb; used by {@link MovingLayers}). DIS is coarse to fine: an object smaller than its motion (a 112 px ball moving 200 px at 720p)
 * vanishes at the pyramid levels coarse enough to see the motion, and the flow keeps it where it was - the
 * in-between shows it twice. Feature matches do not find such objects reliably (a striped ball has no distinctive
 * corners); the changed region as a whole, outline included, does: each connected region where A differs from B
 * (after the global motion) is looked for in B as a masked template, and where it is found clearly better than at
 * its own place it becomes a region with that motion.
 */
final class MotionSeeds {
    /**
     * A moving object: the box {@code x0..x1, y0..y1} in the source image's full-resolution pixels, moving by
     * {@code dx, dy} to the other image.
     */
    record Region(double x0, double y0, double x1, double y1, double dx, double dy) {
        /** The same object seen from the other image: its box there, moving back. */
        Region reversed() {
            return new Region(x0 + dx, y0 + dy, x1 + dx, y1 + dy, -dx, -dy);
        }
    }

    /** Work size (long side) of the search, and the grey-level difference that counts as changed there. */
    static final int WORK_SIZE = 640;
    static final double CHANGED = 24;
    /** Changed regions smaller than this share of the image are ignored; at most {@link #MAX_REGIONS} are searched. */
    static final double MIN_AREA = 0.002;
    static final int MAX_REGIONS = 6;
    /** Search reach around a region, as a share of the long side; motions below {@link #LARGE} are left to DIS. */
    static final double REACH = 0.35;
    static final double LARGE = 0.02;
    /** A region is taken as moved when its error at the best place is below this share of its error in place. */
    static final double CLEARLY_BETTER = 0.5;

    /** Windowed mean grey-level error above which a pixel matches nowhere (content the other image hides). */
    static final float UNMATCHED = 20;

    private MotionSeeds() {
    }

    /** Whether the pair's flow fails on a changed region (label {@code label} of {@code labels}, at the work size). */
    interface Gate {
        boolean unexplained(Mat labels, int label, Rect box);
    }

    /**
     * The moving objects between grey {@code a} and {@code b} ({@code CV_8U}, one size) beyond the global motion
     * {@code h} (A pixel to B pixel, full resolution), in A's full-resolution pixels; empty when the global motion
     * explains the pair.
     */
    static List<Region> find(Mat a, Mat b, double[] h, Gate gate) {
        int w = a.cols(), hgt = a.rows();
        double s = Math.min(1.0, (double) WORK_SIZE / Math.max(w, hgt));
        Mat sa = new Mat(), sb = new Mat();
        Size size = new Size(Math.max(8, Math.round(w * s)), Math.max(8, Math.round(hgt * s)));
        Imgproc.resize(a, sa, size, 0, 0, Imgproc.INTER_AREA);
        Imgproc.resize(b, sb, size, 0, 0, Imgproc.INTER_AREA);
        double sx = (double) sa.cols() / w, sy = (double) sa.rows() / hgt;
        double[] scale = {sx, 0, (sx - 1) / 2, 0, sy, (sy - 1) / 2, 0, 0, 1};
        double[] hs = CameraRig.mul(scale, CameraRig.mul(h, CameraRig.invert(scale)));
        Mat hm = new Mat(3, 3, CvType.CV_64F);
        hm.put(0, 0, hs);
        // B brought onto A by the global motion: what is left different moves on its own (or is hidden)
        Mat bOnA = new Mat(), aOnB = new Mat(), mask = new Mat(), labels = new Mat(), stats = new Mat(), centroids = new Mat();
        Imgproc.warpPerspective(sb, bOnA, hm, sa.size(), Imgproc.INTER_LINEAR | Imgproc.WARP_INVERSE_MAP,
                Core.BORDER_REPLICATE);
        Imgproc.warpPerspective(sa, aOnB, hm, sa.size(), Imgproc.INTER_LINEAR, Core.BORDER_REPLICATE);
        Core.absdiff(sa, bOnA, mask);
        Imgproc.GaussianBlur(mask, mask, new Size(5, 5), 0);
        Imgproc.threshold(mask, mask, CHANGED, 255, Imgproc.THRESH_BINARY);
        Mat kernel = Imgproc.getStructuringElement(Imgproc.MORPH_ELLIPSE, new Size(9, 9));
        Imgproc.morphologyEx(mask, mask, Imgproc.MORPH_CLOSE, kernel);
        Imgproc.dilate(mask, mask, kernel);
        try {
            int count = Imgproc.connectedComponentsWithStats(mask, labels, stats, centroids, 8, CvType.CV_32S);
            List<int[]> blobs = new ArrayList<>();
            double minArea = MIN_AREA * sa.total();
            for (int i = 1; i < count; i++) {
                int[] st = new int[5];
                stats.get(i, 0, st);
                if (st[4] >= minArea && st[4] < 0.5 * sa.total()) blobs.add(new int[]{i, st[0], st[1], st[2], st[3], st[4]});
            }
            blobs.sort(Comparator.comparingInt((int[] x) -> -x[5]));
            List<Region> regions = new ArrayList<>();
            double side = Math.max(sa.cols(), sa.rows());
            for (int[] blob : blobs.subList(0, Math.min(MAX_REGIONS, blobs.size()))) {
                if (!gate.unexplained(labels, blob[0], new Rect(blob[1], blob[2], blob[3], blob[4]))) continue;
                double[] d = search(sa, sb, bOnA, aOnB, labels, blob, hs, side);
                if (d == null) continue;
                // back to full-resolution pixels
                regions.add(new Region((blob[1] - (sx - 1) / 2) / sx, (blob[2] - (sy - 1) / 2) / sy,
                        (blob[1] + blob[3] - 1 - (sx - 1) / 2) / sx, (blob[2] + blob[4] - 1 - (sy - 1) / 2) / sy,
                        d[0] / sx, d[1] / sy));
            }
            return regions;
        } finally {
            for (Mat x : new Mat[]{sa, sb, hm, bOnA, aOnB, mask, labels, stats, centroids, kernel}) x.release();
        }
    }

    /**
     * Looks for one changed region of A in B (masked sum of squared differences, within {@link #REACH}); its
     * displacement in work pixels, or null when it is not found clearly better than where the global motion puts it.
     */
    private static double[] search(Mat a, Mat b, Mat bOnA, Mat aOnB, Mat labels, int[] blob, double[] hs,
                                   double side) {
        Rect box = new Rect(blob[1], blob[2], blob[3], blob[4]);
        Mat templ = a.submat(box), mask = new Mat();
        Core.compare(labels.submat(box), new org.opencv.core.Scalar(blob[0]), mask, Core.CMP_EQ);
        double area = Core.countNonZero(mask);
        // the error where the global motion puts it
        double errInPlace = maskedError(templ, bOnA.submat(box), mask, area);
        int reach = (int) Math.round(REACH * side);
        int x0 = Math.max(0, box.x - reach), y0 = Math.max(0, box.y - reach);
        int x1 = Math.min(b.cols(), box.x + box.width + reach), y1 = Math.min(b.rows(), box.y + box.height + reach);
        Mat window = b.submat(new Rect(x0, y0, x1 - x0, y1 - y0)), result = new Mat();
        try {
            Imgproc.matchTemplate(window, templ, result, Imgproc.TM_SQDIFF, mask);
            Core.MinMaxLocResult mm = Core.minMaxLoc(result);
            double dx = x0 + mm.minLoc.x - box.x, dy = y0 + mm.minLoc.y - box.y;
            // the error there, exactly (the masked search sums in single precision through the DFT)
            Rect target = new Rect((int) (box.x + dx), (int) (box.y + dy), box.width, box.height);
            double err = maskedError(templ, b.submat(target), mask, area);
            // where it lands, B must differ from A (after the global motion): else it was there in A already (a
            // repeated texture of the still background, not the region moving there)
            double errStill = maskedError(b.submat(target), aOnB.submat(target), mask, area);

            // the displacement beyond the global motion, at the region's centre
            double cx = box.x + box.width / 2.0, cy = box.y + box.height / 2.0;
            double[] g = CameraRig.project(hs, cx, cy);
            double residual = Math.hypot(cx + dx - g[0], cy + dy - g[1]);
            if (!(err < CLEARLY_BETTER * Math.min(errInPlace, errStill)) || residual < LARGE * side) return null;
            return new double[]{dx, dy};
        } finally {
            for (Mat x : new Mat[]{mask, result}) x.release();
        }
    }

    /** Mean squared grey-level difference of x and y inside the mask. */
    private static double maskedError(Mat x, Mat y, Mat mask, double area) {
        Mat d = new Mat(), sq = new Mat(), masked = new Mat();
        Core.absdiff(x, y, d);
        d.convertTo(sq, CvType.CV_32F);
        Core.multiply(sq, sq, sq);
        sq.copyTo(masked, mask);
        double e = Core.sumElems(masked).val[0] / area;
        for (Mat m : new Mat[]{d, sq, masked}) m.release();
        return e;
    }
}
