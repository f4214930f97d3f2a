package io.framegate.engine;

import io.framegate.domain.ProgressListener;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opencv.core.CvType;
import org.opencv.core.Mat;
import org.opencv.core.Scalar;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The work a render does while the encoder flushes (its previews) runs after the last frame, beside the flush. */
class FramePipelineFlushTest {
    private static FrameSource frames(int count) {
        return new FrameSource() {
            public int frameCount() {
                return count;
            }

            public Mat render(int index) {
                return new Mat(48, 64, CvType.CV_8UC3, new Scalar(index * 20, 40, 80));
            }

            public String motion() {
                return "test";
            }

            public void close() {
            }
        };
    }

    @Test
    void workWhileFlushingRunsOnTheCallersThreadOnceEveryFrameIsWrittenAndTheVideoIsComplete(@TempDir Path dir)
            throws Exception {
        NativeLibs.ensureLoaded();
        Path mp4 = dir.resolve("six.mp4");
        List<String> seen = new ArrayList<>();
        Previews.Collector previews = new Previews.Collector(6);
        try (VideoEncoder encoder = new VideoEncoder(mp4, 64, 48, 24, 6)) {
            FramePipeline.run(frames(6), encoder, previews, null, () -> false, ProgressListener.NONE, () -> {
                seen.add(Thread.currentThread().getName());
                seen.add("written " + encoder.written() + ", collected " + previews.seen());
            });
        } finally {
            previews.release();
        }
        assertThat(seen).containsExactly(Thread.currentThread().getName(), "written 6, collected 6");
        assertThat(VideoEncoderTest.framesIn(mp4)).isEqualTo(6);
    }

    @Test
    void aFailureWhileFlushingIsThrownAfterTheFlushHasFinished(@TempDir Path dir) throws Exception {
        NativeLibs.ensureLoaded();
        Path mp4 = dir.resolve("failed-previews.mp4");
        try (VideoEncoder encoder = new VideoEncoder(mp4, 64, 48, 24, 5)) {
            assertThatThrownBy(() -> FramePipeline.run(frames(5), encoder, null, null, () -> false,
                    ProgressListener.NONE, () -> {
                        throw new IOException("previews could not be written");
                    })).isInstanceOf(IOException.class).hasMessage("previews could not be written");
        }
        // the encoder was flushed (index written) before the pipeline returned, not released half-way by the close
        assertThat(VideoEncoderTest.framesIn(mp4)).isEqualTo(5);
    }
}
