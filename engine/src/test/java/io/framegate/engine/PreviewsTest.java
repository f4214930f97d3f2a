package io.framegate.engine;

import org.junit.jupiter.api.Test;
import org.opencv.core.CvType;
import org.opencv.core.Mat;
import org.opencv.core.Scalar;

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
}
