package io.framegate.engine;

import org.opencv.core.Core;
import org.opencv.core.CvType;
import org.opencv.core.Mat;
import org.opencv.core.Rect;
import org.opencv.core.Scalar;
import org.opencv.core.Size;
import org.opencv.imgproc.Imgproc;

/** Fits an image to an output size: {@link FitMode#CROP} keeps the centre, {@link FitMode#PAD} letterboxes. */
public final class ImageFitter {
    private ImageFitter() {
    }

    /** A new {@code width x height} image; the source is left untouched. */
    public static Mat fit(Mat src, int width, int height, FitMode mode) {
        NativeLibs.ensureLoaded();
        double sx = (double) width / src.cols();
        double sy = (double) height / src.rows();
        return switch (mode) {
            case STRETCH -> resize(src, width, height);
            case CROP -> {
                double s = Math.max(sx, sy);
                int rw = Math.max(width, (int) Math.round(src.cols() * s));
                int rh = Math.max(height, (int) Math.round(src.rows() * s));
                Mat scaled = resize(src, rw, rh);
                Mat out = scaled.submat(new Rect((rw - width) / 2, (rh - height) / 2, width, height)).clone();
                scaled.release();
                yield out;
            }
            case PAD -> {
                double s = Math.min(sx, sy);
                int rw = Math.min(width, Math.max(1, (int) Math.round(src.cols() * s)));
                int rh = Math.min(height, Math.max(1, (int) Math.round(src.rows() * s)));
                Mat scaled = resize(src, rw, rh);
                Mat out = new Mat(height, width, CvType.CV_8UC3, new Scalar(0, 0, 0));
                scaled.copyTo(out.submat(new Rect((width - rw) / 2, (height - rh) / 2, rw, rh)));
                scaled.release();
                yield out;
            }
        };
    }

    /** Area averaging when shrinking (no aliasing), bicubic when enlarging. */
    static Mat resize(Mat src, int width, int height) {
        Mat out = new Mat();
        if (width == src.cols() && height == src.rows()) {
            src.copyTo(out);
            return out;
        }
        boolean shrinking = width <= src.cols() && height <= src.rows();
        Imgproc.resize(src, out, new Size(width, height), 0, 0, shrinking ? Imgproc.INTER_AREA : Imgproc.INTER_CUBIC);
        return out;
    }

    /** Peak signal-to-noise ratio in dB between two images of the same size and type (infinity when equal). */
    public static double psnr(Mat a, Mat b) {
        double mse = meanSquaredError(a, b);
        return mse == 0 ? Double.POSITIVE_INFINITY : 10 * Math.log10(255.0 * 255.0 / mse);
    }

    static double meanSquaredError(Mat a, Mat b) {
        Mat diff = new Mat();
        Core.absdiff(a, b, diff);
        diff.convertTo(diff, CvType.CV_32F);
        Mat sq = diff.mul(diff);
        Scalar s = Core.sumElems(sq);
        diff.release();
        sq.release();
        double total = s.val[0] + s.val[1] + s.val[2] + s.val[3];
        return total / ((double) a.total() * a.channels());
    }
}
