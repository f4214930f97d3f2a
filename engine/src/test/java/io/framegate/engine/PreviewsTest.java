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
}
