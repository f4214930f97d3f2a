package io.framegate.provider;

import io.framegate.domain.FitMode;
import io.framegate.domain.GenerationException;
import io.framegate.domain.ImageRole;
import io.framegate.domain.InputImage;
import io.framegate.domain.VideoSize;
import io.framegate.engine.ImageDecoder;
import io.framegate.engine.ImageFitter;
import io.framegate.engine.ImageHeader;
import org.opencv.core.Mat;
import org.opencv.imgcodecs.Imgcodecs;

import java.util.Locale;

/**
 * Prepares input images for an upstream: frame images (first, last, reference) are fitted to the video's size by the
 * request's {@link FitMode} with the engine's {@link ImageFitter} (the same fit the offline engine applies),
 * subject/style images are only scaled within the upstream's limit; then each is encoded in a format and size the
 * upstream accepts ({@link ImageConstraints}).
 */
public final class UpstreamImages {
    /** A prepared image and one line saying what was done to it. */
    public record Fitted(FittedImage image, String note) { }

    private UpstreamImages() {
    }

    /** Frame roles must match the video; asset and style images keep their own shape. */
    public static boolean isFrame(ImageRole role) {
        return role == ImageRole.FIRST_FRAME || role == ImageRole.LAST_FRAME || role == ImageRole.REFERENCE;
    }

    public static Fitted fit(InputImage in, VideoSize video, FitMode mode, ImageConstraints c) throws GenerationException {
        FitMode fit = FitMode.orDefault(mode);
        String label = in.role() + (in.source() != null ? " (" + in.source() + ")" : "");
        Mat src = ImageDecoder.decode(new InputImage(in.role(), in.bytes(), in.mimeType(), label, in.checked()));
        try {
            int w = src.cols(), h = src.rows();
            String mime = in.mimeType() != null ? in.mimeType().toLowerCase(Locale.ROOT) : ImageHeader.mimeTypeOf(in.bytes());
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
            Mat out = sameShape ? src : ImageFitter.fit(src, tw, th, isFrame(in.role()) ? fit : FitMode.STRETCH);
            try {
                FittedImage img = encode(out, in.role(), c, label);
                String how = sameShape ? "re-encoded" : (isFrame(in.role()) ? fit.id() : "scaled");
                return new Fitted(img, label + ": " + how + " " + w + "x" + h + " -> " + tw + "x" + th + " "
                        + img.mimeType() + " (" + img.bytes().length + " bytes)");
            } finally {
                if (out != src) out.release();
            }
        } finally {
            src.release();
        }
    }

    /** The video's aspect ratio at no more than the video's size and no more than the image's own resolution. */
    private static VideoSize sameAspectWithin(VideoSize video, int w, int h) {
        double s = Math.min(1.0, Math.max((double) w / video.width(), (double) h / video.height()));
        int tw = Math.max(2, (int) Math.round(video.width() * s) / 2 * 2);
        int th = Math.max(2, (int) Math.round(video.height() * s) / 2 * 2);
        return new VideoSize(tw, th);
    }

    /** PNG when accepted and small enough, else JPEG at falling quality; fails when nothing fits the byte limit. */
    private static FittedImage encode(Mat img, ImageRole role, ImageConstraints c, String label) throws GenerationException {
        if (c.mimeTypes().contains("image/png")) {
            byte[] png = ImageDecoder.encode(".png", img);
            if (png.length <= c.maxBytes()) return new FittedImage(role, png, "image/png", img.cols(), img.rows());
        }
        if (c.mimeTypes().contains("image/jpeg")) {
            for (int q = 92; q >= 50; q -= 14) {
                byte[] jpg = ImageDecoder.encode(".jpg", img, Imgcodecs.IMWRITE_JPEG_QUALITY, q);
                if (jpg.length <= c.maxBytes()) return new FittedImage(role, jpg, "image/jpeg", img.cols(), img.rows());
            }
        }
        throw new GenerationException("bad_image", label + " cannot be encoded within the upstream's limit of "
                + c.maxBytes() + " bytes in " + c.mimeTypes());
    }
}
