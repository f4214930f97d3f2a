package io.framegate.engine;

import org.opencv.core.Mat;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * The working images of one in-between ({@link KeyframeInterpolator#frameAt}): the projected flows and their splat accumulator, the two full-size
 * remap maps and the two warped keyframes, kept in a small process-wide pool and reused frame after frame. Fresh
 * native buffers per frame (about 23 MB at 720p) were paid in page faults: 1,400 per 720p frame, about two thirds of
 * an in-between's CPU time on this VM (upField 75 ms and remap 35 ms fresh, 7 and 20 ms reused).
 */
final class WarpScratch {
    /** Sets kept idle: one per core covers the frame pipeline's workers; more are released after use. */
    private static final int KEEP = Math.max(2, Runtime.getRuntime().availableProcessors());
    private static final Deque<WarpScratch> IDLE = new ArrayDeque<>();

    final int width;
    final int height;
    final int gridWidth;
    final int gridHeight;
    final float[] toA;
    final float[] toB;
    final float[] acc;
    /**
     * The splat's match reliability per grid cell, then the morph's weight there (local fallback), then a blur level's
     * ({@link DisplacementBlur}).
     */
    final float[] reliability;
    /** The blur level of each grid cell ({@link DisplacementBlur#levels}). */
    final float[] blurLevels;
    final Mat small = new Mat();
    final Mat mapA = new Mat();
    final Mat mapB = new Mat();
    final Mat warpA = new Mat();
    final Mat warpB = new Mat();
    /** The local fallback's weights: per grid cell, then at full size for the morph and for the cross-fade. */
    final Mat weightGrid = new Mat();
    final Mat weightMorph = new Mat();
    final Mat weightFade = new Mat();
    /** The local fallback's blurred morph, at a quarter of the grid, then at full size (also {@link DisplacementBlur}'s). */
    final Mat meanGrid = new Mat();
    final Mat meanFull = new Mat();
    /** {@link DisplacementBlur}'s wide blurs at half the frame's size (a buffer of its own: meanGrid's size differs). */
    final Mat blurHalf = new Mat();

    private WarpScratch(int width, int height, int gridWidth, int gridHeight) {
        this.width = width;
        this.height = height;
        this.gridWidth = gridWidth;
        this.gridHeight = gridHeight;
        toA = new float[2 * gridWidth * gridHeight];
        toB = new float[2 * gridWidth * gridHeight];
        acc = new float[FlowSplat.accumulatorLength(gridWidth, gridHeight)];
        reliability = new float[gridWidth * gridHeight];
        blurLevels = new float[gridWidth * gridHeight];
    }

    /** An idle set for these sizes, or a new one; hand it back with {@link #release}. */
    static WarpScratch take(int width, int height, int gridWidth, int gridHeight) {
        synchronized (IDLE) {
            for (var it = IDLE.iterator(); it.hasNext(); ) {
                WarpScratch s = it.next();
                if (s.width == width && s.height == height && s.gridWidth == gridWidth && s.gridHeight == gridHeight) {
                    it.remove();
                    return s;
                }
            }
        }
        return new WarpScratch(width, height, gridWidth, gridHeight);
    }

    /** Back to the pool; beyond {@link #KEEP} idle sets the oldest one's native buffers are freed. */
    void release() {
        WarpScratch drop = null;
        synchronized (IDLE) {
            IDLE.addFirst(this);
            if (IDLE.size() > KEEP) drop = IDLE.removeLast();
        }
        if (drop != null) {
            for (Mat m : new Mat[]{drop.small, drop.mapA, drop.mapB, drop.warpA, drop.warpB, drop.weightGrid,
                    drop.weightMorph, drop.weightFade, drop.meanGrid, drop.meanFull, drop.blurHalf}) m.release();
        }
    }
}
