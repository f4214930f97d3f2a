package io.framegate.engine;

import org.opencv.core.Core;
import org.opencv.core.CvType;
import org.opencv.core.Mat;
import org.opencv.core.Point;
import org.opencv.core.Rect;
import org.opencv.core.Scalar;
import org.opencv.core.Size;
import org.opencv.imgproc.Imgproc;

import java.util.ArrayList;
import java.util.List;

/**
 * Objects that move farther than the flow can follow, drawn as rigid layers over the morph of a keyframe pair. DIS is
 * coarse to fine: an object smaller than its motion (a 112 px ball moving 200 px at 720p) vanishes at the pyramid
 * levels coarse enough to see the motion, the flow keeps it where it was and the in-between shows it twice. Where a
 * changed region that the flow fails on is found again in the other keyframe ({@link MotionSeeds}), its pixels that
 * match there and not in place are the object; in its swept zone the in-between is then composed from scratch: the
 * background at the global motion, each pixel from the keyframe(s) that show it (no ghost where the object was or
 * will be), and the object once, at its place at t, from both keyframes.
 * <p>
 * Depth: two frames say the object is in front of what it hides in either of them, and nothing about content both
 * show. The object is drawn in front of such content only where it belongs to a surface the object was seen hiding
 * ({@link HiddenSurface}); elsewhere (another surface: a pillar it passes behind) it is drawn behind.
 * <p>
 * Runs only for keyframe pairs (not for consecutive frames of a sequence, whose motions are small) and only when a
 * large changed region is left unexplained by the flow, so an ordinary pair pays one small difference image.
 */
final class MovingLayers {
    /** Share of a changed region whose flow match fails (error above {@link MotionSeeds#UNMATCHED}) to search it. */
    static final double UNEXPLAINED = 0.3;
    /** Pixels around the swept zone over which the composed zone fades into the morph. */
    static final int MARGIN = 12;

    /** One rigid object: its soft mask in A over {@code box}, its motion A to B, its zone and the surface it hides. */
    private record Layer(Rect box, float[] alpha, boolean[] hard, int dx, int dy, Rect zone, boolean[] surface) {
        float alphaAt(double x, double y) {
            double u = x - box.x, v = y - box.y;
            if (u < 0 || v < 0 || u > box.width - 1 || v > box.height - 1) return 0;
            int x0 = Math.min((int) u, box.width - 2), y0 = Math.min((int) v, box.height - 2);
            float ax = (float) (u - x0), ay = (float) (v - y0);
            int i = y0 * box.width + x0;
            return (alpha[i] * (1 - ax) + alpha[i + 1] * ax) * (1 - ay)
                    + (alpha[i + box.width] * (1 - ax) + alpha[i + box.width + 1] * ax) * ay;
        }

        /** Whether the background at A's pixel (x, y) belongs to the surface the object hides. */
        boolean onSurface(double x, double y) {
            int u = (int) Math.round(x) - zone.x, v = (int) Math.round(y) - zone.y;
            return u >= 0 && v >= 0 && u < zone.width && v < zone.height && surface[v * zone.width + u];
        }

        /** Whether A's pixel (x, y) is the object. */
        boolean covers(double x, double y) {
            int u = (int) Math.round(x) - box.x, v = (int) Math.round(y) - box.y;
            return u >= 0 && v >= 0 && u < box.width && v < box.height && hard[v * box.width + u];
        }
    }

    private final int width;
    private final int height;
    private final double[] h;
    private final byte[] pixA;
    private final byte[] pixB;
    private final List<Layer> layers;

    private MovingLayers(int width, int height, double[] h, byte[] pixA, byte[] pixB, List<Layer> layers) {
        this.width = width;
        this.height = height;
        this.h = h;
        this.pixA = pixA;
        this.pixB = pixB;
        this.layers = layers;
    }

    /**
     * The pair's fast-moving objects, or null when there are none: {@code a, b} ({@code CV_8UC3}) and their greys,
     * {@code h} the global motion (A pixel to B pixel), {@code gridAB} the flow A to B on the {@code sw x sh} splat
     * grid (grid pixels).
     */
    static MovingLayers find(Mat a, Mat b, Mat grayA, Mat grayB, double[] h, float[] gridAB, int sw, int sh) {
        boolean[][] unmatched = new boolean[1][];
        MotionSeeds.Gate gate = (labels, label, box) -> {
            if (unmatched[0] == null) unmatched[0] = unmatched(grayA, grayB, gridAB, sw, sh);
            return unexplained(unmatched[0], sw, sh, labels, label, box);
        };
        List<MotionSeeds.Region> regions = MotionSeeds.find(grayA, grayB, h, gate);
        if (regions.isEmpty()) return null;
        int w = a.cols(), hgt = a.rows();
        Mat bOnA = new Mat(), hm = new Mat(3, 3, CvType.CV_64F);
        hm.put(0, 0, h);
        Imgproc.warpPerspective(b, bOnA, hm, b.size(), Imgproc.INTER_LINEAR | Imgproc.WARP_INVERSE_MAP,
                Core.BORDER_REPLICATE);
        hm.release();
        List<Layer> layers = new ArrayList<>();
        try {
            for (MotionSeeds.Region r : regions) {
                Layer l = layer(a, b, grayA, grayB, bOnA, h, r);
                if (l != null) layers.add(l);
            }
        } finally {
            bOnA.release();
        }
        if (layers.isEmpty()) return null;
        byte[] pa = new byte[3 * w * hgt], pb = new byte[3 * w * hgt];
        a.get(0, 0, pa);
        b.get(0, 0, pb);
        return new MovingLayers(w, hgt, h, pa, pb, layers);
    }

    int count() {
        return layers.size();
    }

    /** Per splat grid cell: whether A's pixel there matches nowhere along the flow (windowed grey error). */
    private static boolean[] unmatched(Mat grayA, Mat grayB, float[] flow, int sw, int sh) {
        Mat ga = new Mat(), gb = new Mat();
        Imgproc.resize(grayA, ga, new Size(sw, sh), 0, 0, Imgproc.INTER_AREA);
        Imgproc.resize(grayB, gb, new Size(sw, sh), 0, 0, Imgproc.INTER_AREA);
        byte[] va = new byte[sw * sh], vb = new byte[sw * sh];
        ga.get(0, 0, va);
        gb.get(0, 0, vb);
        ga.release();
        gb.release();
        float[] err = new float[sw * sh];
        float[] fb = new float[sw * sh];
        for (int i = 0; i < fb.length; i++) fb[i] = vb[i] & 0xff;
        for (int y = 0; y < sh; y++) {
            for (int x = 0; x < sw; x++) {
                int i = y * sw + x;
                float v = FlowSplat.bilinear(fb, 1, 0, x + flow[2 * i], y + flow[2 * i + 1], sw, sh);
                err[i] = Math.abs((va[i] & 0xff) - v);
            }
        }
        Mat e = new Mat(sh, sw, CvType.CV_32F);
        e.put(0, 0, err);
        Imgproc.blur(e, e, new Size(3, 3));
        e.get(0, 0, err);
        e.release();
        boolean[] out = new boolean[sw * sh];
        for (int i = 0; i < out.length; i++) out[i] = err[i] > MotionSeeds.UNMATCHED;
        return out;
    }

    /** Whether at least {@link #UNEXPLAINED} of a changed region (work-size labels) is unmatched on the grid. */
    private static boolean unexplained(boolean[] unmatched, int sw, int sh, Mat labels, int label, Rect box) {
        int ww = labels.cols(), wh = labels.rows();
        int[] row = new int[box.width];
        int in = 0, bad = 0;
        for (int y = box.y; y < box.y + box.height; y++) {
            labels.get(y, box.x, row);
            int gy = Math.min(sh - 1, (int) ((y + 0.5) * sh / wh));
            for (int x = 0; x < box.width; x++) {
                if (row[x] != label) continue;
                int gx = Math.min(sw - 1, (int) ((box.x + x + 0.5) * sw / ww));
                in++;
                if (unmatched[gy * sw + gx]) bad++;
            }
        }
        return bad >= UNEXPLAINED * in;
    }

    /** The object of one matched region at full resolution, or null when too little of it matches moved. */
    private static Layer layer(Mat a, Mat b, Mat grayA, Mat grayB, Mat bOnA, double[] h, MotionSeeds.Region r) {
        int w = a.cols(), hgt = a.rows();
        Rect box = clip(new Rect((int) Math.floor(r.x0()), (int) Math.floor(r.y0()),
                (int) Math.ceil(r.x1() - r.x0()) + 1, (int) Math.ceil(r.y1() - r.y0()) + 1), w, hgt);
        int[] d = refine(grayA, grayB, bOnA, box, (int) Math.round(r.dx()), (int) Math.round(r.dy()));
        int dx = d[0], dy = d[1];
        // where the box lands in B must be inside B
        Rect shifted = clip(new Rect(box.x + dx, box.y + dy, box.width, box.height), w, hgt);
        box = new Rect(shifted.x - dx, shifted.y - dy, shifted.width, shifted.height);
        if (box.width < 4 || box.height < 4) return null;
        Mat aBox = a.submat(box), moved = b.submat(new Rect(box.x + dx, box.y + dy, box.width, box.height));
        Mat eMoved = new Mat(), eStill = new Mat();
        Core.absdiff(aBox, moved, eMoved);
        Core.absdiff(aBox, bOnA.submat(box), eStill);
        Imgproc.blur(eMoved, eMoved, new Size(5, 5));
        Imgproc.blur(eStill, eStill, new Size(5, 5));
        int n = box.width * box.height;
        byte[] em = new byte[3 * n], es = new byte[3 * n];
        eMoved.get(0, 0, em);
        eStill.get(0, 0, es);
        eMoved.release();
        eStill.release();
        // the object: matches where it moved to, and not in place (content that matches both is still background);
        // colour errors, summed over the channels: a red object over a red surface differs in saturation, not grey
        Mat obj = Mat.zeros(box.height, box.width, CvType.CV_8U);
        byte[] ov = new byte[n];
        for (int i = 0; i < n; i++) {
            int m = (em[3 * i] & 0xff) + (em[3 * i + 1] & 0xff) + (em[3 * i + 2] & 0xff);
            int s = (es[3 * i] & 0xff) + (es[3 * i + 1] & 0xff) + (es[3 * i + 2] & 0xff);
            if (2 * m < s && s > MotionSeeds.CHANGED) ov[i] = (byte) 255;
        }
        obj.put(0, 0, ov);
        keepLargest(obj);
        Mat kernel = Imgproc.getStructuringElement(Imgproc.MORPH_ELLIPSE, new Size(7, 7));
        Imgproc.morphologyEx(obj, obj, Imgproc.MORPH_CLOSE, kernel);
        kernel.release();
        fillHoles(obj);
        obj.get(0, 0, ov);
        int area = 0;
        boolean[] hard = new boolean[n];
        for (int i = 0; i < n; i++) if (hard[i] = ov[i] != 0) area++;
        if (area < MotionSeeds.MIN_AREA * w * hgt) {
            obj.release();
            return null;
        }
        Mat soft = new Mat();
        obj.convertTo(soft, CvType.CV_32F, 1 / 255.0);
        Imgproc.GaussianBlur(soft, soft, new Size(3, 3), 0);
        float[] alpha = new float[n];
        soft.get(0, 0, alpha);
        soft.release();
        obj.release();
        Rect zone = clip(grow(union(box, new Rect(box.x + dx, box.y + dy, box.width, box.height)), MARGIN), w, hgt);
        Layer l = new Layer(box, alpha, hard, dx, dy, zone, null);
        boolean[] surface = HiddenSurface.of(a, bOnA, h, zone, box, l::covers, dx, dy);
        return new Layer(box, alpha, hard, dx, dy, zone, surface);
    }

    /**
     * The coarse motion {@code dx, dy} refined to the pixel at full resolution, within 10 px: the coarse search is off
     * by a few work pixels where the object's stripes run parallel to the background's (6 px at 720p in the pillar test).
     */
    private static int[] refine(Mat grayA, Mat grayB, Mat bOnA, Rect box, int dx, int dy) {
        int reach = 10;
        Rect window = new Rect(box.x + dx - reach, box.y + dy - reach, box.width + 2 * reach, box.height + 2 * reach);
        if (window.x < 0 || window.y < 0 || window.x + window.width > grayB.cols()
                || window.y + window.height > grayB.rows()) return new int[]{dx, dy};
        // only what changed in place: the still background around the object in the box would pull the match
        Mat result = new Mat(), changed = new Mat(), still = new Mat();
        Imgproc.cvtColor(bOnA.submat(box), still, Imgproc.COLOR_BGR2GRAY);
        Core.absdiff(grayA.submat(box), still, changed);
        Imgproc.blur(changed, changed, new Size(5, 5));
        Imgproc.threshold(changed, changed, MotionSeeds.CHANGED / 2, 255, Imgproc.THRESH_BINARY);
        // its inside only: the blur spreads the change onto the background around it
        Imgproc.erode(changed, changed, Imgproc.getStructuringElement(Imgproc.MORPH_RECT, new Size(7, 7)));
        Imgproc.matchTemplate(grayB.submat(window), grayA.submat(box), result, Imgproc.TM_SQDIFF, changed);
        changed.release();
        still.release();
        Core.MinMaxLocResult mm = Core.minMaxLoc(result);
        result.release();
        return new int[]{window.x + (int) mm.minLoc.x - box.x, window.y + (int) mm.minLoc.y - box.y};
    }

    /**
     * Paints the layers of time {@code t} into {@code out} (the morph at t, {@code CV_8UC3}): in each zone the
     * background at the global motion from the keyframe(s) showing it and the object at its place at t.
     */
    void paint(double t, Mat out) {
        double[] ht = new double[9];
        for (int i = 0; i < 9; i++) ht[i] = (1 - t) * GlobalMotion.IDENTITY[i] + t * h[i];
        double[] toA = CameraRig.invert(ht);
        for (Layer l : layers) {
            Rect z = l.zone();
            Mat roi = out.submat(z);
            byte[] px = new byte[3 * z.width * z.height];
            roi.get(0, 0, px);
            float[] colA = new float[3], colB = new float[3], objA = new float[3], objB = new float[3];
            for (int y = 0; y < z.height; y++) {
                for (int x = 0; x < z.width; x++) {
                    int gx = z.x + x, gy = z.y + y;
                    // the background: where it is in A (global motion to t undone) and in B; from the keyframes
                    // that show it, with the time weights
                    double[] pA = CameraRig.project(toA, gx, gy);
                    double[] pB = CameraRig.project(h, pA[0], pA[1]);
                    boolean visA = !l.covers(pA[0], pA[1]), visB = !l.covers(pB[0] - l.dx(), pB[1] - l.dy());
                    sample(pixA, pA[0], pA[1], colA);
                    sample(pixB, pB[0], pB[1], colB);
                    float wa = (float) ((1 - t) * (visA ? 1 : 0)), wb = (float) (t * (visB ? 1 : 0));
                    if (wa + wb == 0) {
                        wa = (float) (1 - t);
                        wb = (float) t;
                    }
                    float ka = wa / (wa + wb), kb = wb / (wa + wb);
                    // the object at its place at t, over the background where it is in front of it
                    double ox = gx - t * l.dx(), oy = gy - t * l.dy();
                    boolean front = !visA || !visB || l.onSurface(pA[0], pA[1]);
                    float alpha = front ? l.alphaAt(ox, oy) : 0;
                    if (alpha > 0) {
                        sample(pixA, ox, oy, objA);
                        sample(pixB, ox + l.dx(), oy + l.dy(), objB);
                    }
                    int k = 3 * (y * z.width + x);
                    // into the morph over the zone's outer MARGIN pixels
                    int fromEdge = Math.min(Math.min(gx - z.x, z.x + z.width - 1 - gx), Math.min(gy - z.y, z.y + z.height - 1 - gy));
                    float edge = Math.min(1f, (fromEdge + 1f) / MARGIN);
                    for (int c = 0; c < 3; c++) {
                        float v = ka * colA[c] + kb * colB[c];
                        if (alpha > 0) v = alpha * (float) ((1 - t) * objA[c] + t * objB[c]) + (1 - alpha) * v;
                        v = edge * v + (1 - edge) * (px[k + c] & 0xff);
                        px[k + c] = (byte) Math.max(0, Math.min(255, Math.round(v)));
                    }
                }
            }
            roi.put(0, 0, px);
        }
    }

    private void sample(byte[] img, double x, double y, float[] out) {
        x = Math.max(0, Math.min(width - 1.001, x));
        y = Math.max(0, Math.min(height - 1.001, y));
        int x0 = (int) x, y0 = (int) y;
        float ax = (float) (x - x0), ay = (float) (y - y0);
        int j = 3 * (y0 * width + x0), r = 3 * width;
        for (int c = 0; c < 3; c++) {
            out[c] = ((img[j + c] & 0xff) * (1 - ax) + (img[j + 3 + c] & 0xff) * ax) * (1 - ay)
                    + ((img[j + r + c] & 0xff) * (1 - ax) + (img[j + r + 3 + c] & 0xff) * ax) * ay;
        }
    }

    private static void keepLargest(Mat mask) {
        Mat labels = new Mat(), stats = new Mat(), centroids = new Mat();
        int count = Imgproc.connectedComponentsWithStats(mask, labels, stats, centroids, 8, CvType.CV_32S);
        int best = 0, bestArea = 0;
        for (int i = 1; i < count; i++) {
            int area = (int) stats.get(i, Imgproc.CC_STAT_AREA)[0];
            if (area > bestArea) {
                best = i;
                bestArea = area;
            }
        }
        Core.compare(labels, new Scalar(best), mask, Core.CMP_EQ);
        if (best == 0) mask.setTo(new Scalar(0));
        for (Mat m : new Mat[]{labels, stats, centroids}) m.release();
    }

    /** Sets the holes of a binary mask (background not connected to its border). */
    private static void fillHoles(Mat mask) {
        Mat padded = new Mat();
        Core.copyMakeBorder(mask, padded, 1, 1, 1, 1, Core.BORDER_CONSTANT, new Scalar(0));
        Mat ff = Mat.zeros(padded.rows() + 2, padded.cols() + 2, CvType.CV_8U);
        Mat outside = padded.clone();
        Imgproc.floodFill(outside, ff, new Point(0, 0), new Scalar(255));
        // outside now: object and outside set, holes 0
        Mat holes = new Mat();
        Core.bitwise_not(outside, holes);
        Core.bitwise_or(padded, holes, padded);
        padded.submat(1, padded.rows() - 1, 1, padded.cols() - 1).copyTo(mask);
        for (Mat m : new Mat[]{padded, ff, outside, holes}) m.release();
    }

    private static Rect union(Rect p, Rect q) {
        int x0 = Math.min(p.x, q.x), y0 = Math.min(p.y, q.y);
        return new Rect(x0, y0, Math.max(p.x + p.width, q.x + q.width) - x0, Math.max(p.y + p.height, q.y + q.height) - y0);
    }

    private static Rect grow(Rect r, int m) {
        return new Rect(r.x - m, r.y - m, r.width + 2 * m, r.height + 2 * m);
    }

    private static Rect clip(Rect r, int w, int h) {
        int x0 = Math.max(0, r.x), y0 = Math.max(0, r.y);
        int x1 = Math.min(w, r.x + r.width), y1 = Math.min(h, r.y + r.height);
        return new Rect(x0, y0, Math.max(0, x1 - x0), Math.max(0, y1 - y0));
    }
}
