package io.framegate.engine;

import org.opencv.core.Core;
import org.opencv.core.CvType;
import org.opencv.core.Mat;
import org.opencv.core.Point;
import org.opencv.core.Rect;
import org.opencv.core.Scalar;
import org.opencv.core.Size;
import org.opencv.imgproc.Imgproc;

/**
 * Where the subject of an image probably is: frequency-tuned saliency (Achanta et al. 2009: distance of each
 * blurred Lab pixel to the image's mean colour) weighted by a centre prior, and a foreground matte refined by GrabCut.
 * Works on a small copy (about {@value #WORK_WIDTH} px wide); positions are returned in the input's pixels.
 */
final class Subject {
    static final int WORK_WIDTH = 192;

    /** Subject centre in input pixels. */
    final double x;
    final double y;
    /** Saliency weighted by the centre prior, {@code CV_32F} in [0, 1], small size. */
    private final Mat weighted;
    private final int width;
    private final int height;

    private Subject(double x, double y, Mat weighted, int width, int height) {
        this.x = x;
        this.y = y;
        this.weighted = weighted;
        this.width = width;
        this.height = height;
    }

    static Subject find(Mat bgr) {
        int w = bgr.cols(), h = bgr.rows();
        int sw = Math.min(WORK_WIDTH, w);
        int sh = Math.max(8, (int) Math.round((double) h * sw / w));
        Mat small = new Mat();
        Imgproc.resize(bgr, small, new Size(sw, sh), 0, 0, Imgproc.INTER_AREA);
        Mat lab = new Mat();
        small.convertTo(lab, CvType.CV_32FC3, 1 / 255.0);
        Imgproc.cvtColor(lab, lab, Imgproc.COLOR_BGR2Lab);
        Scalar mean = Core.mean(lab);
        Mat blurred = new Mat();
        Imgproc.GaussianBlur(lab, blurred, new Size(5, 5), 0);
        Mat diff = new Mat();
        Core.subtract(blurred, mean, diff);
        Mat sq = diff.mul(diff);
        java.util.List<Mat> channels = new java.util.ArrayList<>();
        Core.split(sq, channels);
        Mat sal = new Mat();
        Core.add(channels.get(0), channels.get(1), sal);
        Core.add(sal, channels.get(2), sal);
        channels.forEach(Mat::release);
        Core.sqrt(sal, sal);
        float[] s = new float[sw * sh];
        sal.get(0, 0, s);
        double max = 1e-6;
        for (int i = 0; i < s.length; i++) {
            int px = i % sw, py = i / sw;
            double dx = (px + 0.5) / sw - 0.5, dy = (py + 0.5) / sh - 0.5;
            s[i] *= (float) Math.exp(-(dx * dx) / (2 * 0.28 * 0.28) - (dy * dy) / (2 * 0.3 * 0.3));
            max = Math.max(max, s[i]);
        }
        double sumW = 0, sumX = 0, sumY = 0;
        for (int i = 0; i < s.length; i++) {
            s[i] /= (float) max;
            double wgt = (double) s[i] * s[i] * s[i];
            sumW += wgt;
            sumX += wgt * (i % sw + 0.5);
            sumY += wgt * (i / sw + 0.5);
        }
        Mat weighted = new Mat(sh, sw, CvType.CV_32F);
        weighted.put(0, 0, s);
        double cx = sumW > 0 ? sumX / sumW * w / sw : w / 2.0;
        double cy = sumW > 0 ? sumY / sumW * h / sh : h / 2.0;
        for (Mat m : new Mat[]{small, lab, blurred, diff, sq, sal}) m.release();
        return new Subject(cx, cy, weighted, w, h);
    }

    /**
     * A soft foreground matte ({@code CV_8U}, 255 = subject) at {@code outW x outH}: the thresholded saliency refined by
     * GrabCut on a small copy of {@code bgr}; an ellipse around the subject when GrabCut finds nothing sensible.
     */
    Mat matte(Mat bgr, int outW, int outH) {
        int sw = weighted.cols(), sh = weighted.rows();
        Mat small = new Mat();
        Imgproc.resize(bgr, small, new Size(sw, sh), 0, 0, Imgproc.INTER_AREA);
        Mat sal8 = new Mat();
        weighted.convertTo(sal8, CvType.CV_8U, 255);
        Mat thr = new Mat();
        Imgproc.threshold(sal8, thr, 0, 255, Imgproc.THRESH_BINARY | Imgproc.THRESH_OTSU);
        Mat mask = new Mat(sh, sw, CvType.CV_8U, new Scalar(Imgproc.GC_PR_BGD));
        mask.setTo(new Scalar(Imgproc.GC_PR_FGD), thr);
        Imgproc.rectangle(mask, new Point(0, 0), new Point(sw - 1, sh - 1), new Scalar(Imgproc.GC_BGD), 1);
        Mat bgModel = new Mat(), fgModel = new Mat();
        Mat fg = new Mat();
        double area = 0;
        if (Core.countNonZero(thr) > 0) {
            // GrabCut seeds its colour models with k-means on the thread's RNG: fix it so renders are repeatable
            Core.setRNGSeed(0x5eed);
            Imgproc.grabCut(small, mask, new Rect(), bgModel, fgModel, 3, Imgproc.GC_INIT_WITH_MASK);
            Mat isFg = new Mat(), isPrFg = new Mat();
            Core.compare(mask, new Scalar(Imgproc.GC_FGD), isFg, Core.CMP_EQ);
            Core.compare(mask, new Scalar(Imgproc.GC_PR_FGD), isPrFg, Core.CMP_EQ);
            Core.bitwise_or(isFg, isPrFg, fg);
            isFg.release();
            isPrFg.release();
            area = (double) Core.countNonZero(fg) / (sw * sh);
        }
        if (area < 0.02 || area > 0.6) {
            fg = Mat.zeros(sh, sw, CvType.CV_8U);
            Imgproc.ellipse(fg, new Point(x * sw / width, y * sh / height), new Size(sw * 0.22, sh * 0.3), 0, 0, 360,
                    new Scalar(255), -1);
        }
        Mat out = new Mat();
        Imgproc.resize(fg, out, new Size(outW, outH), 0, 0, Imgproc.INTER_LINEAR);
        double sigma = Math.max(1.5, outW * 0.006);
        Imgproc.GaussianBlur(out, out, new Size(0, 0), sigma);
        for (Mat m : new Mat[]{small, sal8, thr, mask, bgModel, fgModel, fg}) m.release();
        return out;
    }

    void release() {
        weighted.release();
    }
}
