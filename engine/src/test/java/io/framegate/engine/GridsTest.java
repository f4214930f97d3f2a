package io.framegate.engine;

import org.junit.jupiter.api.Test;
import org.opencv.core.CvType;
import org.opencv.core.Mat;

import static org.assertj.core.api.Assertions.assertThat;

class GridsTest {
    @Test
    void everyPixelHoldsItsOwnCoordinatesAndEachSizeIsMadeOnce() {
        NativeLibs.ensureLoaded();
        Mat grid = Grids.of(7, 3);
        assertThat(grid.type()).isEqualTo(CvType.CV_32FC2);
        assertThat(grid.cols()).isEqualTo(7);
        assertThat(grid.rows()).isEqualTo(3);
        for (int y = 0; y < 3; y++) {
            for (int x = 0; x < 7; x++) {
                float[] v = new float[2];
                grid.get(y, x, v);
                assertThat(v).as("(%d, %d)", x, y).containsExactly(x, y);
            }
        }
        assertThat(Grids.of(7, 3)).isSameAs(grid);
        assertThat(Grids.of(3, 7)).isNotSameAs(grid);
    }
}
