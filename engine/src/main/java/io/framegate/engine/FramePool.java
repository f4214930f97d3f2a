package io.framegate.engine;

import org.opencv.core.Mat;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Spare output frames of one video: a frame the encoder is done with is written over by a later frame instead of
 * being freed and allocated again. Fresh native frames cost a page fault per 4 KB page on first write (660 per 720p
 * frame), which on this project's VMs costs more than synthesising the frame's pixels.
 */
final class FramePool implements AutoCloseable {
    /** More than the frame pipeline keeps in flight; extra frames are freed. */
    private static final int KEEP = 16;
    private final Deque<Mat> spare = new ArrayDeque<>();

    /** A spare frame (any content, maybe another size; OpenCV outputs reallocate only when needed) or a new one. */
    synchronized Mat take() {
        Mat m = spare.pollFirst();
        return m != null ? m : new Mat();
    }

    /** The caller is done with {@code frame}. */
    void give(Mat frame) {
        synchronized (this) {
            if (spare.size() < KEEP) {
                spare.addFirst(frame);
                return;
            }
        }
        frame.release();
    }

    @Override
    public synchronized void close() {
        spare.forEach(Mat::release);
        spare.clear();
    }
}
