package io.framegate.engine;

import org.opencv.core.Core;
import org.opencv.core.CvType;
import org.opencv.core.Mat;

import java.util.List;
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
            // one row of x and one column of y, repeated natively: a Java loop over every pixel ran interpreted
            // (7 ms at 640x360, once per size)
            float[] xs = new float[width], ys = new float[height];
            for (int x = 0; x < width; x++) xs[x] = x;
            for (int y = 0; y < height; y++) ys[y] = y;
            Mat row = new Mat(1, width, CvType.CV_32F), column = new Mat(height, 1, CvType.CV_32F);
            row.put(0, 0, xs);
            column.put(0, 0, ys);
            Mat gx = new Mat(), gy = new Mat(), grid = new Mat();
            Core.repeat(row, height, 1, gx);
            Core.repeat(column, 1, width, gy);
            Core.merge(List.of(gx, gy), grid);
            for (Mat m : List.of(row, column, gx, gy)) m.release();
            return grid;
        });
    }
}
