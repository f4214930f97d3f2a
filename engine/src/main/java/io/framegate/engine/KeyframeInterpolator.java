package io.framegate.engine;

import org.opencv.core.Core;
import org.opencv.core.CvType;
import org.opencv.core.Mat;
import org.opencv.core.Scalar;
import org.opencv.core.Size;
import org.opencv.imgproc.Imgproc;
import org.opencv.video.DISOpticalFlow;

import java.util.List;
import java.util.Locale;

/**
 * Motion-compensated in-betweens of two keyframes. Everything expensive happens once per pair in {@link #prepare}:
 * global alignment ({@link GlobalMotion}) as initialisation, dense DIS optical flow in both directions, and the
 * forward-backward check of every pixel ({@link FlowSplat}). {@link #frameAt} projects both flows to the frame's time
 * by forward splatting, where a pixel that matches well wins over one its own keyframe's partner hides (so a moving
 * object is drawn once, at its place at t, and the background it uncovers comes from the keyframe that shows it), then
 * warps both keyframes backward along the projected flows (bicubic) and blends them with the time weights.
 * <p>
 * Keyframes that do not show the same content get a graceful transition instead of a broken morph: below
 * {@value #HIGH_CONFIDENCE} confidence the morph is mixed per pixel with a cross-dissolve where the flow
 * is unreliable, below {@value #LOW_CONFIDENCE} only the (aligned or zooming) dissolve remains.
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
     * (PSNR 22.21 vs 22.07 dB, SSIM 0.691 vs 0.677); keyframes of different scenes score below 0.3.
     */
    static final double HIGH_CONFIDENCE = 0.45;
    static final double LOW_CONFIDENCE = 0.25;
    /**
     * Local fallback of a morph: where the splatted match reliability of the frame at t is below {@code LOCAL_HI} the
     * morph is mixed with a plain cross-fade, fully at {@code LOCAL_LO} and below (a wrongly moved patch costs more
     * than a local double exposure). Chosen on the tuning half at 640x360 (mean PSNR / SSIM, before -> after): orbit
     * gap 21.77 / 0.7221 -> 21.90 / 0.7201, occluder gap 26.21 / 0.9328 -> 26.40 / 0.9416, bbb-17 gap 24.26 / 0.9046
     * -> 24.87 / 0.9065, bbb-17 4x 30.56 / 0.9442 -> 30.89 / 0.9459, the other tuning cases within 0.08 dB; tried
     * 0.15-0.3 / 0.5-0.8 (a higher top helps the real footage and costs the orbit).
     */
    static final float LOCAL_LO = 0.25f;
    static final float LOCAL_HI = 0.6f;

    /** How the two keyframes are joined. */
    public enum Join { FLOW, FLOW_AND_DISSOLVE, DISSOLVE }

    private final int width;
    private final int height;
    private final Mat a;
    private final Mat b;
    /** The pair's flows, checks and projection to intermediate times, on the splat grid. */
    private final FlowSplat splat;
    private final GlobalMotion global;
    private final boolean globalReliable;
    /** How many independently moving objects seeded the flow ({@link MotionSeeds}). */
    private final int seedCount;
    /**
     * Per splat grid cell, 0..1: how much the cell lies on a seeded object's path (null without seeds). There each
     * keyframe is weighted by its share of the splatted pixels - the background an object uncovers comes from the
     * keyframe that shows it - instead of the time weights, and the local cross-fade is not used: both would show the
     * object at its two keyframe spots.
     */
    private final float[] zone;
    private final double confidence;
    private final Join join;
    /**
     * Whether the pair is worked on as (B, A): every pair is taken in one canonical order of its two images, so that
     * the reversed pair gives exactly the same frames backward (a loop A - B - A turns without a seam).
     */
    private final boolean reversed;

    private KeyframeInterpolator(Mat a, Mat b, Preset preset, boolean reversed) {
        this.reversed = reversed;
        this.width = a.cols();
        this.height = a.rows();
        this.a = a.clone();
        this.b = b.clone();
        Mat grayA = new Mat(), grayB = new Mat();
        Imgproc.cvtColor(a, grayA, Imgproc.COLOR_BGR2GRAY);
        Imgproc.cvtColor(b, grayB, Imgproc.COLOR_BGR2GRAY);
        // consecutive frames of a sequence: a shift is enough (the ORB homography costs ~30 ms a pair, rarely wins there)
        global = GlobalMotion.estimate(grayA, grayB, preset != Preset.SEQUENCE);

        // objects moving far apart from the camera, as DIS candidates (keyframe pairs only: the motions between
        // consecutive frames of a sequence are small)
        List<MotionSeeds.Region> seeds = preset == Preset.SEQUENCE || System.getenv("SEEDS_OFF") != null ? List.of()
                : MotionSeeds.find(grayA, grayB, global.h());
        seedCount = seeds.size();
        Mat flowAB = flow(grayA, grayB, global.h(), seeds, preset);
        Mat flowBA = flow(grayB, grayA, CameraRig.invert(global.h()),
                seeds.stream().map(MotionSeeds.Region::reversed).toList(), preset);
        if (!seeds.isEmpty()) {
            MotionSeeds.fuse(a, b, flowAB, globalFlow(global.h(), flowAB), seeds, flowAB.cols() / (double) width,
                    flowAB.rows() / (double) height);
            MotionSeeds.fuse(b, a, flowBA, globalFlow(CameraRig.invert(global.h()), flowBA),
                    seeds.stream().map(MotionSeeds.Region::reversed).toList(), flowBA.cols() / (double) width,
                    flowBA.rows() / (double) height);
        }
        double s = Math.min(1.0, (double) FlowSplat.MAX_SIDE / Math.max(width, height));
        int sw = Math.max(2, (int) Math.round(width * s)), sh = Math.max(2, (int) Math.round(height * s));
        List<MotionSeeds.Region> back = seeds.stream().map(MotionSeeds.Region::reversed).toList();
        float[] gridAB = toGrid(flowAB, sw, sh), gridBA = toGrid(flowBA, sw, sh);
        splat = new FlowSplat(sw, sh, gridAB, gridBA, colours(a, sw, sh), colours(b, sw, sh), hidden(seeds, sw, sh),
                hidden(back, sw, sh), objectWeight(seeds, gridAB, sw, sh), objectWeight(back, gridBA, sw, sh));
        flowAB.release();
        flowBA.release();
        zone = seeds.isEmpty() ? null : zone(seeds, sw, sh);
        confidence = splat.confidence;
        join = confidence >= HIGH_CONFIDENCE ? Join.FLOW : confidence >= LOW_CONFIDENCE ? Join.FLOW_AND_DISSOLVE
                : Join.DISSOLVE;
        // only a dissolve uses it (two full-size warps to find out)
        globalReliable = join != Join.FLOW && !global.isIdentity()
                && GlobalMotion.alignmentError(grayA, grayB, global.h()) < 0.6 * GlobalMotion.alignmentError(grayA, grayB, GlobalMotion.IDENTITY);
        grayA.release();
        grayB.release();
    }

    static final float OBJECT_WEIGHT = Float.parseFloat(System.getenv().getOrDefault("OBJW", "1"));

    private float[] objectWeight(List<MotionSeeds.Region> seeds, float[] grid, int sw, int sh) {
        if (seeds.isEmpty()) return null;
        float[] out = new float[sw * sh];
        java.util.Arrays.fill(out, 1f);
        double kx = (double) sw / width, ky = (double) sh / height;
        for (MotionSeeds.Region r : seeds) {
            float dx = (float) (r.dx() * kx), dy = (float) (r.dy() * ky);
            for (int y = Math.max(0, (int) (r.y0() * ky)); y <= Math.min(sh - 1, (int) Math.ceil(r.y1() * ky)); y++) {
                for (int x = Math.max(0, (int) (r.x0() * kx)); x <= Math.min(sw - 1, (int) Math.ceil(r.x1() * kx)); x++) {
                    int i = y * sw + x;
                    if (Math.hypot(grid[2 * i] - dx, grid[2 * i + 1] - dy) < 1.5) out[i] = OBJECT_WEIGHT;
                }
            }
        }
        return out;
    }

    /** The cells of the splat grid where the seeded objects will be in the other image (null without seeds). */
    private boolean[] hidden(List<MotionSeeds.Region> seeds, int sw, int sh) {
        if (seeds.isEmpty()) return null;
        boolean[] out = new boolean[sw * sh];
        double kx = (double) sw / width, ky = (double) sh / height;
        for (MotionSeeds.Region r : seeds) {
            int x0 = (int) Math.floor((r.x0() + r.dx()) * kx), x1 = (int) Math.ceil((r.x1() + r.dx()) * kx);
            int y0 = (int) Math.floor((r.y0() + r.dy()) * ky), y1 = (int) Math.ceil((r.y1() + r.dy()) * ky);
            for (int y = Math.max(0, y0); y <= Math.min(sh - 1, y1); y++) {
                for (int x = Math.max(0, x0); x <= Math.min(sw - 1, x1); x++) out[y * sw + x] = true;
            }
        }
        return out;
    }

    /** The cells of the splat grid the seeded objects sweep over from A to B, widened a little and softened. */
    private float[] zone(List<MotionSeeds.Region> seeds, int sw, int sh) {
        Mat z = Mat.zeros(sh, sw, CvType.CV_32F);
        double kx = (double) sw / width, ky = (double) sh / height;
        for (MotionSeeds.Region r : seeds) {
            double x0 = Math.min(r.x0(), r.x0() + r.dx()) * kx - 2, x1 = Math.max(r.x1(), r.x1() + r.dx()) * kx + 2;
            double y0 = Math.min(r.y0(), r.y0() + r.dy()) * ky - 2, y1 = Math.max(r.y1(), r.y1() + r.dy()) * ky + 2;
            Imgproc.rectangle(z, new org.opencv.core.Point(x0, y0), new org.opencv.core.Point(x1, y1), new Scalar(1), -1);
        }
        Imgproc.blur(z, z, new Size(5, 5));
        float[] out = new float[sw * sh];
        z.get(0, 0, out);
        z.release();
        return out;
    }

    /** A flow ({@code CV_32FC2}, any size) resampled to the splat grid, in grid pixels, as x, y per pixel. */
    private static float[] toGrid(Mat flow, int sw, int sh) {
        Mat m = flow;
        if (flow.cols() != sw || flow.rows() != sh) {
            m = new Mat();
            Imgproc.resize(flow, m, new Size(sw, sh), 0, 0, Imgproc.INTER_AREA);
            Core.multiply(m, new Scalar((double) sw / flow.cols(), (double) sh / flow.rows()), m);
        }
        float[] out = new float[2 * sw * sh];
        m.get(0, 0, out);
        if (m != flow) m.release();
        return out;
    }

    /** BGR at the splat grid as floats. */
    private static float[] colours(Mat bgr, int sw, int sh) {
        Mat small = new Mat(), f = new Mat();
        if (bgr.cols() != sw || bgr.rows() != sh) Imgproc.resize(bgr, small, new Size(sw, sh), 0, 0, Imgproc.INTER_AREA);
        else bgr.copyTo(small);
        small.convertTo(f, CvType.CV_32FC3);
        float[] out = new float[3 * sw * sh];
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
            case DISSOLVE -> globalReliable ? "aligned cross-dissolve" : "zoom cross-dissolve";
        };
        String seeded = seedCount == 0 ? "" : String.format(Locale.ROOT, ", %d moving object%s seeded", seedCount,
                seedCount == 1 ? "" : "s");
        return String.format(Locale.ROOT, "%s (confidence %.2f, %s%s)", how, confidence, global, seeded);
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
            dissolve(t, out);
            return;
        }
        int sw = splat.width, sh = splat.height, n = sw * sh;
        WarpScratch s = WarpScratch.take(width, height, sw, sh);
        try {
            float[] reliability = s.reliability;
            float[] fromA = zone == null ? null : new float[n];
            splat.at(t, s.toA, s.toB, reliability, fromA, s.acc);
            Mat grid = Grids.of(width, height);
            upField(s.toA, s.small, s.mapA, grid);
            upField(s.toB, s.small, s.mapB, grid);
            remap(a, s.warpA, s.mapA);
            remap(b, s.warpB, s.mapB);
            if (join != Join.FLOW_AND_DISSOLVE) {
                boolean local = false;
                for (int i = 0; i < n; i++) {
                    float w = (reliability[i] - LOCAL_LO) / (LOCAL_HI - LOCAL_LO);
                    w = w < 0 ? 0 : w > 1 ? 1 : w;
                    if (zone != null) w += (1 - w) * zone[i];
                    reliability[i] = w;
                    if (w < 1) local = true;
                }
                if (!local) {
                    morph(t, s, fromA, out);
                    return;
                }
                // the morph in warpA, the cross-fade in warpB, the weights in buffers of their own (each keeps its
                // type from frame to frame, so none is reallocated)
                morph(t, s, fromA, s.warpA);
                Core.addWeighted(a, 1 - t, b, t, 0, s.warpB);
                s.weightGrid.create(sh, sw, CvType.CV_32F);
                s.weightGrid.put(0, 0, reliability);
                Imgproc.resize(s.weightGrid, s.weightMorph, new Size(width, height), 0, 0, Imgproc.INTER_LINEAR);
                Imgproc.GaussianBlur(s.weightMorph, s.weightMorph, new Size(0, 0), Math.max(2, width / 160.0));
                s.weightMorph.convertTo(s.weightFade, -1, -1, 1);
                Imgproc.blendLinear(s.warpA, s.warpB, s.weightMorph, s.weightFade, out);
                return;
            }
            Mat morph = new Mat();
            Core.addWeighted(s.warpA, 1 - t, s.warpB, t, 0, morph);
            Mat weightMorph = upScalar(reliability, sw, sh), weightMix = new Mat();
            Imgproc.GaussianBlur(weightMorph, weightMorph, new Size(0, 0), Math.max(2, width / 160.0));
            Core.subtract(Mat.ones(weightMorph.size(), CvType.CV_32F), weightMorph, weightMix);
            // the fallback under the morph: aligned when the global motion is reliable, else a plain cross-fade (the
            // zoom of the pure dissolve only dresses up a cut, and the mix is no cut)
            Mat mix = new Mat();
            if (globalReliable) {
                dissolve(t, mix);
            } else {
                Core.addWeighted(a, 1 - t, b, t, 0, mix);
            }
            Imgproc.blendLinear(morph, mix, weightMorph, weightMix, out);
            for (Mat m : new Mat[]{weightMorph, weightMix, mix, morph}) m.release();
        } finally {
            s.release();
        }
    }

    /**
     * The two warped keyframes blended: with the time weights, and on seeded objects' paths ({@link #zone}) by each
     * keyframe's share {@code fromA} of the splatted pixels. {@code out} may be {@code s.warpA}.
     */
    private void morph(double t, WarpScratch s, float[] fromA, Mat out) {
        if (zone == null) {
            Core.addWeighted(s.warpA, 1 - t, s.warpB, t, 0, out);
            return;
        }
        int sw = splat.width, sh = splat.height;
        float[] wa = new float[sw * sh];
        for (int i = 0; i < wa.length; i++) wa[i] = (float) ((1 - t) * (1 - zone[i]) + fromA[i] * zone[i]);
        Mat weightA = upScalar(wa, sw, sh), weightB = new Mat(), blended = new Mat();
        weightA.convertTo(weightB, -1, -1, 1);
        Imgproc.blendLinear(s.warpA, s.warpB, weightA, weightB, blended);
        if (System.getenv("SEEDS_DEBUG") != null) {
            org.opencv.imgcodecs.Imgcodecs.imwrite("/tmp/s4m-wa.png", s.warpA);
            org.opencv.imgcodecs.Imgcodecs.imwrite("/tmp/s4m-wb.png", s.warpB);
            Mat v = new Mat();
            weightA.convertTo(v, CvType.CV_8U, 255);
            org.opencv.imgcodecs.Imgcodecs.imwrite("/tmp/s4m-share.png", v);
        }
        blended.copyTo(out);
        for (Mat m : new Mat[]{weightA, weightB, blended}) m.release();
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

    /** A scalar field on the splat grid at full size. */
    private Mat upScalar(float[] field, int sw, int sh) {
        Mat small = new Mat(sh, sw, CvType.CV_32F);
        small.put(0, 0, field);
        if (sw == width && sh == height) return small;
        Mat big = new Mat();
        Imgproc.resize(small, big, new Size(width, height), 0, 0, Imgproc.INTER_LINEAR);
        small.release();
        return big;
    }

    private static void remap(Mat src, Mat out, Mat map) {
        Mat noSecondMap = new Mat();
        // bicubic keeps fine texture (grass, fur) that bilinear sampling at sub-pixel positions blurs: +1.1 dB on the
        // bench's bbb-40 2x case
        Imgproc.remap(src, out, map, noSecondMap, Imgproc.INTER_CUBIC, Core.BORDER_REPLICATE);
        noSecondMap.release();
    }

    /**
     * Cross-dissolve at time t: along the global motion when it is reliable (each image travels part of the way
     * toward the other), else with a slight zoom through the cut.
     */
    private void dissolve(double t, Mat out) {
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

    /**
     * DIS flow from {@code from} to {@code to}, initialised with the global motion, at the working size (at most
     * {@code maxSide} px long), in working-size pixels.
     */
    private static Mat flow(Mat from, Mat to, double[] init, List<MotionSeeds.Region> seeds, Preset preset) {
        int w = from.cols(), h = from.rows();
        int maxSide = preset == Preset.FAST ? 640 : 1024;
        double s = Math.min(1.0, (double) maxSide / Math.max(w, h));
        Mat f0 = from, t0 = to;
        if (s < 1) {
            Size size = new Size(Math.round(w * s), Math.round(h * s));
            f0 = new Mat();
            t0 = new Mat();
            Imgproc.resize(from, f0, size, 0, 0, Imgproc.INTER_AREA);
            Imgproc.resize(to, t0, size, 0, 0, Imgproc.INTER_AREA);
        }
        int fw = f0.cols(), fh = f0.rows();
        double sx = (double) fw / w, sy = (double) fh / h;
        Mat flow = new Mat(fh, fw, CvType.CV_32FC2);
        float[] initFlow = globalFlow(init, w, h, fw, fh);
        for (MotionSeeds.Region r : seeds) {
            // full-resolution pixel index to working pixel index, as for the homography above
            int x0 = (int) Math.floor(sx * r.x0() + (sx - 1) / 2), x1 = (int) Math.ceil(sx * r.x1() + (sx - 1) / 2);
            int y0 = (int) Math.floor(sy * r.y0() + (sy - 1) / 2), y1 = (int) Math.ceil(sy * r.y1() + (sy - 1) / 2);
            float fx = (float) (sx * r.dx()), fy = (float) (sy * r.dy());
            for (int y = Math.max(0, y0); y <= Math.min(fh - 1, y1); y++) {
                for (int x = Math.max(0, x0); x <= Math.min(fw - 1, x1); x++) {
                    initFlow[2 * (y * fw + x)] = fx;
                    initFlow[2 * (y * fw + x) + 1] = fy;
                }
            }
        }
        flow.put(0, 0, initFlow);
        DISOpticalFlow dis = DisPool.get(preset, fw, fh);
        try {
            dis.calc(f0, t0, flow);
        } finally {
            // OpenCV's Java objects free their native part in a finaliser: without the fence the JIT may consider
            // dis unreachable while its own calc runs (a SIGSEGV in libopencv_video, seen in the bench)
            java.lang.ref.Reference.reachabilityFence(dis);
        }
        if (f0 != from) {
            f0.release();
            t0.release();
        }
        return flow;
    }

    /** The flow of homography {@code h} (full-resolution {@code w x h} pixels) at a {@code fw x fh} working size. */
    private static float[] globalFlow(double[] init, int w, int h, int fw, int fh) {
        double sx = (double) fw / w, sy = (double) fh / h;
        double[] scale = {sx, 0, (sx - 1) / 2, 0, sy, (sy - 1) / 2, 0, 0, 1};
        double[] m = CameraRig.mul(scale, CameraRig.mul(init, CameraRig.invert(scale)));
        float[] out = new float[2 * fw * fh];
        for (int y = 0; y < fh; y++) {
            for (int x = 0; x < fw; x++) {
                double d = m[6] * x + m[7] * y + m[8];
                int i = 2 * (y * fw + x);
                out[i] = (float) ((m[0] * x + m[1] * y + m[2]) / d - x);
                out[i + 1] = (float) ((m[3] * x + m[4] * y + m[5]) / d - y);
            }
        }
        return out;
    }

    private float[] globalFlow(double[] h, Mat flow) {
        return globalFlow(h, width, height, flow.cols(), flow.rows());
    }

    @Override
    public void close() {
        a.release();
        b.release();
    }
}
