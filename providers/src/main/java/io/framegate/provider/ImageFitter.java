package io.framegate.provider;

import io.framegate.domain.GenerationException;
import io.framegate.domain.ImageHeader;
import io.framegate.domain.ImageLimits;
import io.framegate.domain.ImageRole;
import io.framegate.domain.InputImage;
import io.framegate.domain.ValidationException;
import io.framegate.domain.VideoSize;
import io.framegate.domain.Violation;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.indexer.FloatIndexer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Rect;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.bytedeco.opencv.opencv_core.Size;

import java.util.Locale;

import static org.bytedeco.opencv.global.opencv_core.BORDER_CONSTANT;
import static org.bytedeco.opencv.global.opencv_core.CV_32F;
import static org.bytedeco.opencv.global.opencv_core.CV_8U;
import static org.bytedeco.opencv.global.opencv_core.REDUCE_SUM;
import static org.bytedeco.opencv.global.opencv_core.absdiff;
import static org.bytedeco.opencv.global.opencv_core.copyMakeBorder;
import static org.bytedeco.opencv.global.opencv_core.reduce;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_COLOR;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMWRITE_JPEG_QUALITY;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imdecode;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imencode;
import static org.bytedeco.opencv.global.opencv_imgproc.COLOR_BGR2GRAY;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_AREA;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_CUBIC;
import static org.bytedeco.opencv.global.opencv_imgproc.Sobel;
import static org.bytedeco.opencv.global.opencv_imgproc.cvtColor;
import static org.bytedeco.opencv.global.opencv_imgproc.resize;

/**
 * Fits input images to what an upstream accepts, locally with OpenCV: frame images (first, last, reference) to the
 * video's size, subject/style images only in format and bytes. The mode comes from the request option {@code fit}:
 * <ul>
 *   <li>{@code crop} (default): scale to cover, then cut the window with the most detail (edge energy), which keeps
 *       the subject; a uniform image is cut in the centre;</li>
 *   <li>{@code pad}: scale to fit inside and fill the rest with black;</li>
 *   <li>{@code stretch}: scale each axis on its own.</li>
 * </ul>
 */
public final class ImageFitter {
    /** The request option that chooses the mode. */
    public static final String OPTION = "fit";

    public enum Mode {
        CROP, PAD, STRETCH;

        public static Mode parse(String text) {
            if (text == null || text.isBlank()) return CROP;
            try {
                return valueOf(text.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new ValidationException(new Violation(OPTION, text, "fit=" + text
                        + " is not a fit mode; allowed: crop, pad, stretch"));
            }
        }

        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** A fitted image and one line saying what was done to it. */
    public record Fitted(FittedImage image, String note) { }

    private ImageFitter() {
    }

    /** Frame roles must match the video; asset and style images keep their own shape. */
    public static boolean isFrame(ImageRole role) {
        return role == ImageRole.FIRST_FRAME || role == ImageRole.LAST_FRAME || role == ImageRole.REFERENCE;
    }

    public static Fitted fit(InputImage in, VideoSize video, Mode mode, ImageConstraints c) throws GenerationException {
        String label = in.role() + (in.source() != null ? " (" + in.source() + ")" : "");
        Mat src = decode(in.bytes(), label);
        try {
            int w = src.cols(), h = src.rows();
            String mime = in.mimeType() != null ? in.mimeType().toLowerCase(Locale.ROOT) : sniff(in.bytes());
            int tw, th;
            if (isFrame(in.role())) {
                VideoSize target = c.framesExactSize() ? video : sameAspectWithin(video, w, h);
                tw = target.width();
                th = target.height();
            } else {
                double s = Math.min(1.0, (double) c.maxAssetSide() / Math.max(w, h));
                tw = Math.max(1, (int) Math.round(w * s));
                th = Math.max(1, (int) Math.round(h * s));
            }
            boolean sameShape = tw == w && th == h;
            if (sameShape && mime != null && c.mimeTypes().contains(mime) && in.bytes().length <= c.maxBytes()) {
                return new Fitted(new FittedImage(in.role(), in.bytes(), mime, w, h),
                        label + ": unchanged " + w + "x" + h + " " + mime);
            }
            Mat out = sameShape ? src : reshape(src, tw, th, isFrame(in.role()) ? mode : Mode.STRETCH);
            try {
                FittedImage img = encode(out, in.role(), c, label);
                String how = sameShape ? "re-encoded" : (isFrame(in.role()) ? mode.toString() : "scaled");
                return new Fitted(img, label + ": " + how + " " + w + "x" + h + " -> " + tw + "x" + th + " "
                        + img.mimeType() + " (" + img.bytes().length + " bytes)");
            } finally {
                if (out != src) out.close();
            }
        } finally {
            src.close();
        }
    }

    /** The video's aspect ratio at no more than the video's size and no more than the image's own resolution. */
    private static VideoSize sameAspectWithin(VideoSize video, int w, int h) {
        double s = Math.min(1.0, Math.max((double) w / video.width(), (double) h / video.height()));
        int tw = Math.max(2, (int) Math.round(video.width() * s) / 2 * 2);
        int th = Math.max(2, (int) Math.round(video.height() * s) / 2 * 2);
        return new VideoSize(tw, th);
    }

    static Mat reshape(Mat src, int tw, int th, Mode mode) {
        int w = src.cols(), h = src.rows();
        switch (mode) {
            case STRETCH -> {
                return scaled(src, tw, th);
            }
            case PAD -> {
                double s = Math.min((double) tw / w, (double) th / h);
                int sw = Math.min(tw, Math.max(1, (int) Math.round(w * s)));
                int sh = Math.min(th, Math.max(1, (int) Math.round(h * s)));
                try (Mat inner = scaled(src, sw, sh)) {
                    Mat out = new Mat();
                    int left = (tw - sw) / 2, top = (th - sh) / 2;
                    copyMakeBorder(inner, out, top, th - sh - top, left, tw - sw - left, BORDER_CONSTANT, new Scalar(0, 0, 0, 0));
                    return out;
                }
            }
            default -> {
                double s = Math.max((double) tw / w, (double) th / h);
                int cw = Math.min(w, (int) Math.round(tw / s));
                int ch = Math.min(h, (int) Math.round(th / s));
                int x = 0, y = 0;
                if (cw < w) x = bestWindow(src, cw, true);
                if (ch < h) y = bestWindow(src, ch, false);
                try (Rect r = new Rect(x, y, cw, ch); Mat window = new Mat(src, r)) {
                    return scaled(window, tw, th);
                }
            }
        }
    }

    /**
     * Where a window of {@code len} pixels along one axis holds the most edge energy (a proxy for the subject). Ties
     * and near-ties (within 2 %) go to the window closest to the centre, so plain images are cut centrally.
     */
    static int bestWindow(Mat src, int len, boolean horizontal) {
        int full = horizontal ? src.cols() : src.rows();
        double scale = Math.min(1.0, 256.0 / Math.max(src.cols(), src.rows()));
        try (Mat small = scale < 1 ? scaled(src, Math.max(1, (int) (src.cols() * scale)), Math.max(1, (int) (src.rows() * scale))) : src.clone();
             Mat gray = new Mat(); Mat gx = new Mat(); Mat gy = new Mat(); Mat zero = new Mat(); Mat ax = new Mat();
             Mat ay = new Mat(); Mat profile = new Mat()) {
            cvtColor(small, gray, COLOR_BGR2GRAY);
            Sobel(gray, gx, CV_32F, 1, 0);
            Sobel(gray, gy, CV_32F, 0, 1);
            zero.put(Mat.zeros(gx.size(), gx.type()));
            absdiff(gx, zero, ax);
            absdiff(gy, zero, ay);
            try (Mat sum = new Mat()) {
                org.bytedeco.opencv.global.opencv_core.add(ax, ay, sum);
                reduce(sum, profile, horizontal ? 0 : 1, REDUCE_SUM, CV_32F);
            }
            int n = (int) profile.total();
            double[] prefix = new double[n + 1];
            try (FloatIndexer idx = profile.createIndexer()) {
                for (int i = 0; i < n; i++) prefix[i + 1] = prefix[i] + idx.get(horizontal ? 0 : i, horizontal ? i : 0);
            }
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
            if (best <= 0 || centreEnergy >= best * 0.98) bestPos = centre;
            int pos = (int) Math.round(bestPos * (double) full / n);
            return Math.max(0, Math.min(full - len, pos));
        }
    }

    private static Mat scaled(Mat src, int w, int h) {
        Mat out = new Mat();
        boolean down = (long) w * h < (long) src.cols() * src.rows();
        resize(src, out, new Size(w, h), 0, 0, down ? INTER_AREA : INTER_CUBIC);
        return out;
    }

    private static Mat decode(byte[] bytes, String label) throws GenerationException {
        checkPixels(bytes, label);
        Mat img;
        try (Mat buf = new Mat(1, bytes.length, CV_8U)) {
            buf.data().put(bytes);
            img = imdecode(buf, IMREAD_COLOR);
        }
        if (img == null || img.empty()) {
            throw new GenerationException("bad_image", label + " is not a readable image (PNG, JPEG or WebP expected)");
        }
        return img;
    }

    /** The size from the header, refused over the caps before {@code imdecode} would allocate for it. */
    static void checkPixels(byte[] bytes, String label) throws GenerationException {
        try {
            ImageHeader.read(bytes).checkPixels(ImageLimits.DEFAULTS);
        } catch (ImageHeader.InvalidImageException e) {
            throw new GenerationException("bad_image", label + (e.kind() == ImageHeader.InvalidImageException.Kind.TOO_LARGE
                    ? " " + e.getMessage() : " is not a readable image (PNG, JPEG or WebP expected)"));
        }
    }

    /** PNG when accepted and small enough, else JPEG at falling quality; fails when nothing fits the byte limit. */
    private static FittedImage encode(Mat img, ImageRole role, ImageConstraints c, String label) throws GenerationException {
        if (c.mimeTypes().contains("image/png")) {
            byte[] png = encodeAs(img, ".png", null);
            if (png.length <= c.maxBytes()) return new FittedImage(role, png, "image/png", img.cols(), img.rows());
        }
        if (c.mimeTypes().contains("image/jpeg")) {
            for (int q = 92; q >= 50; q -= 14) {
                byte[] jpg = encodeAs(img, ".jpg", q);
                if (jpg.length <= c.maxBytes()) return new FittedImage(role, jpg, "image/jpeg", img.cols(), img.rows());
            }
        }
        throw new GenerationException("bad_image", label + " cannot be encoded within the upstream's limit of "
                + c.maxBytes() + " bytes in " + c.mimeTypes());
    }

    private static byte[] encodeAs(Mat img, String ext, Integer jpegQuality) {
        try (BytePointer buf = new BytePointer()) {
            boolean ok = jpegQuality == null ? imencode(ext, img, buf)
                    : imencode(ext, img, buf, new IntPointer(IMWRITE_JPEG_QUALITY, jpegQuality));
            if (!ok) throw new IllegalStateException("OpenCV could not encode " + ext);
            byte[] out = new byte[(int) buf.limit()];
            buf.get(out);
            return out;
        }
    }

    /** The MIME type from the file's magic bytes, or null. */
    static String sniff(byte[] b) {
        if (b.length >= 8 && (b[0] & 0xff) == 0x89 && b[1] == 'P' && b[2] == 'N' && b[3] == 'G') return "image/png";
        if (b.length >= 3 && (b[0] & 0xff) == 0xff && (b[1] & 0xff) == 0xd8) return "image/jpeg";
        if (b.length >= 12 && b[0] == 'R' && b[1] == 'I' && b[8] == 'W' && b[9] == 'E' && b[10] == 'B' && b[11] == 'P') return "image/webp";
        return null;
    }
}
