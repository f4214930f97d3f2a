package io.framegate.engine;

import io.framegate.domain.FitMode;

import org.opencv.core.Core;
import org.opencv.core.CvType;
import org.opencv.core.Mat;
import org.opencv.core.Rect;
import org.opencv.core.Scalar;
import org.opencv.core.Size;
import org.opencv.imgproc.Imgproc;

/**
 * The one image fitter: fits an image to an output size by the request's {@link FitMode}, for the offline engine, the
 * keyframe fidelity score and every cloud upstream alike.
 * <ul>
 *   <li>{@link FitMode#CROP}: scale to cover, then cut the window with the most detail (edge energy), which keeps
 *       the subject; a plain image (or one whose detail is spread evenly) is cut in the centre;</li>
 *   <li>{@link FitMode#PAD}: scale to fit inside and fill the rest with black;</li>
 *   <li>{@link FitMode#STRETCH}: scale each axis on its own.</li>
 * </ul>
 */
public final class ImageFitter {
    /** Windows within this share of the best one's detail count as ties, which go to the centre. */
    static final double CENTRE_TIE = 0.98;
    /** Detail is measured on a copy at most this many pixels on its long side. */
    static final int DETAIL_SIDE = 256;

    private ImageFitter() {
    }

    /** A new {@code width x height} image; the source is left untouched. */
    public static Mat fit(Mat src, int width, int height, FitMode mode) {
        NativeLibs.ensureLoaded();
        double sx = (double) width / src.cols();
        double sy = (double) height / src.rows();
        return switch (FitMode.orDefault(mode)) {
            case STRETCH -> resize(src, width, height);
            case CROP -> {
                Rect window = cropWindow(src, width, height);
                Mat cut = src.submat(window);
                Mat out = resize(cut, width, height);
                cut.release();
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

    /** The part of {@code src} (in its own pixels) that {@link FitMode#CROP} scales to {@code width x height}. */
    public static Rect cropWindow(Mat src, int width, int height) {
        int w = src.cols(), h = src.rows();
        double s = Math.max((double) width / w, (double) height / h);
        int cw = Math.max(1, Math.min(w, (int) Math.round(width / s)));
        int ch = Math.max(1, Math.min(h, (int) Math.round(height / s)));
        int x = cw < w ? bestWindow(src, cw, true) : 0;
        int y = ch < h ? bestWindow(src, ch, false) : 0;
        return new Rect(x, y, cw, ch);
    }

    /**
     * Where a window of {@code len} pixels along one axis holds the most edge energy (a proxy for the subject). Ties
     * and near-ties (within 2 %) go to the window closest to the centre, so plain images are cut centrally.
     */
    static int bestWindow(Mat src, int len, boolean horizontal) {
        int full = horizontal ? src.cols() : src.rows();
        int centrePos = (full - len) / 2;
        double scale = Math.min(1.0, (double) DETAIL_SIDE / Math.max(src.cols(), src.rows()));
        Mat small = scale < 1 ? resize(src, Math.max(1, (int) (src.cols() * scale)), Math.max(1, (int) (src.rows() * scale)))
                : src;
        Mat gray = new Mat(), gx = new Mat(), gy = new Mat(), sum = new Mat(), profile = new Mat();
        try {
            if (small.channels() == 1) small.copyTo(gray);
            else Imgproc.cvtColor(small, gray, small.channels() == 4 ? Imgproc.COLOR_BGRA2GRAY : Imgproc.COLOR_BGR2GRAY);
            Imgproc.Sobel(gray, gx, CvType.CV_32F, 1, 0);
            Imgproc.Sobel(gray, gy, CvType.CV_32F, 0, 1);
            Core.absdiff(gx, Scalar.all(0), gx);
            Core.absdiff(gy, Scalar.all(0), gy);
            Core.add(gx, gy, sum);
            Core.reduce(sum, profile, horizontal ? 0 : 1, Core.REDUCE_SUM, CvType.CV_32F);
            int n = (int) profile.total();
            float[] energy = new float[n];
            profile.get(0, 0, energy);
            double[] prefix = new double[n + 1];
            for (int i = 0; i < n; i++) prefix[i + 1] = prefix[i] + energy[i];
            int win = Math.max(1, Math.min(n, (int) Math.round(len * (double) n / full)));
            int centre = (n - win) / 2;
            double best = -1;
            int bestPos = centre;
            for (int p = 0; p + win <= n; p++) {
                double e = prefix[p + win] - prefix[p];
                if (e > best) {
                    best = e;
                    bestPos = p;
                }
            }
            double centreEnergy = prefix[centre + win] - prefix[centre];
            if (best <= 0 || centreEnergy >= best * CENTRE_TIE) return centrePos;
            int pos = (int) Math.round(bestPos * (double) full / n);
            return Math.max(0, Math.min(full - len, pos));
        } finally {
            if (small != src) small.release();
            gray.release();
            gx.release();
            gy.release();
            sum.release();
            profile.release();
        }
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
