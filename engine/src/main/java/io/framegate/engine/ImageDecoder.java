package io.framegate.engine;

import io.framegate.domain.GenerationException;
import io.framegate.domain.ImageLimits;
import io.framegate.domain.InputImage;
import org.opencv.core.Mat;
import org.opencv.core.MatOfByte;
import org.opencv.core.MatOfInt;
import org.opencv.imgcodecs.Imgcodecs;

/** Decodes the bytes of an {@link InputImage} (PNG, JPEG or WebP, checked whole first) into an 8-bit BGR image. */
public final class ImageDecoder {
    private ImageDecoder() {
    }

    /** Checks that the image decodes and returns its size; call it to reject a bad upload before any work starts. */
    public static ImageInfo probe(InputImage image) throws GenerationException {
        Mat m = decode(image);
        try {
            return new ImageInfo(m.cols(), m.rows(), ImageHeader.formatOf(image.bytes()));
        } finally {
            m.release();
        }
    }

    /**
     * The one whole check of an image (as intake's): the format (PNG, JPEG or WebP, as the API takes), the size from
     * the header (a small file declaring 30000x30000 never reaches imdecode), then the whole file: a JPEG scan bomb or
     * a truncated file never reaches the native decoder, nor a PNG or WebP that it could not read (a palette image
     * without its palette, an animated WebP, ...). An image that carries the check (API intake, the CLI) is returned
     * as it is: the walk costs about as much as a PNG's decode.
     *
     * @return the image, marked checked
     * @throws GenerationException {@code bad_image}, in intake's words after the image's name
     */
    public static InputImage check(InputImage image) throws GenerationException {
        if (image.checked()) return image;
        byte[] bytes = image.bytes();
        try {
            ImageHeader.check(bytes, ImageLimits.DEFAULTS);
        } catch (ImageHeader.InvalidImageException e) {
            // bytes of no image format: the generic words; else what intake says ("is a BMP image, which ...")
            if (ImageHeader.formatOf(bytes) == null) throw notAnImage(image);
            throw new GenerationException("bad_image", name(image) + " " + e.getMessage());
        }
        return new InputImage(image.role(), bytes, image.mimeType(), image.source(), true);
    }

    /**
     * Decodes to {@code CV_8UC3} BGR, applying EXIF orientation; alpha is dropped and 16-bit images are scaled to 8 bits.
     * The image is {@link #check}ed first unless it carries the check.
     *
     * @throws GenerationException {@code bad_image} when the bytes are not an image OpenCV can read
     */
    public static Mat decode(InputImage image) throws GenerationException {
        NativeLibs.ensureLoaded();
        byte[] bytes = check(image).bytes();
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

    /** Encodes with OpenCV ({@code .png}, {@code .jpg}, {@code .webp}) and the given {@code IMWRITE_*} pairs. */
    public static byte[] encode(String ext, Mat image, int... params) {
        NativeLibs.ensureLoaded();
        MatOfByte buf = new MatOfByte();
        MatOfInt p = new MatOfInt(params);
        try {
            if (!Imgcodecs.imencode(ext, image, buf, p)) throw new IllegalStateException("OpenCV could not encode " + ext);
            return buf.toArray();
        } finally {
            buf.release();
            p.release();
        }
    }
}
