package io.framegate.engine;

import io.framegate.domain.FitMode;

import io.framegate.domain.GenerationException;
import io.framegate.domain.InputImage;
import org.opencv.core.Core;
import org.opencv.core.CvType;
import org.opencv.core.Mat;
import org.opencv.core.Scalar;
import org.opencv.core.Size;
import org.opencv.imgproc.Imgproc;

import java.io.IOException;
import java.nio.file.Path;

/**
 * How faithfully a video honours the keyframes it was asked for: its first (last) decoded frame against the first
 * (last) keyframe as fitted to the video's size, by PSNR (dB, all channels) and SSIM (luma, 11x11 Gaussian window,
 * Wang et al. 2004), both reported. A keyframe counts as honoured when the frame's PSNR after matching its colour
 * grade to the keyframe (per-channel mean and contrast) reaches {@value #HONOURED_PSNR} dB.
 *
 * <p>Why that measure and that threshold (FidelityThresholdMeasurement, docs/fidelity.md; 1280x720, example pictures
 * and three procedural scenes): local renders score 41-44 dB, stand-ins for honoured cloud results (re-encoded at CRF
 * 38, colour-graded, moved 2 px, some blurred) 27.0-29.3 dB; videos that start elsewhere (camera 5% or 10% of the
 * width away, zoomed 10%, or at the other keyframe) 13.9-18.8 dB. 23 dB sits about 4 dB from both. SSIM separates
 * them worse (honoured stand-ins down to 0.876, elsewhere up to 0.823: smooth areas score high whatever they show),
 * and plain PSNR punishes a colour grade alone (-15 dB for x0.8 +30), so neither decides.
 */
public final class KeyframeFidelity {
    /** Grade-matched PSNR (dB) at or above which a keyframe counts as honoured. */
    public static final double HONOURED_PSNR = 23;

    private KeyframeFidelity() {
    }

    /**
     * One end of the video against its keyframe.
     *
     * @param psnr       dB over all channels; {@code Infinity} for identical frames
     * @param ssim       -1..1, luma
     * @param gradedPsnr PSNR after the frame's per-channel mean and contrast are matched to the keyframe's: what
     *                   decides, so that a colour grade or exposure change alone does not count as a different picture
     */
    public record Score(double psnr, double ssim, double gradedPsnr) {
        public boolean honoured() {
            return gradedPsnr >= HONOURED_PSNR;
        }
    }

    /**
     * @param firstFrame null when the request had no first frame
     * @param lastFrame  null when the request had no last frame
     * @param honoured   whether every given keyframe was honoured
     */
    public record Result(Score firstFrame, Score lastFrame, boolean honoured) {
    }

    /**
     * Compares the video's first and last frames with the keyframes given (either may be null, not both).
     *
     * @param fit how the keyframes were fitted to the output ({@code crop} unless the request said otherwise)
     * @throws IOException         the video cannot be decoded or has no frame
     * @throws GenerationException a keyframe cannot be decoded
     */
    public static Result measure(Path video, InputImage first, InputImage last, FitMode fit)
            throws IOException, GenerationException {
        if (first == null && last == null) throw new IllegalArgumentException("no keyframe to compare with");
        NativeLibs.ensureLoaded();
        Mat[] ends = firstAndLastFrames(video);
        try {
            Score a = first == null ? null : score(ends[0], first, fit);
            Score b = last == null ? null : score(ends[1], last, fit);
            boolean honoured = (a == null || a.honoured()) && (b == null || b.honoured());
            return new Result(a, b, honoured);
        } finally {
            ends[0].release();
            ends[1].release();
        }
    }

    private static Score score(Mat frame, InputImage keyframe, FitMode fit) throws GenerationException {
        Mat decoded = ImageDecoder.decode(keyframe);
        Mat fitted = ImageFitter.fit(decoded, frame.cols(), frame.rows(), fit);
        decoded.release();
        try {
            Mat graded = matchGrade(frame, fitted);
            double gradedPsnr = ImageFitter.psnr(graded, fitted);
            graded.release();
            return new Score(ImageFitter.psnr(frame, fitted), ssim(frame, fitted), gradedPsnr);
        } finally {
            fitted.release();
        }
    }

    /** {@code frame} with each channel's mean and standard deviation set to those of {@code target}. */
    static Mat matchGrade(Mat frame, Mat target) {
        org.opencv.core.MatOfDouble fm = new org.opencv.core.MatOfDouble(), fs = new org.opencv.core.MatOfDouble();
        org.opencv.core.MatOfDouble tm = new org.opencv.core.MatOfDouble(), ts = new org.opencv.core.MatOfDouble();
        Core.meanStdDev(frame, fm, fs);
        Core.meanStdDev(target, tm, ts);
        double[] fMean = fm.toArray(), fStd = fs.toArray(), tMean = tm.toArray(), tStd = ts.toArray();
        java.util.List<Mat> channels = new java.util.ArrayList<>();
        Core.split(frame, channels);
        for (int c = 0; c < channels.size(); c++) {
            double gain = fStd[c] < 1e-6 ? 1 : tStd[c] / fStd[c];
            Mat adjusted = new Mat();
            channels.get(c).convertTo(adjusted, -1, gain, tMean[c] - gain * fMean[c]); // saturating cast to 8 bit
            channels.get(c).release();
            channels.set(c, adjusted);
        }
        Mat out = new Mat();
        Core.merge(channels, out);
        channels.forEach(Mat::release);
        for (Mat m : new Mat[] {fm, fs, tm, ts}) m.release();
        return out;
    }

    /** The first and last decoded frames (BGR, 8 bit), as copies the caller releases. */
    static Mat[] firstAndLastFrames(Path video) throws IOException {
        try (VideoReader frames = new VideoReader(video)) {
            Mat first = null, last = null, bgr;
            while ((bgr = frames.next()) != null) {
                if (first == null) first = bgr.clone();
                if (last == null) last = new Mat();
                bgr.copyTo(last);
            }
            if (first == null) throw new IOException(video.getFileName() + " has no video frame");
            return new Mat[] {first, last};
        }
    }

    /** Mean SSIM of the luma of two BGR images of one size (11x11 Gaussian window, sigma 1.5, K1 0.01, K2 0.03). */
    public static double ssim(Mat a, Mat b) {
        NativeLibs.ensureLoaded();
        Mat x = luma(a), y = luma(b);
        Mat mx = blur(x), my = blur(y);
        Mat xx = blurOfProduct(x, x), yy = blurOfProduct(y, y), xy = blurOfProduct(x, y);
        Mat mx2 = mx.mul(mx), my2 = my.mul(my), mxy = mx.mul(my);
        Mat vx = new Mat(), vy = new Mat(), cxy = new Mat();
        Core.subtract(xx, mx2, vx);
        Core.subtract(yy, my2, vy);
        Core.subtract(xy, mxy, cxy);
        double c1 = Math.pow(0.01 * 255, 2), c2 = Math.pow(0.03 * 255, 2);
        Mat num1 = new Mat(), num2 = new Mat(), den1 = new Mat(), den2 = new Mat();
        Core.addWeighted(mxy, 2, mxy, 0, c1, num1);
        Core.addWeighted(cxy, 2, cxy, 0, c2, num2);
        Core.add(mx2, my2, den1);
        Core.add(den1, new Scalar(c1), den1);
        Core.add(vx, vy, den2);
        Core.add(den2, new Scalar(c2), den2);
        Mat num = num1.mul(num2), den = den1.mul(den2), map = new Mat();
        Core.divide(num, den, map);
        double mean = Core.mean(map).val[0];
        for (Mat m : new Mat[] {x, y, mx, my, xx, yy, xy, mx2, my2, mxy, vx, vy, cxy, num1, num2, den1, den2, num, den, map}) {
            m.release();
        }
        return mean;
    }

    private static Mat luma(Mat bgr) {
        Mat gray = new Mat(), f = new Mat();
        Imgproc.cvtColor(bgr, gray, bgr.channels() == 4 ? Imgproc.COLOR_BGRA2GRAY : Imgproc.COLOR_BGR2GRAY);
        gray.convertTo(f, CvType.CV_64F);
        gray.release();
        return f;
    }

    private static Mat blurOfProduct(Mat a, Mat b) {
        Mat p = a.mul(b);
        Mat out = blur(p);
        p.release();
        return out;
    }

    private static Mat blur(Mat m) {
        Mat out = new Mat();
        Imgproc.GaussianBlur(m, out, new Size(11, 11), 1.5, 1.5, Core.BORDER_REPLICATE);
        return out;
    }
}
