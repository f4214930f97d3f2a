package io.framegate.engine;

import org.junit.jupiter.api.Test;
import org.opencv.core.CvType;
import org.opencv.core.Mat;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** Loading the natives in the background (issue 13 item 3) loses neither the natives nor an error. */
class NativeLibsTest {
    @Test
    void aFailedBackgroundLoadIsKeptAndLeavesTheLoadToTheCaller() throws Exception {
        UnsatisfiedLinkError failure = new UnsatisfiedLinkError("test: libopencv_core.so.410 cannot be opened");
        Thread t = NativeLibs.loadInBackground(() -> {
            throw failure;
        });
        t.join();
        assertThat(NativeLibs.backgroundError()).isSameAs(failure);
        // the failed background load did not mark the natives loaded: the caller loads them (or meets the error itself)
        NativeLibs.ensureLoaded();
        Mat m = new Mat(2, 2, CvType.CV_8UC3);
        assertThat(m.total()).isEqualTo(4);
        m.release();
    }

    @Test
    void theBackgroundLoadServesTheCallersThatWaitForIt(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Thread t = NativeLibs.loadInBackground();
        // no join: the caller waits for the load in progress
        NativeLibs.ensureLoaded();
        assertThat(NativeLibs.how()).isNotEqualTo("not loaded");
        t.join();
        assertThat(NativeLibs.backgroundError()).isNull();
        // FFmpeg's part: a recorder opens and writes a frame
        Path mp4 = dir.resolve("one.mp4");
        try (VideoEncoder encoder = new VideoEncoder(mp4, 64, 48, 24, 1)) {
            Mat frame = new Mat(48, 64, CvType.CV_8UC3, new org.opencv.core.Scalar(10, 20, 30));
            encoder.write(frame);
            encoder.finish();
            frame.release();
        }
        assertThat(Files.size(mp4)).isPositive();
    }
}
