package io.framegate.engine;

import io.framegate.domain.ProgressListener;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opencv.core.CvType;
import org.opencv.core.Mat;
import org.opencv.core.Scalar;

import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The frame pipeline's window: widened once the first frame's size is known, and not rendered beyond a failure. */
class FramePipelineTest {
    @Test
    void theWindowHoldsWhatTheMemoryBudgetAllowsAndNeverLessThanTheBaseOrMoreThanTheJob() {
        NativeLibs.ensureLoaded();
        Mat p360 = new Mat(360, 640, CvType.CV_8UC3), p720 = new Mat(720, 1280, CvType.CV_8UC3);
        Mat p1080 = new Mat(1080, 1920, CvType.CV_8UC3);
        try {
            long frame360 = 640L * 360 * 3, frame720 = 1280L * 720 * 3;
            assertThat(FramePipeline.window(5, 25, p360)).isEqualTo(25);
            assertThat(FramePipeline.window(5, 1000, p360)).isEqualTo((int) (FramePipeline.AHEAD_BYTES / frame360));
            assertThat(FramePipeline.window(5, 1000, p720)).isEqualTo((int) (FramePipeline.AHEAD_BYTES / frame720))
                    .isGreaterThan(5);
            assertThat(FramePipeline.window(5, 1000, p1080)).as("1080p frames: the base window").isEqualTo(5);
            assertThat(FramePipeline.window(5, 3, p360)).as("a job shorter than the base window").isEqualTo(5);
        } finally {
            p360.release();
            p720.release();
            p1080.release();
        }
    }

    /**
     * Frame 0 is handed back (after its write) only once the job's last frame has begun rendering: with the base
     * window of {@code 2 * cores + 1} frames alone, that frame would not be submitted before frame 0 is written, and
     * the pipeline would hang (the latch's timeout fails the test instead).
     */
    @Test
    void framesBeyondTheBaseWindowRenderBeforeTheFirstFrameIsWritten(@TempDir Path dir) throws Exception {
        NativeLibs.ensureLoaded();
        int n = 4 * Runtime.getRuntime().availableProcessors() + 6;
        CountDownLatch lastStarted = new CountDownLatch(1);
        AtomicInteger waited = new AtomicInteger();
        FrameSource source = new Tiny(n, -1) {
            @Override
            public Mat render(int index) {
                if (index == n - 1) lastStarted.countDown();
                return super.render(index);
            }

            @Override
            public void recycle(Mat frame) {
                if (waited.getAndIncrement() == 0) {
                    try {
                        assertThat(lastStarted.await(20, TimeUnit.SECONDS)).as("last frame started before frame 0 was done")
                                .isTrue();
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                }
                super.recycle(frame);
            }
        };
        try (VideoEncoder encoder = new VideoEncoder(dir.resolve("a.mp4"), 32, 32, 24, n)) {
            FramePipeline.run(source, encoder, null, null, () -> false, ProgressListener.NONE);
        }
        assertThat(waited.get()).isEqualTo(n);
    }

    @Test
    void aFailedFrameLeavesTheFramesNotYetStartedUnrendered(@TempDir Path dir) throws Exception {
        NativeLibs.ensureLoaded();
        int n = 40 * Runtime.getRuntime().availableProcessors(); // more than any base window (2 x cores + 1)
        Tiny source = new Tiny(n, 1) {
            @Override
            public Mat render(int index) {
                if (index > 1) {
                    try {
                        Thread.sleep(200);
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                }
                return super.render(index);
            }
        };
        try (VideoEncoder encoder = new VideoEncoder(dir.resolve("b.mp4"), 32, 32, 24, n)) {
            assertThatThrownBy(() -> FramePipeline.run(source, encoder, null, null, () -> false, ProgressListener.NONE))
                    .hasMessageContaining("render failed at 1");
        }
        // the widened window had submitted every frame; only those the workers had begun are rendered
        assertThat(source.rendered.get()).isLessThan(n / 2);
        // and those that were running when the render failed finished and were released, none left behind
        assertThat(source.made).isNotEmpty().allSatisfy(m -> assertThat(m.empty()).as("frame released").isTrue());
    }

    /** 32x32 frames; render {@code failAt} throws (-1: none). */
    private static class Tiny implements FrameSource {
        final int frames;
        final int failAt;
        final AtomicInteger rendered = new AtomicInteger();
        final java.util.Queue<Mat> made = new java.util.concurrent.ConcurrentLinkedQueue<>();

        Tiny(int frames, int failAt) {
            this.frames = frames;
            this.failAt = failAt;
        }

        public int frameCount() {
            return frames;
        }

        public Mat render(int index) {
            rendered.incrementAndGet();
            if (index == failAt) throw new IllegalStateException("render failed at " + index);
            Mat m = new Mat(32, 32, CvType.CV_8UC3, new Scalar(index, 0, 0));
            made.add(m);
            return m;
        }

        public String motion() {
            return "test";
        }

        public void close() {
        }
    }
}
