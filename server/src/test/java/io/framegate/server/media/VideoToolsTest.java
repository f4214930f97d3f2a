package io.framegate.server.media;

import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameRecorder;
import org.bytedeco.javacv.Frame;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class VideoToolsTest {
    @TempDir
    Path dir;

    /**
     * The previews of a stitched or downloaded video come from a bounded sample of its frames. Keeping every frame
     * (as a 640 px copy, as this once did) allocates 240 x 640 x 360 x 3 bytes = 166 MB on the heap for these 240
     * frames of 720p, and keeps them all; the sampled previews stay far below that whatever the length.
     */
    @Test
    void previewsOfALongVideoDoNotKeepEveryFrame() throws Exception {
        Path video = dir.resolve("long.mp4");
        try (FFmpegFrameRecorder rec = io.framegate.engine.H264.recorder(video, 1280, 720, 24, 240)) {
            rec.start();
            for (int i = 0; i < 240; i++) {
                Frame f = new Frame(1280, 720, Frame.DEPTH_UBYTE, 3);
                ByteBuffer b = (ByteBuffer) f.image[0];
                for (int p = 0; p < b.capacity(); p += 3) b.put(p, (byte) (i * 2));
                rec.record(f, avutil.AV_PIX_FMT_BGR24);
                f.close();
            }
            rec.stop();
        }
        Path thumb = dir.resolve("thumb.webp");
        Path sheet = dir.resolve("sheet.jpg");
        VideoTools.probe(video); // loads the native libraries first
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = mx.getCurrentThreadAllocatedBytes();
        io.framegate.engine.Previews.fromVideo(video, thumb, sheet);
        long allocated = mx.getCurrentThreadAllocatedBytes() - before;

        assertThat(allocated).as("heap bytes allocated").isLessThan(120L * 1024 * 1024);
        assertThat(Files.size(thumb)).isPositive();
        // the engine's sheet: 25 tiles of 256 x 144 sampled over the whole video, 5 x 5
        BufferedImage s = ImageIO.read(sheet.toFile());
        assertThat(s.getWidth()).isEqualTo(5 * 256);
        assertThat(s.getHeight()).isEqualTo(5 * 144);
        // only the requested previews are written
        io.framegate.engine.Previews.fromVideo(video, null, dir.resolve("only-sheet.jpg"));
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString()))
                    .containsExactlyInAnyOrder("long.mp4", "thumb.webp", "sheet.jpg", "only-sheet.jpg");
        }
    }
}
