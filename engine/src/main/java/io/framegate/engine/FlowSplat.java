package io.framegate.engine;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * The flows of one keyframe pair projected to an intermediate time by forward splatting (softmax splatting, Niklaus
 * and Liu 2020, with the photometric match error as importance): every pixel of A travels {@code t} of its flow,
 * every pixel of B {@code 1 - t} of its flow back, and each carries the vectors to its place in both keyframes. Where
 * two pixels land on one spot the one that matches well wins, and a pixel that fails the forward-backward check
 * (content its partner keyframe hides) counts a tenth: a foreground object wins over the background it covers, and the
 * background it uncovers is taken from the keyframe that shows it, instead of the double exposure of the usual
 * backward approximation (Super SloMo's), which reads the flow at the wrong place where an object has moved away.
 * <p>
 * Tried and dropped on the tuning half: weighting the blend by each keyframe's visibility (lower PSNR on every tuning
 * case: the check is too noisy on real footage to take pixels from one keyframe only).
 * <p>
 * Works on plain arrays at the splat resolution (at most {@link #MAX_SIDE} px on the long side); the flows it
 * produces are smooth enough to be scaled up for the full-size warps. Immutable after construction;
 * {@link #at} is thread-safe.
 */
final class FlowSplat {
    /**
     * Long side of the splat grid: motion boundaries are placed to about one grid cell. 320 scored within 0.02 dB of
     * 640 on every tuning case (the flows are smooth; the warps themselves are full size) at a quarter of the cost.
     */
    static final int MAX_SIDE = 320;
    /** Softmax temperature on the mean absolute colour error of a pixel's match (grey levels). */
    static final float ERROR_SCALE = 6f;
    /** Extra factor on the importance of a pixel that fails the forward-backward check (content the other keyframe hides). */
    static final float OCCLUDED_IMPORTANCE = 0.1f;

    final int width;
    final int height;
    private final float[] flowAB;
    private final float[] flowBA;
    /** Splat importance of each pixel of A (B): exp(-error / scale), lowered where the pixel is occluded in B (A). */
    private final float[] importanceA;
    private final float[] importanceB;
    /** Per pixel of A (B): how reliable its match is, 0..1, for the morph/dissolve mix. */
    private final float[] reliableA;
    private final float[] reliableB;
    /** Share of pixels of both keyframes that are seen in the other one with a small match error. */
    final double confidence;

    /**
     * @param arrays from {@link #take} for this grid: {@code [FLOW_AB]} and {@code [FLOW_BA]} hold the flows A to B and
     *               B to A ({@code 2 * width * height}, x then y per pixel, in grid pixels); the splat keeps the set
     *               until {@link #release}
     * @param labA   A at this grid as three float channels per pixel (any colour space; errors are in its units)
     */
    FlowSplat(int width, int height, float[][] arrays, float[] labA, float[] labB) {
        this.width = width;
        this.height = height;
        this.arrays = arrays;
        this.flowAB = arrays[FLOW_AB];
        this.flowBA = arrays[FLOW_BA];
        int n = width * height;
        importanceA = arrays[2];
        importanceB = arrays[3];
        reliableA = arrays[4];
        reliableB = arrays[5];
        int goodA = check(flowAB, flowBA, labA, labB, importanceA, reliableA);
        int goodB = check(flowBA, flowAB, labB, labA, importanceB, reliableB);
        confidence = (goodA + goodB) / (2.0 * n);
    }

    static final int FLOW_AB = 0, FLOW_BA = 1;
    /**
     * Idle array sets kept (up to 3.3 MB each, at a 320x320 grid): enough for the pairs a two-worker sequence prepares
     * ahead of its encoder to be reused; more are dropped, so that a long-lived server keeps at most ~26 MB here.
     */
    private static final int KEEP = 8;
    private static final Deque<float[][]> IDLE = new ArrayDeque<>();
    /** The flows, importances and reliabilities of this pair (see {@link #take}); null once released. */
    private float[][] arrays;

    /**
     * A set of a pair's arrays for a {@code width x height} grid (any content; 1.8 MB at 320x180), an idle one when
     * there is one: new arrays per pair were fresh heap pages in a command (its young generation is not collected
     * before it ends), and each first touch of a page is paid on this kind of machine (a VM).
     */
    static float[][] take(int width, int height) {
        int n = width * height;
        synchronized (IDLE) {
            for (var it = IDLE.iterator(); it.hasNext(); ) {
                float[][] a = it.next();
                if (a[2].length == n) {
                    it.remove();
                    return a;
                }
            }
        }
        return new float[][]{new float[2 * n], new float[2 * n], new float[n], new float[n], new float[n], new float[n]};
    }

    /** Hands the arrays back for another pair (once; a second call does nothing): {@link #at} must not run after. */
    void release() {
        float[][] a;
        synchronized (IDLE) {
            a = arrays;
            arrays = null;
            if (a == null) return;
            IDLE.addFirst(a);
            if (IDLE.size() > KEEP) IDLE.removeLast();
        }
    }

    /** Fills importance and reliability for the pixels of the source image; returns how many match well. */
    private int check(float[] fwd, float[] bwd, float[] src, float[] dst, float[] importance, float[] reliable) {
        int good = 0;
        int w = width, h = height;
        int xMax = w - 2 < 0 ? 0 : w - 2, yMax = h - 2 < 0 ? 0 : h - 2;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int i = y * w + x;
                float fx = fwd[2 * i], fy = fwd[2 * i + 1];
                float qx = x + fx, qy = y + fy;
                boolean inside = qx >= 0 && qy >= 0 && qx <= w - 1 && qy <= h - 1;
                // the backward flow and the colour at q: one bilinear sample position for all five values, the same
                // bilinear arithmetic for each (one index computation instead of five: C1 compiles this)
                // clamped as Math.max(0, Math.min(w - 1, q)) would, without its calls (C1 does not inline them)
                float cx = qx <= 0 ? 0 : qx >= w - 1 ? w - 1 : qx, cy = qy <= 0 ? 0 : qy >= h - 1 ? h - 1 : qy;
                int x0 = Math.min((int) cx, xMax), y0 = Math.min((int) cy, yMax);
                int x1 = Math.min(x0 + 1, w - 1), y1 = Math.min(y0 + 1, h - 1);
                float ax = cx - x0, ay = cy - y0, bx0 = 1 - ax, by0 = 1 - ay;
                int i00 = y0 * w + x0, i10 = y0 * w + x1, i01 = y1 * w + x0, i11 = y1 * w + x1;
                float bx = (bwd[2 * i00] * bx0 + bwd[2 * i10] * ax) * by0 + (bwd[2 * i01] * bx0 + bwd[2 * i11] * ax) * ay;
                float by = (bwd[2 * i00 + 1] * bx0 + bwd[2 * i10 + 1] * ax) * by0
                        + (bwd[2 * i01 + 1] * bx0 + bwd[2 * i11 + 1] * ax) * ay;
                float sx = fx + bx, sy = fy + by;
                // UnFlow's test: |F + B(x + F)|^2 <= 0.01 (|F|^2 + |B(x + F)|^2) + 0.5
                boolean consistent = sx * sx + sy * sy <= 0.01f * (fx * fx + fy * fy + bx * bx + by * by) + 0.5f;
                float err = 0;
                for (int c = 0; c < 3; c++) {
                    float v = (dst[3 * i00 + c] * bx0 + dst[3 * i10 + c] * ax) * by0
                            + (dst[3 * i01 + c] * bx0 + dst[3 * i11 + c] * ax) * ay;
                    err += Math.abs(src[3 * i + c] - v);
                }
                err /= 3f;
                boolean isSeen = inside && consistent;
                importance[i] = (float) Math.exp(-err / ERROR_SCALE) * (isSeen ? 1f : OCCLUDED_IMPORTANCE) + 1e-6f;
                float r = (float) Math.exp(-(err * err) / (2 * 18f * 18f));
                reliable[i] = !inside ? 1f : consistent ? r : r * 0.5f;
                if (isSeen && err < 19.5f) good++;
            }
        }
        return good;
    }

    /**
     * The fields at time {@code t}: {@code toA} and {@code toB} (2 per pixel) point from a pixel of the frame at t to
     * where its content is in A and in B; {@code reliability} (1 per pixel, may be null) is the splatted match
     * reliability. Spots no pixel lands on are filled from their surroundings. {@code acc} is the caller's
     * accumulator ({@link #accumulatorLength} floats, any content): a new 1.4 MB array per frame was a humongous
     * allocation in fresh heap pages, a quarter of a 720p job's page faults.
     */
    void at(double t, float[] toA, float[] toB, float[] reliability, float[] acc) {
        // the fields still point at the arrays after they went back to the pool: another pair's data by now
        if (arrays == null) throw new IllegalStateException("this pair's splat was released");
        int n = width * height;
        // accumulators: sum of weights, then weighted toA (2), toB (2), reliability
        java.util.Arrays.fill(acc, 0, n * CHANNELS, 0f);
        float ta = (float) t, tb = (float) (1 - t);
        // A's pixels, weighted toward A's time: they carry -t F to A and (1-t) F to B
        splat(flowAB, importanceA, reliableA, ta, -ta, tb, tb + 0.05f, acc);
        // B's pixels travel (1-t) of their flow back: t G to A and -(1-t) G to B
        splat(flowBA, importanceB, reliableB, tb, ta, -tb, ta + 0.05f, acc);
        fill(acc, width, height, CHANNELS, 0);
        for (int i = 0; i < n; i++) {
            int k = CHANNELS * i;
            float inv = 1f / acc[k];
            toA[2 * i] = acc[k + 1] * inv;
            toA[2 * i + 1] = acc[k + 2] * inv;
            toB[2 * i] = acc[k + 3] * inv;
            toB[2 * i + 1] = acc[k + 4] * inv;
            if (reliability != null) reliability[i] = acc[k + 5] * inv;
        }
    }

    private static final int CHANNELS = 6;

    static int accumulatorLength(int width, int height) {
        return width * height * CHANNELS;
    }

    /**
     * Splats every pixel of one keyframe to {@code p + move * F(p)} with bilinear weights times its importance and
     * {@code timeWeight}; it carries {@code toA = ka * F}, {@code toB = kb * F} and its reliability.
     */
    private void splat(float[] flow, float[] importance, float[] reliable, float move, float ka, float kb,
                       float timeWeight, float[] acc) {
        int w = width, h = height;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int i = y * w + x;
                float fx = flow[2 * i], fy = flow[2 * i + 1];
                float px = x + move * fx, py = y + move * fy;
                int x0 = (int) Math.floor(px), y0 = (int) Math.floor(py);
                if (x0 < -1 || y0 < -1 || x0 >= w || y0 >= h) continue;
                float ax = px - x0, ay = py - y0;
                float imp = importance[i] * timeWeight;
                float vax = ka * fx, vay = ka * fy, vbx = kb * fx, vby = kb * fy, rel = reliable[i];
                for (int c = 0; c < 4; c++) {
                    int xx = x0 + (c & 1), yy = y0 + (c >> 1);
                    if (xx < 0 || yy < 0 || xx >= w || yy >= h) continue;
                    float bw = ((c & 1) == 0 ? 1 - ax : ax) * ((c >> 1) == 0 ? 1 - ay : ay) * imp;
                    if (bw <= 0) continue;
                    int k = CHANNELS * (yy * w + xx);
                    acc[k] += bw;
                    acc[k + 1] += bw * vax;
                    acc[k + 2] += bw * vay;
                    acc[k + 3] += bw * vbx;
                    acc[k + 4] += bw * vby;
                    acc[k + 5] += bw * rel;
                }
            }
        }
    }

    private static final float HOLE = 1e-3f;

    /**
     * Push-pull hole filling of weighted accumulators ({@code ch} per pixel, the weight first): spots with (almost) no
     * weight get the weighted average of a coarser level, level by level until every spot has one.
     */
    private static void fill(float[] acc, int w, int h, int ch, int depth) {
        boolean holes = false;
        for (int i = 0; i < w * h && !holes; i++) holes = acc[ch * i] < HOLE;
        if (!holes) return;
        if (w <= 1 && h <= 1 || depth > 16) {
            // nothing landed anywhere: zero motion, time weights
            for (int i = 0; i < w * h; i++) {
                int k = ch * i;
                if (acc[k] < HOLE) {
                    java.util.Arrays.fill(acc, k, k + ch, 0f);
                    acc[k] = 1f;
                    acc[k + 5] = 1f;
                }
            }
            return;
        }
        int cw = (w + 1) / 2, chh = (h + 1) / 2;
        float[] coarse = new float[cw * chh * ch];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int s = ch * (y * w + x), d = ch * ((y / 2) * cw + x / 2);
                for (int c = 0; c < ch; c++) coarse[d + c] += acc[s + c];
            }
        }
        fill(coarse, cw, chh, ch, depth + 1);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int s = ch * (y * w + x);
                if (acc[s] >= HOLE) continue;
                int d = ch * ((y / 2) * cw + x / 2);
                float scale = 1f / coarse[d];
                // normalised to weight 1, so a filled spot counts as one sample
                for (int c = 0; c < ch; c++) acc[s + c] = coarse[d + c] * scale;
            }
        }
    }
}
