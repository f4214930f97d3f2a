package io.framegate.engine;

import io.framegate.domain.GenerationException;
import io.framegate.domain.ImageHeader;
import io.framegate.domain.ImageLimits;
import io.framegate.domain.InputImage;
import org.opencv.core.Mat;
import org.opencv.core.MatOfByte;
import org.opencv.imgcodecs.Imgcodecs;

/** Decodes the bytes of an {@link InputImage} (PNG, JPEG, WebP, BMP, TIFF ...) into an 8-bit BGR image. */
public final class ImageDecoder {
    private ImageDecoder() {
    }

    /** Checks that the image decodes and returns its size; call it to reject a bad upload before any work starts. */
    public static ImageInfo probe(InputImage image) throws GenerationException {
        Mat m = decode(image);
        try {
            return new ImageInfo(m.cols(), m.rows(), sniffFormat(image.bytes()));
        } finally {
            m.release();
        }
    }

    /**
     * Decodes to {@code CV_8UC3} BGR, applying EXIF orientation; alpha is dropped and 16-bit images are scaled to 8 bits.
     *
     * @throws GenerationException {@code bad_image} when the bytes are not an image OpenCV can read
     */
    public static Mat decode(InputImage image) throws GenerationException {
        NativeLibs.ensureLoaded();
        byte[] bytes = image.bytes();
        String format = sniffFormat(bytes);
        if (bytes.length < 8 || "other".equals(format)) throw notAnImage(image);
        try {
            // the size comes from the header, so a small file declaring 30000x30000 never reaches imdecode
            ImageHeader.read(bytes).checkPixels(ImageLimits.DEFAULTS);
        } catch (ImageHeader.InvalidImageException e) {
            if (e.kind() != ImageHeader.InvalidImageException.Kind.TOO_LARGE) throw notAnImage(image);
            throw new GenerationException("bad_image", name(image) + " " + e.getMessage());
        }
        MatOfByte buf = new MatOfByte(bytes);
        Mat m;
        try {
            m = Imgcodecs.imdecode(buf, Imgcodecs.IMREAD_COLOR);
        } catch (RuntimeException e) {
            throw new GenerationException("bad_image", name(image) + ": not a readable image (PNG, JPEG or WebP)", e);
        } finally {
            buf.release();
        }
        if (m == null || m.empty()) throw notAnImage(image);
        return m;
    }

    private static GenerationException notAnImage(InputImage image) {
        return new GenerationException("bad_image", name(image) + ": not a readable image (PNG, JPEG or WebP)");
    }

    private static String name(InputImage image) {
        return image.source() != null && !image.source().isBlank() ? image.source() : image.role() + " image";
    }

    /**
     * The container format by magic number (the first 12 bytes are enough): png, jpeg, webp, bmp, tiff, or
     * {@code other} for anything OpenCV is not asked to try.
     */
    public static String sniffFormat(byte[] b) {
        if (b.length >= 8 && (b[0] & 0xff) == 0x89 && b[1] == 'P' && b[2] == 'N' && b[3] == 'G') return "png";
        if (b.length >= 3 && (b[0] & 0xff) == 0xFF && (b[1] & 0xff) == 0xD8 && (b[2] & 0xff) == 0xFF) return "jpeg";
        if (b.length >= 12 && b[0] == 'R' && b[1] == 'I' && b[2] == 'F' && b[3] == 'F'
                && b[8] == 'W' && b[9] == 'E' && b[10] == 'B' && b[11] == 'P') return "webp";
        if (b.length >= 2 && b[0] == 'B' && b[1] == 'M') return "bmp";
        if (b.length >= 4 && ((b[0] == 'I' && b[1] == 'I' && b[2] == 42 && b[3] == 0)
                || (b[0] == 'M' && b[1] == 'M' && b[2] == 0 && b[3] == 42))) return "tiff";
        return "other";
    }
}
