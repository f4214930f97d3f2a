package io.framegate.engine;

import org.opencv.core.Core;

/**
 * OpenCV's own thread pool sized to the work around it. While frame pipelines run their synthesis workers (one per
 * core, each preparing pairs and warping frames), every OpenCV call runs on its caller's thread alone: a pool per call
 * on top of busy workers made the threads spin and wait for each other (a sequence pair's flow took ~150 ms of wall in
 * the 2-worker command against ~90 ms single-threaded at 640x360). Outside pipelines (a lone pair's flow) the pool is
 * back to one thread per core. OpenCV's results do not depend on its thread count (ProcessDeterminismTest).
 */
final class CvThreads {
    private static int pipelines;

    private CvThreads() {
    }

    /** A pipeline with {@code workers} synthesis threads starts; pair it with {@link #pipelineEnded}. */
    static synchronized void pipelineStarted(int workers) {
        if (workers > 1 && pipelines++ == 0) Core.setNumThreads(1);
    }

    static synchronized void pipelineEnded(int workers) {
        if (workers > 1 && --pipelines == 0) Core.setNumThreads(Runtime.getRuntime().availableProcessors());
    }
}
