package io.framegate.engine;

import org.opencv.core.CvType;
import org.opencv.core.Mat;
import org.opencv.core.Size;
import org.opencv.imgproc.Imgproc;

/**
 * Blurs a keyframe pair's in-between where its content travelled far. A flow's error grows with the displacement it
 * measures, and an in-between places content at t (from A) and 1 - t (from B) of it, so where content may be is
 * uncertain in proportion to displacement x t(1 - t). The estimate with the least expected error for a position known
 * only within sigma is the sharp image blurred by sigma: drawn sharp in the wrong place it costs more than soft in
 * about the right one.
 * <p>
 * Chosen on the tuning half (issue 13, session 11; mean PSNR / SSIM, without -> with): 720p orbit gap 23.13 / 0.714 ->
 * 23.29 / 0.724; occluder gap, bbb-17 and bbb-40 0.5 s gaps, the 4x pairs and Middlebury within +0.01 / -0.01 dB.
 * Tried: sigma 0.03, 0.1, 0.2 per px of displacement (0.2: orbit gap -0.14, orbit 4x -0.9), no free displacement
 * (Middlebury -0.09), a fixed blur mixed in by displacement (orbit 4x -0.05 to -0.3). Keyframe pairs only: on the
 * consecutive frames of a sequence it changed the tuning half by at most 0.006 dB and costs a blur per frame.
 */
final class DisplacementBlur {
    /** Sigma (px) per px of displacement beyond {@link #FREE_PX}, times t(1 - t). */
    static final double SIGMA_PER_PX = 0.05;
    /** Displacements up to this (px, full size) count as known exactly: small motions are where flow is accurate. */
    static final double FREE_PX = 10;
    /** The blurs mixed between, sigma in px; the in-between's sigma is interpolated between two of them. */
    private static final double[] LEVELS = {0, 1, 2, 4, 8};
    /** Below this level index nowhere (sigma 0.25 px) the frame is left as it is. */
    private static final float NOTHING = 0.25f;

    private DisplacementBlur() {
    }

    /**
     * Per grid cell, the blur level (a continuous index into {@link #LEVELS}) for the frame at {@code t}, from the
     * projected fields {@code toA} and {@code toB} in full-size px, into {@code out}. Returns the highest.
     */
    static float levels(float[] toA, float[] toB, double t, float[] out) {
        double k = SIGMA_PER_PX * t * (1 - t);
        float max = 0;
        for (int i = 0; i < out.length; i++) {
            double dx = toB[2 * i] - toA[2 * i], dy = toB[2 * i + 1] - toA[2 * i + 1];
            double sigma = k * Math.max(0, Math.sqrt(dx * dx + dy * dy) - FREE_PX);
            float level = (float) levelOf(sigma);
            out[i] = level;
            max = Math.max(max, level);
        }
        return max;
    }

    private static double levelOf(double sigma) {
        for (int i = 1; i < LEVELS.length; i++) {
            if (sigma <= LEVELS[i]) return i - 1 + (sigma - LEVELS[i - 1]) / (LEVELS[i] - LEVELS[i - 1]);
        }
        return LEVELS.length - 1;
    }

    /**
     * Blurs {@code frame} in place per pixel by the {@code levels} of its grid cells (from {@link #levels}; their
     * highest is {@code max}), with {@code s}'s buffers: each level's blur of the sharp frame is mixed in where the
     * level reaches it, so a pixel ends between the two levels around its own.
     */
    static void apply(Mat frame, float[] levels, float max, WarpScratch s) {
        if (max < NOTHING) return;
        int width = frame.cols(), height = frame.rows();
        Size full = new Size(width, height);
        frame.copyTo(s.warpB);
        float[] weights = s.reliability;
        for (int level = 1; level < LEVELS.length && level - 1 < max; level++) {
            blur(s.warpB, LEVELS[level], s, full);
            for (int i = 0; i < levels.length; i++) {
                float w = levels[i] - (level - 1);
                weights[i] = w < 0 ? 0 : w > 1 ? 1 : w;
            }
            s.weightGrid.create(s.gridHeight, s.gridWidth, CvType.CV_32F);
            s.weightGrid.put(0, 0, weights);
            Imgproc.resize(s.weightGrid, s.weightMorph, full, 0, 0, Imgproc.INTER_LINEAR);
            s.weightMorph.convertTo(s.weightFade, -1, -1, 1);
            Imgproc.blendLinear(frame, s.meanFull, s.weightFade, s.weightMorph, frame);
        }
    }

    /** {@code sharp} blurred by {@code sigma} px into {@code s.meanFull}; from 4 px on at half size (a quarter of the work). */
    private static void blur(Mat sharp, double sigma, WarpScratch s, Size full) {
        if (sigma < 4) {
            Imgproc.GaussianBlur(sharp, s.meanFull, new Size(0, 0), sigma);
            return;
        }
        Imgproc.resize(sharp, s.blurHalf, new Size(Math.max(1, Math.round(full.width / 2)), Math.max(1, Math.round(full.height / 2))),
                0, 0, Imgproc.INTER_AREA);
        Imgproc.GaussianBlur(s.blurHalf, s.blurHalf, new Size(0, 0), sigma / 2);
        Imgproc.resize(s.blurHalf, s.meanFull, full, 0, 0, Imgproc.INTER_LINEAR);
    }
}
