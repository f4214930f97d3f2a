package io.framegate.engine;

import org.junit.jupiter.api.Test;
import org.opencv.core.Core;

import static org.assertj.core.api.Assertions.assertThat;

/** OpenCV's pool is one thread per synthesis worker while pipelines run, and one per core again after the last. */
class CvThreadsTest {
    @Test
    void openCvRunsOnItsCallersThreadWhilePipelinesWithWorkersRun() {
        NativeLibs.ensureLoaded();
        int cores = Runtime.getRuntime().availableProcessors();
        Core.setNumThreads(cores);
        CvThreads.pipelineStarted(2);
        CvThreads.pipelineStarted(2);
        assertThat(Core.getNumThreads()).isEqualTo(1);
        CvThreads.pipelineEnded(2);
        // another pipeline still runs
        assertThat(Core.getNumThreads()).isEqualTo(1);
        CvThreads.pipelineEnded(2);
        assertThat(Core.getNumThreads()).isEqualTo(cores);
    }

    @Test
    void aSingleWorkerPipelineLeavesThePoolAlone() {
        NativeLibs.ensureLoaded();
        int cores = Runtime.getRuntime().availableProcessors();
        Core.setNumThreads(cores);
        CvThreads.pipelineStarted(1);
        assertThat(Core.getNumThreads()).isEqualTo(cores);
        CvThreads.pipelineEnded(1);
        assertThat(Core.getNumThreads()).isEqualTo(cores);
    }
}
