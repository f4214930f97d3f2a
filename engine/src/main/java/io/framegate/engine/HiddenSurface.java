package io.framegate.engine;

import org.opencv.core.Core;
import org.opencv.core.CvType;
import org.opencv.core.Mat;
import org.opencv.core.Rect;
import org.opencv.core.Size;
import org.opencv.imgproc.Imgproc;

/**
 * The surface a moving object was seen hiding, for {@link MovingLayers}' depth order: the object is drawn in front of
 * background both keyframes show only where it belongs to this surface.
 * <p>
 * That surface is what B shows where the object is in A, and what A shows where it is in B (seeded region growing,
 * Adams and Bischof 1994): it grows from there through the background both show, pixel to neighbouring pixel, across
 * smooth change ({@link #SMOOTH}) and across the edges of its own texture - the colour pairs (8-level bins) that meet
 * at {@link #OWN_EDGE} or more of the edges inside the hidden part - and stops at any other edge: where another
 * surface begins, the colours on the two sides of its outline are not a pair the hidden surface's texture has. Edges
 * rather than a colour palette, because a surface in front can be painted in the same colours (the pillar test's
 * bricks share the hues of the disc behind them, and a palette of what was hidden let the growth into the pillar);
 * the bins are narrow for the same reason (with 16-level bins a stripe of the bricks fell into the bin pair of the
 * disc's anti-aliased stripes: the margin is that narrow there). Structures thinner than a quarter of the object (a
 * contour line, a stripe) are then closed into the surface: at the object's scale they are texture of the surface,
 * not a surface of their own. All on a median-filtered copy (texture grain out, step edges kept).
 */
final class HiddenSurface {
    /** Whether A's pixel (x, y) is the object. */
    interface Covers {
        boolean at(double x, double y);
    }

    private HiddenSurface() {
    }

    /** Colour bins per channel (8 grey levels each) that name the two sides of an edge. */
    static final int BINS = 32;
    /** Largest colour step (any channel, grey levels) between neighbouring pixels of one surface's smooth parts. */
    static final int SMOOTH = 10;
    /** Share of the hidden surface's edges a colour pair must make up to count as an edge of its own texture. */
    static final double OWN_EDGE = 0.005;

    private static int step(byte[] pv, int i, int j) {
        int m = 0;
        for (int c = 0; c < 3; c++) m = Math.max(m, Math.abs((pv[3 * i + c] & 0xff) - (pv[3 * j + c] & 0xff)));
        return m;
    }

    private static long pair(int p, int q) {
        return p < q ? (long) p << 32 | q : (long) q << 32 | p;
    }

    /**
     * Per pixel of {@code zone} (A's coordinates): whether the background there belongs to the surface the object in
     * {@code box} ({@code covers}), moving {@code dx, dy} from A to B, was seen hiding; {@code bOnA} is B brought onto
     * A by the global motion {@code h}.
     */
    static boolean[] of(Mat a, Mat bOnA, double[] h, Rect z, Rect box, Covers covers, int dx, int dy) {
        int n = z.width * z.height;
        // the background of the zone with the object taken out: B where the object is in A
        Mat plate = a.submat(z).clone(), objA = Mat.zeros(z.height, z.width, CvType.CV_8U);
        Mat objB = Mat.zeros(z.height, z.width, CvType.CV_8U);
        byte[] oa = new byte[n], ob = new byte[n];
        // where the object is in B, in A's background coordinates: its shift less the camera's there
        double cx = box.x + box.width / 2.0, cy = box.y + box.height / 2.0;
        double[] g = CameraRig.project(h, cx, cy);
        int sx = (int) Math.round(dx - (g[0] - cx)), sy = (int) Math.round(dy - (g[1] - cy));
        for (int y = 0; y < z.height; y++) {
            for (int x = 0; x < z.width; x++) {
                if (covers.at(z.x + x, z.y + y)) oa[y * z.width + x] = (byte) 255;
                if (covers.at(z.x + x - sx, z.y + y - sy)) ob[y * z.width + x] = (byte) 255;
            }
        }
        objA.put(0, 0, oa);
        objB.put(0, 0, ob);
        Mat k5 = Imgproc.getStructuringElement(Imgproc.MORPH_ELLIPSE, new Size(5, 5));
        // the object's anti-aliased rim is neither object nor background: out of the plate and of the seeds
        Mat wide = new Mat();
        Imgproc.dilate(objA, wide, k5);
        bOnA.submat(z).copyTo(plate, wide);
        Imgproc.medianBlur(plate, plate, 5);
        Mat hidA = new Mat(), hidB = new Mat();
        Imgproc.erode(objA, hidA, k5);
        Imgproc.dilate(objB, wide, k5);
        Core.subtract(hidA, wide, hidA);
        Imgproc.erode(objB, hidB, k5);
        Imgproc.dilate(objA, wide, k5);
        Core.subtract(hidB, wide, hidB);
        byte[] ha = new byte[n], hb = new byte[n], pv = new byte[3 * n];
        hidA.get(0, 0, ha);
        hidB.get(0, 0, hb);
        plate.get(0, 0, pv);
        // the colour transitions of the hidden surface's own texture: pairs of colour bins that meet at an edge
        // between neighbouring seed pixels
        int[] bin = new int[n];
        int q = 256 / BINS;
        for (int i = 0; i < n; i++) {
            bin[i] = ((pv[3 * i] & 0xff) / q * BINS + (pv[3 * i + 1] & 0xff) / q) * BINS + (pv[3 * i + 2] & 0xff) / q;
        }
        java.util.Map<Long, Integer> texture = new java.util.HashMap<>();
        int edges = 0;
        for (int y = 0; y < z.height; y++) {
            for (int x = 0; x < z.width; x++) {
                int i = y * z.width + x;
                if (ha[i] == 0 && hb[i] == 0) continue;
                for (int k = 0; k < 2; k++) {
                    int nx = x + (k == 0 ? 1 : 0), ny = y + (k == 1 ? 1 : 0);
                    if (nx >= z.width || ny >= z.height) continue;
                    int j = ny * z.width + nx;
                    if ((ha[j] != 0 || hb[j] != 0) && bin[i] != bin[j] && step(pv, i, j) > SMOOTH) {
                        texture.merge(pair(bin[i], bin[j]), 1, Integer::sum);
                        edges++;
                    }
                }
            }
        }
        double ownEdge = Math.max(2, OWN_EDGE * edges);
        // grow from the object's spots (what is under it in either keyframe is hidden there): to a neighbour across
        // no edge, or across an edge of the hidden surface's own texture
        boolean[] in = new boolean[n];
        int[] queue = new int[n];
        int head = 0, tail = 0;
        for (int i = 0; i < n; i++) {
            if (ha[i] != 0 || hb[i] != 0) {
                in[i] = true;
                queue[tail++] = i;
            }
        }
        while (head < tail) {
            int i = queue[head++], x = i % z.width, y = i / z.width;
            for (int k = 0; k < 4; k++) {
                int nx = x + (k == 0 ? -1 : k == 1 ? 1 : 0), ny = y + (k == 2 ? -1 : k == 3 ? 1 : 0);
                if (nx < 0 || ny < 0 || nx >= z.width || ny >= z.height) continue;
                int j = ny * z.width + nx;
                if (in[j] || step(pv, i, j) > SMOOTH && texture.getOrDefault(pair(bin[i], bin[j]), 0) < ownEdge) continue;
                in[j] = true;
                queue[tail++] = j;
            }
        }
        Mat grown = new Mat(z.height, z.width, CvType.CV_8U);
        byte[] gv = new byte[n];
        for (int i = 0; i < n; i++) gv[i] = in[i] ? (byte) 255 : 0;
        grown.put(0, 0, gv);
        int thin = Math.max(3, (Math.min(box.width, box.height) / 4) | 1);
        Mat kt = Imgproc.getStructuringElement(Imgproc.MORPH_ELLIPSE, new Size(thin, thin));
        Imgproc.morphologyEx(grown, grown, Imgproc.MORPH_CLOSE, kt);
        grown.get(0, 0, gv);
        boolean[] out = new boolean[n];
        for (int i = 0; i < n; i++) out[i] = gv[i] != 0;
        for (Mat m : new Mat[]{plate, objA, objB, k5, wide, hidA, hidB, grown, kt}) m.release();
        return out;
    }
}
