package io.framegate.engine;

import org.opencv.core.Mat;

/** Synthesises the frames of one video; {@link #render} may be called from several threads at once. */
interface FrameSource extends AutoCloseable {
    int frameCount();

    /** A new {@code CV_8UC3} BGR frame (the caller releases it). */
    Mat render(int index);

    /** What motion was chosen, for {@link RenderStats}. */
    String motion();

    @Override
    void close();
}
