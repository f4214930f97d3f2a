package io.framegate.engine;

import io.framegate.domain.ProgressListener;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opencv.core.Core;
import org.opencv.core.CvType;
import org.opencv.core.Mat;
import org.opencv.core.Scalar;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

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

    /** A source that notes OpenCV's pool size at every render, and fails at frame {@code failAt} (-1: never). */
    private static FrameSource noting(List<Integer> seen, int frames, int failAt) {
        return new FrameSource() {
            public int frameCount() {
                return frames;
            }

            public Mat render(int index) {
                seen.add(Core.getNumThreads());
                if (index == failAt) throw new IllegalStateException("render failed at " + index);
                return new Mat(32, 32, CvType.CV_8UC3, new Scalar(index, 0, 0));
            }

            public String motion() {
                return "test";
            }

            public void close() {
            }
        };
    }

    @Test
    void aPipelineRendersWithOneOpenCvThreadAndGivesThePoolBackAfterwardsEvenWhenARenderFails(@TempDir Path dir)
            throws Exception {
        NativeLibs.ensureLoaded();
        int cores = Runtime.getRuntime().availableProcessors();
        assumeTrue(cores > 1, "one core: the pipeline has one worker and leaves the pool alone");
        Core.setNumThreads(cores);
        List<Integer> seen = new CopyOnWriteArrayList<>();
        try (VideoEncoder encoder = new VideoEncoder(dir.resolve("a.mp4"), 32, 32, 24, 6)) {
            FramePipeline.run(noting(seen, 6, -1), encoder, null, null, () -> false, ProgressListener.NONE);
        }
        assertThat(seen).hasSize(6).containsOnly(1);
        assertThat(Core.getNumThreads()).isEqualTo(cores);

        seen.clear();
        try (VideoEncoder encoder = new VideoEncoder(dir.resolve("b.mp4"), 32, 32, 24, 6)) {
            assertThatThrownBy(() -> FramePipeline.run(noting(seen, 6, 2), encoder, null, null, () -> false,
                    ProgressListener.NONE)).hasMessageContaining("render failed at 2");
        }
        assertThat(seen).isNotEmpty().containsOnly(1);
        assertThat(Core.getNumThreads()).as("the pool after a failed pipeline").isEqualTo(cores);
    }
}
