package io.framegate.engine;

import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameRecorder;
import org.bytedeco.javacv.Frame;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opencv.core.CvType;
import org.opencv.core.Mat;
import org.opencv.core.Scalar;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class PreviewsTest {
    /** A long video (or a wrong length estimate from the container) must not make the collector hold every frame. */
    @Test
    void theCollectorHoldsABoundedSampleHoweverManyFramesCome() {
        NativeLibs.ensureLoaded();
        for (int expected : new int[] {3000, 1}) {
            Previews.Collector c = new Previews.Collector(expected);
            Mat frame = new Mat(72, 128, CvType.CV_8UC3, new Scalar(10, 20, 30));
            try {
                for (int i = 0; i < 3000; i++) {
                    c.accept(frame);
                    assertThat(c.keptTiles()).isLessThanOrEqualTo(2 * Previews.MAX_TILES);
                }
                assertThat(c.seen()).isEqualTo(3000);
                assertThat(c.keptTiles()).isGreaterThanOrEqualTo(Previews.MAX_TILES);
            } finally {
                c.release();
                frame.release();
            }
        }
    }

    /**
     * docs/openai-extension.md, Content: the sprite sheet is a JPEG grid of up to 25 frames (5x5), and a video of
     * fewer than 25 frames gets a near-square grid of all of them (4x4 for 16 frames, 2x2 for 3).
     */
    @Test
    void theSpriteSheetIsAtMostFiveByFiveAndSmallerForAShortVideo(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        NativeLibs.ensureLoaded();
        int w = 128, h = 72; // tiles keep the frame size below the tile width cap
        // frames -> the grid's columns x rows
        java.util.Map<Integer, int[]> grids = java.util.Map.of(300, new int[] {5, 5}, 25, new int[] {5, 5},
                24, new int[] {5, 5}, 16, new int[] {4, 4}, 3, new int[] {2, 2});
        for (var e : grids.entrySet()) {
            Previews.Collector c = new Previews.Collector(e.getKey());
            Mat frame = new Mat(h, w, CvType.CV_8UC3, new Scalar(10, 20, 30));
            java.nio.file.Path sheet = dir.resolve(e.getKey() + ".jpg");
            try {
                for (int i = 0; i < e.getKey(); i++) c.accept(frame);
                c.writeTo(null, sheet);
            } finally {
                c.release();
                frame.release();
            }
            java.awt.image.BufferedImage img = javax.imageio.ImageIO.read(sheet.toFile());
            assertThat(img).as("%d frames: a JPEG", e.getKey()).isNotNull();
            assertThat(new int[] {img.getWidth() / w, img.getHeight() / h}).as("%d frames: columns x rows", e.getKey())
                    .containsExactly(e.getValue());
            assertThat(img.getWidth() % w + img.getHeight() % h).isZero();
        }
    }

    /**
     * The previews of a stitched or downloaded video come from a bounded sample of its frames. Keeping every frame
     * (as a 640 px copy, as this once did) allocates 240 x 640 x 360 x 3 bytes = 166 MB on the heap for these 240
     * frames of 720p, and keeps them all; the sampled previews stay far below that whatever the length.
     */
    @Test
    void previewsOfALongVideoDoNotKeepEveryFrame(@TempDir Path dir) throws Exception {
        Path video = dir.resolve("long.mp4");
        try (FFmpegFrameRecorder rec = H264.recorder(video, 1280, 720, 24, 240)) {
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
        VideoFiles.probe(video); // loads the native libraries first
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = mx.getCurrentThreadAllocatedBytes();
        Previews.fromVideo(video, thumb, sheet);
        long allocated = mx.getCurrentThreadAllocatedBytes() - before;

        assertThat(allocated).as("heap bytes allocated").isLessThan(120L * 1024 * 1024);
        assertThat(Files.size(thumb)).isPositive();
        // the engine's sheet: 25 tiles of 256 x 144 sampled over the whole video, 5 x 5
        BufferedImage s = ImageIO.read(sheet.toFile());
        assertThat(s.getWidth()).isEqualTo(5 * 256);
        assertThat(s.getHeight()).isEqualTo(5 * 144);
        // only the requested previews are written
        Previews.fromVideo(video, null, dir.resolve("only-sheet.jpg"));
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString()))
                    .containsExactlyInAnyOrder("long.mp4", "thumb.webp", "sheet.jpg", "only-sheet.jpg");
        }
    }
}
