package io.framegate.engine;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opencv.core.CvType;
import org.opencv.core.Mat;
import org.opencv.core.Scalar;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The encoder opens on a thread of its own (issue 13 item 3): what happens there still reaches the caller. */
class VideoEncoderTest {
    @Test
    void anEncoderThatCannotOpenFailsItsFirstWriteAndClosesQuietly(@TempDir Path dir) {
        NativeLibs.ensureLoaded();
        Path nowhere = dir.resolve("no-such-dir").resolve("out.mp4");
        Mat frame = new Mat(48, 64, CvType.CV_8UC3, new Scalar(10, 20, 30));
        try {
            VideoEncoder encoder = new VideoEncoder(nowhere, 64, 48, 24, 2);
            // the reason in words, not JavaCV's call and advice
            assertThatThrownBy(() -> encoder.write(frame)).isInstanceOf(IOException.class)
                    .hasMessage("FFmpeg could not open the file for writing: no such file or directory");
            assertThatThrownBy(encoder::finish).isInstanceOf(IOException.class);
            assertThatCode(encoder::close).doesNotThrowAnyException();
        } finally {
            frame.release();
        }
    }

    @Test
    void aRecorderErrorIsFfmpegsTextForItsCodeOrItsMessageWithoutJavaCvsAdvice() {
        assertThat(VideoEncoder.ffmpegReason("avio_open2 error() error -13: Could not open 'x' (For more details, make "
                + "sure FFmpegLogCallback.set() has been called.)")).isEqualTo("permission denied");
        assertThat(VideoEncoder.ffmpegReason("avio_open2 error() error -28: Could not open 'x'")).isEqualTo("no space left on device");
        assertThat(VideoEncoder.ffmpegReason("avformat_write_header() error -22: Could not write header to 'x' (For "
                + "more details, make sure FFmpegLogCallback.set() has been called.)")).isEqualTo("invalid argument");
        // no code: the text itself, without the advice
        assertThat(VideoEncoder.ffmpegReason("Could not write header to 'x' (For more details, make sure "
                + "FFmpegLogCallback.set() has been called.)")).isEqualTo("Could not write header to 'x'");
    }

    @Test
    void oddSidesAreRefusedBeforeAnythingOpens(@TempDir Path dir) {
        Path mp4 = dir.resolve("odd.mp4");
        assertThatThrownBy(() -> new VideoEncoder(mp4, 65, 48, 24, 2)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("65x48");
        assertThat(mp4).doesNotExist();
    }

    @Test
    void framesWrittenAfterTheEncoderOpenedMakeAVideo(@TempDir Path dir) throws Exception {
        NativeLibs.ensureLoaded();
        Path mp4 = dir.resolve("two.mp4");
        Mat frame = new Mat(48, 64, CvType.CV_8UC3, new Scalar(10, 20, 30));
        try (VideoEncoder encoder = new VideoEncoder(mp4, 64, 48, 24, 2)) {
            encoder.write(frame);
            encoder.write(frame);
            encoder.finish();
            assertThat(encoder.written()).isEqualTo(2);
        } finally {
            frame.release();
        }
        assertThat(framesIn(mp4)).isEqualTo(2);
    }

    @Test
    void closingOnAnInterruptedThreadWaitsForTheOpeningSoNothingWritesTheFileAfterwards(@TempDir Path dir)
            throws Exception {
        NativeLibs.ensureLoaded();
        Path mp4 = dir.resolve("interrupted.mp4");
        VideoEncoder encoder = new VideoEncoder(mp4, 640, 360, 24, 2);
        // a worker pool's shutdownNow interrupts a render while its encoder may still be opening
        Thread.currentThread().interrupt();
        encoder.close();
        assertThat(Thread.interrupted()).as("the interrupt is kept for the caller").isTrue();
        // what AtomicFiles.abort does next: an opening still running would create the file again
        Files.deleteIfExists(mp4);
        Thread.sleep(500);
        assertThat(mp4).doesNotExist();
    }

    /** Frames an MP4 holds, decoded (FramePipelineFlushTest counts with it too). */
    static int framesIn(Path mp4) throws Exception {
        try (org.bytedeco.javacv.FFmpegFrameGrabber g = new org.bytedeco.javacv.FFmpegFrameGrabber(mp4.toFile())) {
            g.start();
            int n = 0;
            while (g.grabImage() != null) n++;
            g.stop();
            return n;
        }
    }
}
