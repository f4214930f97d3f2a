package io.framegate.engine;

import org.opencv.core.Core;
import org.opencv.core.CvType;
import org.opencv.core.Mat;
import org.opencv.core.MatOfFloat;
import org.opencv.core.Scalar;
import org.opencv.core.Size;
import org.opencv.imgproc.Imgproc;
import org.opencv.video.DISOpticalFlow;

import java.util.Locale;

/**
 * Motion-compensated in-betweens of two keyframes. Everything expensive happens once per pair in {@link #prepare}:
 * global alignment ({@link GlobalMotion}) as initialisation, dense DIS optical flow in both directions,
 * forward-backward consistency for occlusions and a confidence score. {@link #frameAt} then costs a few vectorised
 * OpenCV operations: the intermediate flows of Super SloMo from the two pair flows, two backward warps
 * ({@code remap}) and a per-pixel weighted blend ({@code blendLinear}), about 30 ms for a 720p frame on two cores.
 * <p>
 * Keyframes that do not show the same content get a graceful transition instead of a broken morph: below
 * {@value #HIGH_CONFIDENCE} confidence the morph is mixed per pixel with a cross-dissolve where the flow
 * is unreliable, below {@value #LOW_CONFIDENCE} only the (aligned or zooming) dissolve remains.
 * <p>
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
    /** Weight left to one keyframe's sample where the other keyframe's sample shows content only it has. */
    static final float EXCLUDED_WEIGHT = 0.3f;

    private static final Object DIS_LOCK = new Object();

    /** How the two keyframes are joined. */
    public enum Join { FLOW, FLOW_AND_DISSOLVE, DISSOLVE }

    private final int width;
    private final int height;
    private final Mat a;
    private final Mat b;
    /** Dense flows A to B and B to A ({@code CV_32FC2}), computed once per pair. */
    private final Mat flowAB;
    private final Mat flowBA;
    /** Pixel coordinates ({@code CV_32FC2}: x, y): the identity map that the scaled flows are added to. */
    private final Mat grid;
    /**
     * Per keyframe pixel ({@code CV_8UC1}): 255 where it fails the forward-backward check or leaves the frame (content
     * only this keyframe shows), else 0.
     */
    private final Mat exclusiveA;
    private final Mat exclusiveB;
    /** Per keyframe pixel ({@code CV_8UC1}, 255 = 1): smoothed reliability of its flow, for the morph/dissolve mix. */
    private final Mat confidenceA;
    private final Mat confidenceB;
    private final GlobalMotion global;
    private final boolean globalReliable;
    private final double confidence;
    private final Join join;

    private KeyframeInterpolator(Mat a, Mat b, Preset preset) {
        this.width = a.cols();
        this.height = a.rows();
        this.a = a.clone();
        this.b = b.clone();
        int n = width * height;
        Mat grayA = new Mat(), grayB = new Mat();
        Imgproc.cvtColor(a, grayA, Imgproc.COLOR_BGR2GRAY);
        Imgproc.cvtColor(b, grayB, Imgproc.COLOR_BGR2GRAY);
        global = GlobalMotion.estimate(grayA, grayB);

        flowAB = flow(grayA, grayB, global.h(), preset);
        flowBA = flow(grayB, grayA, CameraRig.invert(global.h()), preset);
        float[] coords = new float[2 * n];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int i = 2 * (y * width + x);
                coords[i] = x;
                coords[i + 1] = y;
            }
        }
        grid = new Mat(height, width, CvType.CV_32FC2);
        grid.put(0, 0, coords);

        exclusiveA = new Mat();
        exclusiveB = new Mat();
        double scoreA = consistency(flowAB, flowBA, a, b, exclusiveA, null);
        double scoreB = consistency(flowBA, flowAB, b, a, exclusiveB, null);
        confidence = (scoreA + scoreB) / 2;
        join = confidence >= HIGH_CONFIDENCE ? Join.FLOW : confidence >= LOW_CONFIDENCE ? Join.FLOW_AND_DISSOLVE
                : Join.DISSOLVE;
        confidenceA = new Mat();
        confidenceB = new Mat();
        if (join == Join.FLOW_AND_DISSOLVE) {
            // per-pixel confidence, only for the morph/dissolve mix (the same check again, with the residual map)
            consistency(flowAB, flowBA, a, b, exclusiveA, confidenceA);
            consistency(flowBA, flowAB, b, a, exclusiveB, confidenceB);
        }
        // only a dissolve uses it (two full-size warps to find out)
        globalReliable = join != Join.FLOW && !global.isIdentity()
                && GlobalMotion.alignmentError(grayA, grayB, global.h()) < 0.6 * GlobalMotion.alignmentError(grayA, grayB, GlobalMotion.IDENTITY);
        grayA.release();
        grayB.release();
    }

    /** Does the per-pair work; {@code a} and {@code b} are {@code CV_8UC3} of the same size and stay the caller's. */
    public static KeyframeInterpolator prepare(Mat a, Mat b, Preset preset) {
        NativeLibs.ensureLoaded();
        if (a.size().width != b.size().width || a.size().height != b.size().height || a.type() != CvType.CV_8UC3
                || b.type() != CvType.CV_8UC3) {
            throw new IllegalArgumentException("keyframes must be CV_8UC3 of one size: " + a + " / " + b);
        }
        return new KeyframeInterpolator(a, b, preset);
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
        return String.format(Locale.ROOT, "%s (confidence %.2f, %s)", how, confidence, global);
    }

    /**
     * The frame at time {@code t} in [0, 1] (0 = first keyframe), as a new {@code CV_8UC3} image: both keyframes are
     * warped backward to time t with the intermediate flows of Super SloMo (Jiang et al. 2018), computed from the two
     * flows of the pair with Mat arithmetic and applied with {@code remap}, and blended with the time weights; where a
     * sample is content only one keyframe shows (the forward-backward check), the other keyframe's sample is mostly
     * ignored, which keeps occluded objects from ghosting.
     */
    public Mat frameAt(double t) {
        if (join == Join.DISSOLVE) return dissolve(t);
        Mat mapA = new Mat(), mapB = new Mat();
        // F(t->0) = -(1-t) t F01 + t^2 F10,  F(t->1) = (1-t)^2 F01 - t (1-t) F10
        Core.addWeighted(flowAB, -(1 - t) * t, flowBA, t * t, 0, mapA);
        Core.add(mapA, grid, mapA);
        Core.addWeighted(flowAB, (1 - t) * (1 - t), flowBA, -t * (1 - t), 0, mapB);
        Core.add(mapB, grid, mapB);
        Mat warpA = remap(a, mapA), warpB = remap(b, mapB);
        Mat exA = remap(exclusiveA, mapA), exB = remap(exclusiveB, mapB);
        // weight of A's sample: (1 - t), down to EXCLUDED_WEIGHT of that where B's sample is content only B shows
        Mat weightA = new Mat(), weightB = new Mat();
        double drop = 1 - EXCLUDED_WEIGHT;
        exB.convertTo(weightA, CvType.CV_32F, -drop * (1 - t) / 255, 1 - t);
        exA.convertTo(weightB, CvType.CV_32F, -drop * t / 255, t);
        Mat morph = new Mat();
        Imgproc.blendLinear(warpA, warpB, weightA, weightB, morph);
        Mat out = morph;
        if (join == Join.FLOW_AND_DISSOLVE) {
            Mat confA = remap(confidenceA, mapA), confB = remap(confidenceB, mapB);
            Mat conf = new Mat();
            Imgproc.blendLinear(confA, confB, weightA, weightB, conf);
            Mat weightMorph = new Mat(), weightMix = new Mat();
            conf.convertTo(weightMorph, CvType.CV_32F, 1 / 255.0);
            conf.convertTo(weightMix, CvType.CV_32F, -1 / 255.0, 1);
            // the fallback under the morph: aligned when the global motion is reliable, else a plain cross-fade (the
            // zoom of the pure dissolve only dresses up a cut, and the mix is no cut)
            Mat mix;
            if (globalReliable) {
                mix = dissolve(t);
            } else {
                mix = new Mat();
                Core.addWeighted(a, 1 - t, b, t, 0, mix);
            }
            out = new Mat();
            Imgproc.blendLinear(morph, mix, weightMorph, weightMix, out);
            for (Mat m : new Mat[]{confA, confB, conf, weightMorph, weightMix, mix, morph}) m.release();
        }
        for (Mat m : new Mat[]{mapA, mapB, warpA, warpB, exA, exB, weightA, weightB}) m.release();
        return out;
    }

    private static Mat remap(Mat src, Mat map) {
        Mat out = new Mat();
        Mat noSecondMap = new Mat();
        Imgproc.remap(src, out, map, noSecondMap, Imgproc.INTER_LINEAR, Core.BORDER_REPLICATE);
        noSecondMap.release();
        return out;
    }

    /**
     * Cross-dissolve at time t: along the global motion when it is reliable (each image travels part of the way
     * toward the other), else with a slight zoom through the cut.
     */
    private Mat dissolve(double t) {
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
        Mat out = new Mat();
        Core.addWeighted(wa, 1 - t, wb, t, 0, out);
        wa.release();
        wb.release();
        return out;
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

    /** DIS flow from {@code from} to {@code to}, initialised with the global motion, at a working size. */
    private static Mat flow(Mat from, Mat to, double[] init, Preset preset) {
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
        double[] scale = {sx, 0, (sx - 1) / 2, 0, sy, (sy - 1) / 2, 0, 0, 1};
        double[] initSmall = CameraRig.mul(scale, CameraRig.mul(init, CameraRig.invert(scale)));
        float[] initFlow = new float[2 * fw * fh];
        double[] m = initSmall;
        for (int y = 0; y < fh; y++) {
            for (int x = 0; x < fw; x++) {
                double d = m[6] * x + m[7] * y + m[8];
                int i = 2 * (y * fw + x);
                initFlow[i] = (float) ((m[0] * x + m[1] * y + m[2]) / d - x);
                initFlow[i + 1] = (float) ((m[3] * x + m[4] * y + m[5]) / d - y);
            }
        }
        flow.put(0, 0, initFlow);
        DISOpticalFlow dis = DISOpticalFlow.create(preset != Preset.FAST ? DISOpticalFlow.PRESET_MEDIUM
                : DISOpticalFlow.PRESET_FAST);
        if (preset != Preset.FAST) {
            boolean sequence = preset == Preset.SEQUENCE;
            // full-resolution patches pay off on small frames; from about 720p the second pyramid level is as accurate
            // for the larger motions such frames have, at a quarter of the cost
            dis.setFinestScale(Math.max(fw, fh) > 800 ? 1 : 0);
            dis.setPatchStride(sequence ? 4 : 3);
            dis.setGradientDescentIterations(sequence ? 20 : 40);
            dis.setVariationalRefinementIterations(sequence ? 5 : 10);
        }
        // one DIS computation at a time per process: it is parallel inside already
        synchronized (DIS_LOCK) {
            try {
                dis.calc(f0, t0, flow);
            } finally {
                // OpenCV's Java objects free their native part in a finaliser: without the fence the JIT may consider
                // dis unreachable while its own calc runs, and the collector frees the algorithm under it (a SIGSEGV
                // in libopencv_video, seen in the bench)
                java.lang.ref.Reference.reachabilityFence(dis);
            }
        }
        if (s < 1) {
            Mat up = new Mat();
            Imgproc.resize(flow, up, new Size(w, h), 0, 0, Imgproc.INTER_LINEAR);
            Core.multiply(up, new org.opencv.core.Scalar(1 / sx, 1 / sy), up);
            flow.release();
            f0.release();
            t0.release();
            flow = up;
        }
        return flow;
    }

    /**
     * Forward-backward check of {@code fwd} against {@code bwd} (UnFlow's test, alpha1 = 0.01, alpha2 = 0.5) and the
     * photometric residual after warping, all as OpenCV array operations. Fills {@code exclusive} and
     * {@code confidence} (see {@link #exclusiveA}, {@link #confidenceA}) for the source image and returns the share of
     * pixels that map inside the other image consistently and with a small residual. {@code confidence} may be null
     * (it is only needed to mix morph and dissolve).
     */
    private double consistency(Mat fwd, Mat bwd, Mat src, Mat dst, Mat exclusive, Mat confidence) {
        Mat map = new Mat();
        Core.add(fwd, grid, map);
        Mat bwdWarped = remap(bwd, map), dstWarped = remap(dst, map);
        // |F + B(x + F)|^2 <= 0.01 (|F|^2 + |B(x + F)|^2) + 0.5
        Mat sum = new Mat(), lhs = new Mat(), magF = new Mat(), magB = new Mat(), rhs = new Mat();
        Core.add(fwd, bwdWarped, sum);
        sumOfSquares(sum, lhs);
        sumOfSquares(fwd, magF);
        sumOfSquares(bwdWarped, magB);
        Core.addWeighted(magF, 0.01, magB, 0.01, 0.5, rhs);
        Mat consistent = new Mat(), inside = new Mat(), reliable = new Mat();
        Core.compare(lhs, rhs, consistent, Core.CMP_LE);
        Core.inRange(map, new Scalar(0, 0), new Scalar(width - 1, height - 1), inside);
        Core.bitwise_and(consistent, inside, reliable);
        Core.bitwise_not(reliable, exclusive);
        Mat diff = new Mat(), residual = new Mat();
        Core.absdiff(src, dstWarped, diff);
        // mean absolute colour residual
        Mat channelMean = new MatOfFloat(1 / 3f, 1 / 3f, 1 / 3f).reshape(1, 1);
        Core.transform(diff, residual, channelMean);
        channelMean.release();
        if (confidence != null) {
            // a Gaussian falloff of the residual (sigma 18 grey levels) through a lookup table; inconsistent pixels
            // count half, pixels that leave the frame fully
            Mat falloff = new Mat(1, 256, CvType.CV_8U), photometric = new Mat(), half = new Mat(), outside = new Mat();
            byte[] table = new byte[256];
            for (int r = 0; r < 256; r++) table[r] = (byte) Math.round(255 * Math.exp(-(r * r) / (2 * 18.0 * 18.0)));
            falloff.put(0, 0, table);
            Core.LUT(residual, falloff, photometric);
            photometric.copyTo(confidence);
            Core.multiply(photometric, new Scalar(0.5), half);
            half.copyTo(confidence, exclusive);
            Core.bitwise_not(inside, outside);
            confidence.setTo(new Scalar(255), outside);
            // a smoothed confidence avoids speckled mixing between morph and dissolve
            Imgproc.GaussianBlur(confidence, confidence, new Size(0, 0), Math.max(2, width / 160.0));
            for (Mat m : new Mat[]{falloff, photometric, half, outside}) m.release();
        }
        Mat small = new Mat(), good = new Mat();
        Imgproc.threshold(residual, small, 19.5, 255, Imgproc.THRESH_BINARY_INV);
        Core.bitwise_and(small, reliable, good);
        int insideCount = Core.countNonZero(inside);
        double share = insideCount == 0 ? 0 : (double) Core.countNonZero(good) / insideCount;
        for (Mat m : new Mat[]{map, bwdWarped, dstWarped, sum, lhs, magF, magB, rhs, consistent, inside, reliable, diff,
                residual, small, good}) m.release();
        return share;
    }

    /** x^2 + y^2 of a {@code CV_32FC2} image, as {@code CV_32F}. */
    private static void sumOfSquares(Mat xy, Mat out) {
        Mat sq = new Mat();
        Core.multiply(xy, xy, sq);
        Mat channelSum = new MatOfFloat(1f, 1f).reshape(1, 1);
        Core.transform(sq, out, channelSum);
        channelSum.release();
        sq.release();
    }

    @Override
    public void close() {
        for (Mat m : new Mat[]{a, b, flowAB, flowBA, grid, exclusiveA, exclusiveB, confidenceA, confidenceB}) m.release();
    }
}
