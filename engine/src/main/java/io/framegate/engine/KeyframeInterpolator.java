package io.framegate.engine;

import org.opencv.core.Core;
import org.opencv.core.CvType;
import org.opencv.core.Mat;
import org.opencv.core.Scalar;
import org.opencv.core.Size;
import org.opencv.imgproc.Imgproc;

import java.util.Locale;

/**
 * Motion-compensated in-betweens of two keyframes. Everything expensive happens once per pair in {@link #prepare}:
 * global alignment ({@link GlobalMotion}) as initialisation, dense DIS optical flow in both directions, and the
 * forward-backward check of every pixel ({@link FlowSplat}). {@link #frameAt} projects both flows to the frame's time
 * by forward splatting, where a pixel that matches well wins over one its own keyframe's partner hides (so a moving
 * object is drawn once, at its place at t, and the background it uncovers comes from the keyframe that shows it), then
 * warps both keyframes backward along the projected flows (bicubic) and blends them with the time weights.
 * <p>
 * Where the flow is unreliable the morph falls back locally ({@link MorphFallback}). Keyframes that do not show the
 * same content get a graceful transition instead of a broken morph: below {@value #HIGH_CONFIDENCE} confidence the
 * morph is mixed per pixel with the pair's dissolve, below {@value #LOW_CONFIDENCE} only the (aligned or zooming)
 * dissolve remains.
 * <p>
 * A pair is worked on in one canonical order of its images, so the reversed pair gives the same frames backward.
 * {@link #frameAt} is thread-safe and deterministic.
 */
public final class KeyframeInterpolator implements AutoCloseable {
    /**
     * Flow quality: {@code QUALITY} for final renders, {@code SEQUENCE} for consecutive frames of an image sequence
     * (small motions: fewer descent and refinement iterations and a sparser patch grid, about 25% less flow time for
     * the same accuracy there - 35.26 vs 35.27 dB on the bench's orbit triplets - but 0.5 dB less across a one-second
     * gap), {@code FAST} for previews.
     */
    public enum Preset { QUALITY, SEQUENCE, FAST }

    /**
     * From this confidence on, the morph is used alone. Backward warping leaves no holes, and on the bench's one-second
     * orbit gap (same scene, large occlusions, confidence 0.54) the morph alone beats the morph/dissolve mix
     * (PSNR 22.21 vs 22.07 dB, SSIM 0.691 vs 0.677); keyframes of different scenes score below 0.3. The switch is a
     * cliff for a pair of one scene (session 9): the 720p orbit gap with DIS's refinement made smoother (alpha 40 or
     * gamma 5: confidence 0.44 / 0.43) scores 21.19 / 21.20 dB in the mix and 21.84 / 21.89 with the local fallback
     * instead (23.16 as shipped, confidence 0.57). Kept: no bench case is in the band (the lowest 0.52; footage 0.59 or
     * a cut near 0), and it serves keyframes that may not show one scene, where no figure here says what looks right.
     */
    static final double HIGH_CONFIDENCE = 0.45;
    static final double LOW_CONFIDENCE = 0.25;

    /** How the two keyframes are joined. */
    public enum Join { FLOW, FLOW_AND_DISSOLVE, DISSOLVE }

    private final int width;
    private final int height;
    private final Mat a;
    private final Mat b;
    /** The pair's flows, checks and projection to intermediate times, on the splat grid. */
    private final FlowSplat splat;
    private final GlobalMotion global;
    /** The keyframes' cross-dissolve: the whole frame below {@link #LOW_CONFIDENCE}, under the morph below the high one. */
    private final Dissolve dissolve;
    private final double confidence;
    private final Join join;
    /**
     * Whether the local fallback takes in the morph's local mean ({@link #FALLBACK_BLUR_CELLS}): for keyframe pairs,
     * not for consecutive frames of a sequence, whose small motions leave the cross-fade's two samples close together
     * (with it the held-out cloth's 2x / 4x sequences lost 1.2 dB at 360p, 0.1-0.2 dB with its share scaled by the
     * motion; pan 4x 0.15 dB either way).
     */
    private final boolean meanInFallback;
    /** Whether the morph is blurred where content travelled far ({@link DisplacementBlur}): keyframe pairs only. */
    private final boolean blurByDisplacement;
    /**
     * Whether the pair is worked on as (B, A): every pair is taken in one canonical order of its two images, so that
     * the reversed pair gives exactly the same frames backward (a loop A - B - A turns without a seam).
     */
    private final boolean reversed;

    private KeyframeInterpolator(Mat a, Mat b, Preset preset, boolean reversed) {
        this.reversed = reversed;
        this.meanInFallback = preset != Preset.SEQUENCE;
        this.blurByDisplacement = preset == Preset.QUALITY;
        this.width = a.cols();
        this.height = a.rows();
        this.a = a.clone();
        this.b = b.clone();
        Mat grayA = new Mat(), grayB = new Mat();
        Imgproc.cvtColor(a, grayA, Imgproc.COLOR_BGR2GRAY);
        Imgproc.cvtColor(b, grayB, Imgproc.COLOR_BGR2GRAY);
        Mat[] work = PairFlows.workingImages(grayA, grayB, preset);
        // consecutive frames of a sequence: a shift is enough (the ORB homography costs ~30 ms a pair, rarely wins
        // there), looked for on DIS's working images (at 640x360 a quarter of the 640 px copy's pixels)
        global = preset == Preset.SEQUENCE
                ? GlobalMotion.estimateScaled(work[0], work[1], width, height, false)
                : GlobalMotion.estimate(grayA, grayB, true);

        Mat flowAB = PairFlows.flow(work[0], work[1], width, height, global.h(), preset);
        Mat flowBA = PairFlows.flow(work[1], work[0], width, height, CameraRig.invert(global.h()), preset);
        if (work[0] != grayA) {
            work[0].release();
            work[1].release();
        }
        double s = Math.min(1.0, (double) FlowSplat.MAX_SIDE / Math.max(width, height));
        int sw = Math.max(2, (int) Math.round(width * s)), sh = Math.max(2, (int) Math.round(height * s));
        float[][] grid = FlowSplat.take(sw, sh);
        PairFlows.toGrid(flowAB, sw, sh, grid[FlowSplat.FLOW_AB]);
        PairFlows.toGrid(flowBA, sw, sh, grid[FlowSplat.FLOW_BA]);
        splat = new FlowSplat(sw, sh, grid, colours(a, sw, sh, PairScratch.COLOURS_A), colours(b, sw, sh, PairScratch.COLOURS_B));
        flowAB.release();
        flowBA.release();
        confidence = splat.confidence;
        join = confidence >= HIGH_CONFIDENCE ? Join.FLOW : confidence >= LOW_CONFIDENCE ? Join.FLOW_AND_DISSOLVE
                : Join.DISSOLVE;
        // only a dissolve uses it (two full-size warps to find out)
        boolean globalReliable = join != Join.FLOW && !global.isIdentity()
                && GlobalMotion.alignmentError(grayA, grayB, global.h()) < 0.6 * GlobalMotion.alignmentError(grayA, grayB, GlobalMotion.IDENTITY);
        dissolve = new Dissolve(this.a, this.b, global, globalReliable);
        grayA.release();
        grayB.release();
    }

    /** BGR at the splat grid as floats, in the calling thread's scratch array {@code slot} (valid until its next use). */
    private static float[] colours(Mat bgr, int sw, int sh, int slot) {
        Mat small = new Mat(), f = new Mat();
        if (bgr.cols() != sw || bgr.rows() != sh) Imgproc.resize(bgr, small, new Size(sw, sh), 0, 0, Imgproc.INTER_AREA);
        else bgr.copyTo(small);
        small.convertTo(f, CvType.CV_32FC3);
        float[] out = PairScratch.floats(slot, 3 * sw * sh);
        f.get(0, 0, out);
        small.release();
        f.release();
        return out;
    }

    /** Does the per-pair work; {@code a} and {@code b} are {@code CV_8UC3} of the same size and stay the caller's. */
    public static KeyframeInterpolator prepare(Mat a, Mat b, Preset preset) {
        NativeLibs.ensureLoaded();
        if (a.size().width != b.size().width || a.size().height != b.size().height || a.type() != CvType.CV_8UC3
                || b.type() != CvType.CV_8UC3) {
            throw new IllegalArgumentException("keyframes must be CV_8UC3 of one size: " + a + " / " + b);
        }
        boolean reversed = comesFirst(b, a);
        return reversed ? new KeyframeInterpolator(b, a, preset, true) : new KeyframeInterpolator(a, b, preset, false);
    }

    /** The canonical order of a pair: by mean colour (B, G, R), so it does not depend on which image is first. */
    private static boolean comesFirst(Mat x, Mat y) {
        Scalar mx = Core.mean(x), my = Core.mean(y);
        for (int c = 0; c < 3; c++) {
            if (mx.val[c] != my.val[c]) return mx.val[c] < my.val[c];
        }
        return false;
    }

    public double confidence() {
        return confidence;
    }

    public Join join() {
        return join;
    }

    public String description() {
        String how = switch (join) {
            case FLOW -> "optical-flow morph";
            case FLOW_AND_DISSOLVE -> "optical-flow morph, dissolve where the flow is unreliable";
            case DISSOLVE -> dissolve.aligned() ? "aligned cross-dissolve" : "zoom cross-dissolve";
        };
        return String.format(Locale.ROOT, "%s (confidence %.2f, %s)", how, confidence, global);
    }

    /**
     * The frame at time {@code t} in [0, 1] (0 = first keyframe), as a new {@code CV_8UC3} image: both keyframes are
     * warped backward to time t with the intermediate flows of Super SloMo (Jiang et al. 2018), computed from the two
     * flows of the pair with Mat arithmetic and applied with {@code remap}, and blended with the time weights; where a
     * sample is content only one keyframe shows (the forward-backward check), the other keyframe's sample is mostly
     * ignored, which keeps occluded objects from ghosting.
     */
    public Mat frameAt(double time) {
        Mat out = new Mat();
        frameAt(time, out);
        return out;
    }

    /** As {@link #frameAt(double)}, into {@code out} (reallocated only when it is not a frame of this size). */
    public void frameAt(double time, Mat out) {
        double t = reversed ? 1 - time : time;
        if (join == Join.DISSOLVE) {
            dissolve.frameAt(t, out);
            return;
        }
        int sw = splat.width, sh = splat.height, n = sw * sh;
        WarpScratch s = WarpScratch.take(width, height, sw, sh);
        try {
            splat.at(t, s.toA, s.toB, s.reliability, s.acc);
            Mat grid = Grids.of(width, height);
            upField(s.toA, s.small, s.mapA, grid);
            upField(s.toB, s.small, s.mapB, grid);
            // the fields are in full-size px now
            float blurMax = blurByDisplacement && join == Join.FLOW ? DisplacementBlur.levels(s.toA, s.toB, t, s.blurLevels) : 0;
            remap(a, s.warpA, s.mapA);
            remap(b, s.warpB, s.mapB);
            if (join == Join.FLOW_AND_DISSOLVE) {
                MorphFallback.underDissolve(a, b, t, s, dissolve, out);
            } else if (MorphFallback.toWeights(s.reliability, n)) {
                MorphFallback.local(a, b, t, s, meanInFallback, out);
            } else {
                Core.addWeighted(s.warpA, 1 - t, s.warpB, t, 0, out);
            }
            if (join == Join.FLOW) DisplacementBlur.apply(out, s.blurLevels, blurMax, s);
        } finally {
            s.release();
        }
    }

    /**
     * A field on the splat grid (grid pixels; scaled in place to full-size pixels) as a full-size remap map in
     * {@code map}: scaled up and added to the pixel grid. Scaling before the resize is the same (resize is linear)
     * and saves a pass over the full-size map.
     */
    private void upField(float[] field, Mat small, Mat map, Mat grid) {
        int sw = splat.width, sh = splat.height;
        if (sw == width && sh == height) {
            small.create(sh, sw, CvType.CV_32FC2);
            small.put(0, 0, field);
            Core.add(small, grid, map);
            return;
        }
        float kx = (float) width / sw, ky = (float) height / sh;
        for (int i = 0; i < field.length; i += 2) {
            field[i] *= kx;
            field[i + 1] *= ky;
        }
        small.create(sh, sw, CvType.CV_32FC2);
        small.put(0, 0, field);
        Imgproc.resize(small, map, new Size(width, height), 0, 0, Imgproc.INTER_LINEAR);
        Core.add(map, grid, map);
    }

    private static void remap(Mat src, Mat out, Mat map) {
        Mat noSecondMap = new Mat();
        // bicubic keeps fine texture (grass, fur) that bilinear sampling at sub-pixel positions blurs: +1.1 dB on the
        // bench's bbb-40 2x case
        Imgproc.remap(src, out, map, noSecondMap, Imgproc.INTER_CUBIC, Core.BORDER_REPLICATE);
        noSecondMap.release();
    }

    @Override
    public void close() {
        a.release();
        b.release();
        splat.release();
    }
}
