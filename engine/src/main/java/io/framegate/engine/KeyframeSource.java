package io.framegate.engine;

import org.opencv.core.Mat;

/** Frames between two keyframes: the keyframes themselves first and last (copied), in-betweens at eased times. */
final class KeyframeSource implements FrameSource {
    private final KeyframeInterpolator interpolator;
    private final Mat first;
    private final Mat last;
    private final int frameCount;
    private final Easing easing;
    private final FramePool pool = new FramePool();

    /** Takes ownership of the interpolator; the keyframes are copied. */
    KeyframeSource(KeyframeInterpolator interpolator, Mat first, Mat last, int frameCount, Easing easing) {
        this.interpolator = interpolator;
        this.first = first.clone();
        this.last = last.clone();
        this.frameCount = frameCount;
        this.easing = easing;
    }

    @Override
    public int frameCount() {
        return frameCount;
    }

    @Override
    public Mat render(int index) {
        Mat frame = pool.take();
        if (index == 0) first.copyTo(frame);
        else if (index == frameCount - 1) last.copyTo(frame);
        else interpolator.frameAt(easing.apply((double) index / (frameCount - 1)), frame);
        return frame;
    }

    @Override
    public void recycle(Mat frame) {
        pool.give(frame);
    }

    @Override
    public String motion() {
        return interpolator.description() + ", easing " + easing.name().toLowerCase(java.util.Locale.ROOT);
    }

    @Override
    public void close() {
        interpolator.close();
        pool.close();
        first.release();
        last.release();
    }
}
