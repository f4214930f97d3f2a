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
 * Objects that move far apart from the camera, found by matching the regions the global motion leaves different, as
 * candidates for DIS. DIS is coarse to fine: an object smaller than its motion (a 112 px ball moving 200 px at 720p)
 * vanishes at the pyramid levels coarse enough to see the motion, and the flow keeps it where it was - the
 * in-between shows it twice. Feature matches do not find such objects reliably (a striped ball has no distinctive
 * corners); the changed region as a whole, outline included, does: each connected region where A differs from B
 * (after the global motion) is looked for in B as a masked template, and where it is found clearly better than at
 * its own place it becomes a region with that motion.
 * <p>
 * DIS takes an initial flow as a candidate of every patch at every pyramid level and keeps it only where it matches
 * better than its own estimate (OpenCV's {@code dis_flow.cpp}: the initial flow is resized to each level and tried
 * beside the propagated one), so a region a little larger than its object costs nothing where the object is not.
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

    /**
     * The moving objects between grey {@code a} and {@code b} ({@code CV_8U}, one size) beyond the global motion
     * {@code h} (A pixel to B pixel, full resolution), in A's full-resolution pixels; empty when the global motion
     * explains the pair.
     */
    static List<Region> find(Mat a, Mat b, double[] h) {
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
            if (System.getenv("SEEDS_DEBUG") != null) {
                System.err.printf("SEEDS box %s d %.0f,%.0f err %.0f inPlace %.0f still %.0f residual %.1f%n", box, dx,
                        dy, err, errInPlace, errStill, residual);
            }
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

    /**
     * Per pixel of each seeded region, the better of DIS's flow and the region's motion: the one whose warped target
     * matches the source better over a small window. DIS keeps a seed only patch by patch and smooths it away at
     * the object's edge; this makes the choice per pixel. {@code flow} ({@code CV_32FC2}, the size of the grey
     * {@code from} and {@code to}) is changed in place; regions are in full-resolution pixels, {@code sx, sy} the
     * working scale.
     */
    static void fuse(Mat fromColour, Mat toColour, Mat flow, float[] global, List<Region> seeds, double sx,
                     double sy) {
        int w = flow.cols(), h = flow.rows();
        Mat fc = new Mat(), tc = new Mat();
        Imgproc.resize(fromColour, fc, new Size(w, h), 0, 0, Imgproc.INTER_AREA);
        Imgproc.resize(toColour, tc, new Size(w, h), 0, 0, Imgproc.INTER_AREA);
        byte[] src = new byte[3 * w * h], dst = new byte[3 * w * h];
        fc.get(0, 0, src);
        tc.get(0, 0, dst);
        fc.release();
        tc.release();
        float[] f = new float[2 * w * h];
        flow.get(0, 0, f);
        for (Region r : seeds) {
            // the path it sweeps: at its spot it moves, at its spot in the other image the background is uncovered
            double rx0 = Math.min(r.x0(), r.x0() + r.dx()), rx1 = Math.max(r.x1(), r.x1() + r.dx());
            double ry0 = Math.min(r.y0(), r.y0() + r.dy()), ry1 = Math.max(r.y1(), r.y1() + r.dy());
            int x0 = Math.max(0, (int) Math.floor(sx * rx0 + (sx - 1) / 2));
            int x1 = Math.min(w - 1, (int) Math.ceil(sx * rx1 + (sx - 1) / 2));
            int y0 = Math.max(0, (int) Math.floor(sy * ry0 + (sy - 1) / 2));
            int y1 = Math.min(h - 1, (int) Math.ceil(sy * ry1 + (sy - 1) / 2));
            int bw = x1 - x0 + 1, bh = y1 - y0 + 1;
            if (bw < 2 || bh < 2) continue;
            float cx = (float) (sx * r.dx()), cy = (float) (sy * r.dy());
            float[] eFlow = new float[bw * bh], eSeed = new float[bw * bh], eGlobal = new float[bw * bh];
            for (int y = y0; y <= y1; y++) {
                for (int x = x0; x <= x1; x++) {
                    int i = y * w + x, k = (y - y0) * bw + (x - x0);
                    eFlow[k] = error(src, i, dst, w, h, x + f[2 * i], y + f[2 * i + 1]);
                    eSeed[k] = error(src, i, dst, w, h, x + cx, y + cy);
                    eGlobal[k] = error(src, i, dst, w, h, x + global[2 * i], y + global[2 * i + 1]);
                }
            }
            int rad = Math.max(2, (int) Math.round(4 * Math.max(sx, sy) * Math.max(1, w / (1024.0 * sx))));
            float[] sf = boxFilter(eFlow, bw, bh, rad), ss = boxFilter(eSeed, bw, bh, rad);
            float[] sg = boxFilter(eGlobal, bw, bh, rad);
            for (int y = y0; y <= y1; y++) {
                for (int x = x0; x <= x1; x++) {
                    int i = y * w + x, k = (y - y0) * bw + (x - x0);
                    if (ss[k] < sf[k] && ss[k] < sg[k]) {
                        f[2 * i] = cx;
                        f[2 * i + 1] = cy;
                    } else if (sg[k] <= sf[k] + 2 || Math.min(sf[k], sg[k]) > UNMATCHED
                            || covered(r, (x - (sx - 1) / 2) / sx, (y - (sy - 1) / 2) / sy)) {
                        // the background's motion where DIS is no better, where nothing matches, and where the object
                        // will be (background the other image hides: it stays with the background instead of
                        // following DIS's guess, which would leave a hole where the object was)
                        f[2 * i] = global[2 * i];
                        f[2 * i + 1] = global[2 * i + 1];
                    }
                }
            }
        }
        flow.put(0, 0, f);
    }

    /** Whether full-resolution (x, y) of the source lies where the region is in the other image. */
    private static boolean covered(Region r, double x, double y) {
        return x >= r.x0() + r.dx() && x <= r.x1() + r.dx() && y >= r.y0() + r.dy() && y <= r.y1() + r.dy();
    }

    /** Mean absolute colour difference of source pixel i and the target (BGR bytes) at (x, y), bilinear. */
    private static float error(byte[] src, int i, byte[] img, int w, int h, float x, float y) {
        x = Math.max(0, Math.min(w - 1.001f, x));
        y = Math.max(0, Math.min(h - 1.001f, y));
        int x0 = (int) x, y0 = (int) y;
        float ax = x - x0, ay = y - y0;
        int j = 3 * (y0 * w + x0), r = 3 * w;
        float e = 0;
        for (int c = 0; c < 3; c++) {
            float v = ((img[j + c] & 0xff) * (1 - ax) + (img[j + 3 + c] & 0xff) * ax) * (1 - ay)
                    + ((img[j + r + c] & 0xff) * (1 - ax) + (img[j + r + 3 + c] & 0xff) * ax) * ay;
            e += Math.abs((src[3 * i + c] & 0xff) - v);
        }
        return e / 3;
    }

    /** Mean over a (2 rad + 1) square window, clipped at the edges. */
    private static float[] boxFilter(float[] v, int w, int h, int rad) {
        Mat m = new Mat(h, w, CvType.CV_32F), out = new Mat();
        m.put(0, 0, v);
        Imgproc.blur(m, out, new Size(2 * rad + 1, 2 * rad + 1), new org.opencv.core.Point(-1, -1),
                Core.BORDER_REPLICATE);
        float[] r = new float[w * h];
        out.get(0, 0, r);
        m.release();
        out.release();
        return r;
    }
}
