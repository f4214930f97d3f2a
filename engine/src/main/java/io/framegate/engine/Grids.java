package io.framegate.engine;

import org.opencv.core.CvType;
import org.opencv.core.Mat;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Pixel-coordinate grids ({@code CV_32FC2}: x, y) per frame size, made once per process: the identity remap map. */
final class Grids {
    private static final Map<Long, Mat> GRIDS = new ConcurrentHashMap<>();

    private Grids() {
    }

    /** The shared grid of a size; never release it. */
    static Mat of(int width, int height) {
        return GRIDS.computeIfAbsent(((long) width << 32) | height, k -> {
            float[] coords = new float[2 * width * height];
            for (int y = 0; y < height; y++) {
                for (int x = 0; x < width; x++) {
                    int i = 2 * (y * width + x);
                    coords[i] = x;
                    coords[i + 1] = y;
                }
            }
            Mat grid = new Mat(height, width, CvType.CV_32FC2);
            grid.put(0, 0, coords);
            return grid;
        });
    }
}
