package io.framegate.engine;

import org.opencv.core.Mat;

/** Synthesises the frames of one video; {@link #render} may be called from several threads at once. */
interface FrameSource extends AutoCloseable {
    int frameCount();

    /** A new {@code CV_8UC3} BGR frame (the caller releases it). */
    Mat render(int index);

    /** The caller is done with a frame {@link #render} returned; a source may reuse its memory for a later frame. */
    default void recycle(Mat frame) {
        frame.release();
    }

    /** What motion was chosen, for {@link RenderStats}. */
    String motion();

    @Override
    void close();
}
