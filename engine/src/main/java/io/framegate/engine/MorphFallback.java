package io.framegate.engine;

import org.opencv.core.Core;
import org.opencv.core.CvType;
import org.opencv.core.Mat;
import org.opencv.core.Size;
import org.opencv.imgproc.Imgproc;

/**
 * What a morph falls back to where its flow is unreliable ({@link KeyframeInterpolator#frameAt}): a local blend toward
 * the cross-fade and the morph's local mean where the splatted reliability is low, or, for a pair of middling
 * confidence, a mix with the pair's dissolve weighted by the reliability itself. Both read the frame's warps, fields
 * and reliability from the caller's {@link WarpScratch} and write into its buffers (none reallocated from frame to
 * frame).
 */
final class MorphFallback {
    /**
     * Local fallback of a morph: where the splatted match reliability of the frame at t is below {@code LOCAL_HI} the
     * morph is mixed with a fallback ({@link #FALLBACK_BLUR_CELLS}; a plain cross-fade until session 7), fully at
     * {@code LOCAL_LO} and below (a wrongly moved patch costs more than a local double exposure). Chosen on the tuning
     * half at 640x360 (mean PSNR / SSIM, before -> after): orbit gap 21.77 / 0.7221 -> 21.90 / 0.7201, occluder gap
     * 26.21 / 0.9328 -> 26.40 / 0.9416, bbb-17 gap 24.26 / 0.9046 -> 24.87 / 0.9065, bbb-17 4x 30.56 / 0.9442 -> 30.89
     * / 0.9459, the other tuning cases within 0.08 dB; tried 0.15-0.3 / 0.5-0.8 (a higher top helps the real footage
     * and costs the orbit).
     */
    static final float LOCAL_LO = 0.25f;
    static final float LOCAL_HI = 0.6f;
    /**
     * What the local fallback of a keyframe pair blends to: half the cross-fade, half the morph's local mean (the morph
     * at the splat grid, Gaussian-blurred by this many grid cells, scaled up). Where the flow is unreliable the
     * in-between's content is uncertain in place: the estimate with the least expected error is an average over where
     * it may be, between "it did not move" (the cross-fade) and "it moved as the flow says, give or take" (the blurred
     * morph), instead of the cross-fade's sharp double exposure, which is as wrong as a misplaced warp wherever the
     * motion is large. Chosen on the tuning half (mean PSNR, cross-fade fallback -> this one; 360p unless named): orbit
     * gap 22.69 -> 23.13, 720p 22.67 -> 23.09; occluder gap 26.44 -> 27.04, 720p 26.20 -> 26.77; bbb-17 gap 24.84 ->
     * 24.93; bbb-40 gap 34.34 -> 34.34; Middlebury 35.67 -> 35.64 (the bench, blur at a quarter of the grid as below).
     * Tried: blurred morph alone (orbit and occluder up 0.1 more, bbb-17 24.73 and Middlebury down), a quarter / three
     * quarters of it (three quarters: Middlebury 35.65), 4 / 16 cells (bbb-17 24.84 / 24.97, occluder 26.94 / 27.07),
     * and fading where the two warped samples disagree at t (orbit -0.4 to -1.1 dB: that is where a keyframe's sample
     * is occluded, and the splat already handles it).
     */
    static final double FALLBACK_BLUR_CELLS = 8;

    private MorphFallback() {
    }

    /**
     * Turns the splat grid's {@code reliability} into the morph's weight per cell, in place: 0 at {@link #LOCAL_LO} and
     * below, 1 from {@link #LOCAL_HI} on. Returns whether any of the {@code n} cells falls back at all.
     */
    static boolean toWeights(float[] reliability, int n) {
        boolean local = false;
        for (int i = 0; i < n; i++) {
            float w = (reliability[i] - LOCAL_LO) / (LOCAL_HI - LOCAL_LO);
            w = w < 0 ? 0 : w > 1 ? 1 : w;
            reliability[i] = w;
            if (w < 1) local = true;
        }
        return local;
    }

    /**
     * The morph of {@code s}'s warps mixed per cell (weights from {@link #toWeights}) with the fallback: the cross-fade
     * of {@code a} and {@code b} at {@code t}, half of it the morph's local mean when {@code meanInFallback}.
     */
    static void local(Mat a, Mat b, double t, WarpScratch s, boolean meanInFallback, Mat out) {
        int width = a.cols(), height = a.rows();
        // the morph in warpA, the fallback in warpB
        Core.addWeighted(s.warpA, 1 - t, s.warpB, t, 0, s.warpA);
        Core.addWeighted(a, 1 - t, b, t, 0, s.warpB);
        if (meanInFallback) {
            // the blur at a quarter of the grid (by a quarter of the cells): the same low-pass at a 16th of the pixels
            // and a quarter of the taps (8 ms of a 720p frame's 65 at the grid itself)
            Size quarter = new Size(Math.max(1, Math.round(s.gridWidth / 4.0)), Math.max(1, Math.round(s.gridHeight / 4.0)));
            Imgproc.resize(s.warpA, s.meanGrid, quarter, 0, 0, Imgproc.INTER_AREA);
            Imgproc.GaussianBlur(s.meanGrid, s.meanGrid, new Size(0, 0), FALLBACK_BLUR_CELLS / 4);
            Imgproc.resize(s.meanGrid, s.meanFull, new Size(width, height), 0, 0, Imgproc.INTER_LINEAR);
            Core.addWeighted(s.meanFull, 0.5, s.warpB, 0.5, 0, s.warpB);
        }
        blendByReliability(s, width, height, out);
    }

    /**
     * The morph of {@code s}'s warps over the pair's dissolve, weighted per pixel by the (blurred) raw reliability: for
     * pairs of middling confidence, which may not show the same content.
     */
    static void underDissolve(Mat a, Mat b, double t, WarpScratch s, Dissolve dissolve, Mat out) {
        // the morph in warpA, the fallback in warpB: aligned when the global motion is reliable, else a plain
        // cross-fade (the zoom of the pure dissolve only dresses up a cut, and the mix is no cut)
        Core.addWeighted(s.warpA, 1 - t, s.warpB, t, 0, s.warpA);
        if (dissolve.aligned()) {
            dissolve.frameAt(t, s.warpB);
        } else {
            Core.addWeighted(a, 1 - t, b, t, 0, s.warpB);
        }
        blendByReliability(s, a.cols(), a.rows(), out);
    }

    /**
     * {@code s}'s morph (warpA) and fallback (warpB) mixed per pixel by its {@code reliability} on the splat grid, scaled
     * up to the frame and blurred; the weights go into buffers of their own, which keep their type from frame to
     * frame, so none is reallocated.
     */
    private static void blendByReliability(WarpScratch s, int width, int height, Mat out) {
        s.weightGrid.create(s.gridHeight, s.gridWidth, CvType.CV_32F);
        s.weightGrid.put(0, 0, s.reliability);
        Imgproc.resize(s.weightGrid, s.weightMorph, new Size(width, height), 0, 0, Imgproc.INTER_LINEAR);
        Imgproc.GaussianBlur(s.weightMorph, s.weightMorph, new Size(0, 0), Math.max(2, width / 160.0));
        s.weightMorph.convertTo(s.weightFade, -1, -1, 1);
        Imgproc.blendLinear(s.warpA, s.warpB, s.weightMorph, s.weightFade, out);
    }
}
