package io.framegate.engine;

import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameRecorder;
import org.bytedeco.javacv.Frame;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opencv.core.Core;
import org.opencv.core.Mat;
import org.opencv.core.MatOfByte;
import org.opencv.imgcodecs.Imgcodecs;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** Taking frames from, measuring and stitching finished videos: each frame is told apart by its grey level. */
class VideoFilesTest {
    private static final int W = 64, H = 48;

    @TempDir
    Path dir;

    /** A video whose frame i is flat grey {@code firstGrey + 20 i}. */
    private Path video(String name, int frames, int firstGrey, int width) throws IOException {
        Path file = dir.resolve(name);
        try (FFmpegFrameRecorder rec = H264.recorder(file, width, H, 24, frames)) {
            rec.start();
            for (int i = 0; i < frames; i++) {
                Frame f = new Frame(width, H, Frame.DEPTH_UBYTE, 3);
                ByteBuffer b = (ByteBuffer) f.image[0];
                for (int p = 0; p < b.capacity(); p++) b.put(p, (byte) (firstGrey + 20 * i));
                rec.record(f, avutil.AV_PIX_FMT_BGR24);
                f.close();
            }
            rec.stop();
        }
        return file;
    }

    private static double grey(byte[] png) {
        Mat m = Imgcodecs.imdecode(new MatOfByte(png), Imgcodecs.IMREAD_COLOR);
        try {
            assertThat(m.empty()).as("a readable PNG").isFalse();
            return Core.mean(m).val[1];
        } finally {
            m.release();
        }
    }

    @Test
    void aFrameIsTakenByItsNumberAndTheLastOneByLast() throws Exception {
        Path v = video("ten.mp4", 10, 0, W);
        VideoFiles.TakenFrame third = VideoFiles.framePng(v, 3);
        assertThat(grey(third.png())).isCloseTo(60, within(4.0));
        assertThat(third.count()).as("decoded up to it only").isEqualTo(4);
        VideoFiles.TakenFrame last = VideoFiles.framePng(v, VideoFiles.LAST);
        assertThat(grey(last.png())).isCloseTo(180, within(4.0));
        assertThat(last.count()).isEqualTo(10);
        assertThat(grey(VideoFiles.framePng(v, 0).png())).isCloseTo(0, within(4.0));
    }

    @Test
    void aFramePastTheEndIsNoFrameAndSaysHowManyThereAre() throws Exception {
        VideoFiles.TakenFrame past = VideoFiles.framePng(video("ten.mp4", 10, 0, W), 10);
        assertThat(past.png()).isNull();
        assertThat(past.count()).isEqualTo(10);
    }

    @Test
    void probeCountsEveryFrame() throws Exception {
        VideoFiles.Info info = VideoFiles.probe(video("ten.mp4", 10, 0, W));
        assertThat(info).isEqualTo(new VideoFiles.Info(W, H, 24.0, 10, 10 / 24.0));
    }

    @Test
    void stitchingPlaysTheSecondAfterTheFirstLeavingOutItsRepeatedFirstFrame() throws Exception {
        Path a = video("a.mp4", 5, 0, W), b = video("b.mp4", 5, 100, W);
        Path joined = dir.resolve("joined.mp4");
        VideoFiles.concat(a, b, joined, true);
        assertThat(VideoFiles.probe(joined).frames()).isEqualTo(9);
        assertThat(grey(VideoFiles.framePng(joined, 4).png())).as("the first's last").isCloseTo(80, within(4.0));
        assertThat(grey(VideoFiles.framePng(joined, 5).png())).as("the second's second").isCloseTo(120, within(4.0));

        Path whole = dir.resolve("whole.mp4");
        VideoFiles.concat(a, b, whole, false);
        assertThat(VideoFiles.probe(whole).frames()).isEqualTo(10);
        assertThat(grey(VideoFiles.framePng(whole, 5).png())).as("the second's first").isCloseTo(100, within(4.0));
    }

    @Test
    void videosOfDifferentSizesAreNotStitched() throws Exception {
        Path a = video("a.mp4", 2, 0, W), b = video("b.mp4", 2, 0, 2 * W);
        Path out = dir.resolve("out.mp4");
        assertThatThrownBy(() -> VideoFiles.concat(a, b, out, false)).isInstanceOf(IOException.class)
                .hasMessage("cannot stitch videos of different sizes: 64x48 and 128x48");
    }
}
