package io.framegate.engine;

import io.framegate.domain.GenerationRequest;
import io.framegate.domain.ImageRole;
import io.framegate.domain.ModelCatalog;
import io.framegate.domain.RenderPlan;
import io.framegate.domain.RequestValidator;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.Frame;
import org.bytedeco.javacv.OpenCVFrameConverter;
import org.opencv.core.Core;
import org.opencv.core.CvType;
import org.opencv.core.Mat;
import org.opencv.core.MatOfByte;
import org.opencv.core.Point;
import org.opencv.core.Rect;
import org.opencv.core.Scalar;
import org.opencv.core.Size;
import org.opencv.imgcodecs.Imgcodecs;
import org.opencv.imgproc.Imgproc;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Procedural test images (a textured landscape with a subject), plans, and MP4 decoding for the engine tests. */
final class TestScenes {
    static final RequestValidator VALIDATOR = new RequestValidator(ModelCatalog.builtIn());

    private TestScenes() {
    }

    static {
        NativeLibs.ensureLoaded();
    }

    /**
     * A large scene: multi-octave noise (colour at coarse scales, luminance grain at fine ones) with a striped disc as the subject in the
     * middle. Views of it at different offsets or zooms make keyframes with exactly known motion.
     */
    static Mat scene(int width, int height, long seed) {
        NativeLibs.ensureLoaded();
        Random random = new Random(seed);
        Mat acc = new Mat(height, width, CvType.CV_32FC3, new Scalar(0, 0, 0));
        double amplitude = 60;
        for (int cells = 4; cells <= Math.max(width, height) / 3; cells *= 2) {
            int cw = Math.max(2, cells * width / Math.max(width, height));
            int ch = Math.max(2, cells * height / Math.max(width, height));
            Mat noise = new Mat(ch, cw, CvType.CV_32FC3);
            float[] v = new float[3 * cw * ch];
            // colour varies only at coarse scales, fine grain is luminance (as in photographs)
            boolean coarse = cells <= 16;
            for (int i = 0; i < v.length; i += 3) {
                float grain = (float) (random.nextGaussian() * amplitude);
                for (int c = 0; c < 3; c++) {
                    v[i + c] = coarse ? grain + (float) (random.nextGaussian() * amplitude * 0.4) : grain;
                }
            }
            noise.put(0, 0, v);
            Mat up = new Mat();
            Imgproc.resize(noise, up, new Size(width, height), 0, 0, Imgproc.INTER_CUBIC);
            Core.add(acc, up, acc);
            noise.release();
            up.release();
            amplitude *= 0.6;
        }
        Core.add(acc, new Scalar(110, 130, 120), acc);
        Mat out = new Mat();
        acc.convertTo(out, CvType.CV_8UC3);
        acc.release();
        Point c = new Point(width / 2.0, height / 2.0);
        int r = Math.min(width, height) / 7;
        Imgproc.circle(out, c, r, new Scalar(60, 80, 190), -1, Imgproc.LINE_AA);
        for (int k = -r; k < r; k += Math.max(3, r / 4)) {
            Imgproc.line(out, new Point(c.x + k, c.y - r * 0.8), new Point(c.x + k + r / 3.0, c.y + r * 0.8),
                    new Scalar(120, 150, 230), Math.max(1, r / 10), Imgproc.LINE_AA);
        }
        Imgproc.circle(out, c, r, new Scalar(20, 20, 20), Math.max(1, r / 12), Imgproc.LINE_AA);
        return out;
    }

    /** A {@code w x h} view of the scene centred at (cx, cy), magnified by zoom (sub-pixel, bicubic). */
    static Mat view(Mat scene, double cx, double cy, double zoom, int w, int h) {
        Mat m = new Mat(2, 3, CvType.CV_64F);
        m.put(0, 0, zoom, 0, w / 2.0 - zoom * cx, 0, zoom, h / 2.0 - zoom * cy);
        Mat out = new Mat();
        Imgproc.warpAffine(scene, out, m, new Size(w, h), Imgproc.INTER_CUBIC, Core.BORDER_REFLECT_101);
        m.release();
        return out;
    }

    /** An unrelated image: concentric colour rings. */
    static Mat rings(int w, int h) {
        Mat out = new Mat(h, w, CvType.CV_8UC3, new Scalar(200, 180, 40));
        for (int r = Math.max(w, h); r > 0; r -= Math.max(4, w / 20)) {
            Imgproc.circle(out, new Point(w * 0.3, h * 0.7), r,
                    new Scalar(60 + (r * 7) % 140, 60 + (r * 3) % 140, 200 - (r * 5) % 140), -1, Imgproc.LINE_AA);
        }
        // soft edges, as a photograph has (hard saturated colour edges are what yuv420p loses most)
        Imgproc.GaussianBlur(out, out, new Size(0, 0), 1.5);
        return out;
    }

    static byte[] png(Mat m) {
        MatOfByte buf = new MatOfByte();
        Imgcodecs.imencode(".png", m, buf);
        return buf.toArray();
    }

    static byte[] encode(String ext, Mat m) {
        MatOfByte buf = new MatOfByte();
        Imgcodecs.imencode(ext, m, buf);
        return buf.toArray();
    }

    static RenderPlan plan(String model, String prompt, int width, int height, int fps, int frames,
                           Object... roleAndImage) {
        GenerationRequest.Builder b = GenerationRequest.builder().model(model).prompt(prompt)
                .size(width + "x" + height).fps(fps).numFrames(frames);
        for (int i = 0; i < roleAndImage.length; i += 2) {
            ImageRole role = (ImageRole) roleAndImage[i];
            Object img = roleAndImage[i + 1];
            byte[] bytes = img instanceof Mat m ? png(m) : (byte[]) img;
            b.image(role, bytes, "image/png", role + ".png");
        }
        return VALIDATOR.validate(b.build());
    }

    static RenderPlan withOption(RenderPlan plan, String key, String value) {
        return VALIDATOR.validate(plan.request().toBuilder().option(key, value).build());
    }

    /** A decoded video: its frames and what the container says. */
    record Video(List<Mat> frames, int width, int height, double fps, long lengthMicros) {
        Mat first() {
            return frames.getFirst();
        }

        Mat last() {
            return frames.getLast();
        }
    }

    static Video decode(Path mp4) throws Exception {
        List<Mat> frames = new ArrayList<>();
        try (FFmpegFrameGrabber g = new FFmpegFrameGrabber(mp4.toFile());
             OpenCVFrameConverter.ToOrgOpenCvCoreMat conv = new OpenCVFrameConverter.ToOrgOpenCvCoreMat()) {
            g.start();
            Frame f;
            while ((f = g.grabImage()) != null) frames.add(conv.convert(f).clone());
            Video v = new Video(frames, g.getImageWidth(), g.getImageHeight(), g.getFrameRate(), g.getLengthInTime());
            g.stop();
            return v;
        }
    }

    /** Shift of b relative to a by phase correlation on gray, optionally inside a region. */
    static Point shift(Mat a, Mat b, Rect region) {
        Mat ga = new Mat(), gb = new Mat();
        Imgproc.cvtColor(region == null ? a : a.submat(region), ga, Imgproc.COLOR_BGR2GRAY);
        Imgproc.cvtColor(region == null ? b : b.submat(region), gb, Imgproc.COLOR_BGR2GRAY);
        ga.convertTo(ga, CvType.CV_32F);
        gb.convertTo(gb, CvType.CV_32F);
        Mat window = new Mat();
        Imgproc.createHanningWindow(window, ga.size(), CvType.CV_32F);
        return Imgproc.phaseCorrelate(ga, gb, window);
    }

    static double psnr(Mat a, Mat b) {
        return ImageFitter.psnr(a, b);
    }

    /** PSNR of the luma (Y of YCrCb) only: what yuv420p keeps at full resolution. */
    static double psnrLuma(Mat a, Mat b) {
        Mat ya = new Mat(), yb = new Mat();
        Imgproc.cvtColor(a, ya, Imgproc.COLOR_BGR2YCrCb);
        Imgproc.cvtColor(b, yb, Imgproc.COLOR_BGR2YCrCb);
        Mat la = new Mat(), lb = new Mat();
        Core.extractChannel(ya, la, 0);
        Core.extractChannel(yb, lb, 0);
        double p = ImageFitter.psnr(la, lb);
        for (Mat m : new Mat[]{ya, yb, la, lb}) m.release();
        return p;
    }

    /**
     * Asserts that a decoded frame reproduces an input: luma at >= 40 dB and RGB at >= 35 dB. RGB cannot reach 40 dB
     * on these images even losslessly: yuv420p halves the chroma resolution (x264 lossless gives 39 dB on the
     * 320x180 scene, less on smaller ones).
     */
    static void assertFaithful(Mat decoded, Mat input, String what) {
        org.assertj.core.api.Assertions.assertThat(psnrLuma(decoded, input)).as(what + " luma PSNR").isGreaterThanOrEqualTo(40);
        org.assertj.core.api.Assertions.assertThat(psnr(decoded, input)).as(what + " RGB PSNR").isGreaterThanOrEqualTo(35);
    }
}
