package io.framegate.engine;

import io.framegate.domain.ImageLimits;

import java.util.Locale;

/**
 * An encoded image's format and dimensions, read from its header without decoding pixels, so that every decoder
 * can refuse a pixel bomb (a tiny PNG declaring 20000x20000) before allocating for it. {@link #check} also walks
 * the whole file (PNG chunks, CRCs and the inflated size; JPEG segments up to the end of image; WebP chunk sizes) so
 * that a truncated upload is refused at intake instead of failing in a worker.
 *
 * @param format {@code png}, {@code jpeg}, {@code webp}, {@code bmp} or {@code tiff}
 */
public record ImageHeader(String format, long width, long height) {
    /**
     * Scans a JPEG may hold. The native decoder makes a pass over the whole image per scan, uninterruptibly, so a few
     * MB repeating one scan hold a worker for many minutes; encoders write 1 (baseline) or about 10 (libjpeg's and
     * mozjpeg's progressive scripts); libjpeg-turbo's djpeg offers {@code -maxscans} for this.
     */
    public static final int MAX_JPEG_SCANS = 100;
    /** Why an image was refused; the message reads after the name of the field that held it. */
    public static final class InvalidImageException extends RuntimeException {
        public enum Kind { NOT_AN_IMAGE, TOO_LARGE, CORRUPT }

        private final Kind kind;

        InvalidImageException(Kind kind, String message) {
            super(message);
            this.kind = kind;
        }

        public Kind kind() {
            return kind;
        }
    }

    public String mimeType() {
        return "image/" + format;
    }

    /**
     * The format and size from the header (PNG, JPEG, WebP, BMP, TIFF); nothing is decoded.
     *
     * @throws InvalidImageException not one of those formats, or a header too short or inconsistent to read
     */
    public static ImageHeader read(byte[] b) {
        String format = formatOf(b);
        if (format == null) throw notAnImage(b);
        return switch (format) {
            case "png" -> png(b);
            case "jpeg" -> JpegStructure.read(b, false);
            case "webp" -> WebpStructure.read(b, false, null);
            case "bmp" -> {
                if (b.length < 26) throw notAnImage(b);
                yield sized("bmp", Math.abs((long) le32(b, 18)), Math.abs((long) le32(b, 22)));
            }
            case "tiff" -> {
                if (b.length < 8) throw notAnImage(b);
                yield tiff(b);
            }
            default -> throw notSupported(format);
        };
    }

    /**
     * The one image sniffer: the container format by its signature (magic bytes; the first 12 bytes are enough),
     * {@code png}, {@code jpeg}, {@code webp}, {@code bmp}, {@code tiff} or {@code gif}, else null. A signature says
     * nothing about the rest of the file: {@link #check} reads that. GIF is named only to be refused clearly.
     */
    public static String formatOf(byte[] b) {
        if (b.length >= 8 && (b[0] & 0xff) == 0x89 && b[1] == 'P' && b[2] == 'N' && b[3] == 'G'
                && b[4] == 0x0d && b[5] == 0x0a && b[6] == 0x1a && b[7] == 0x0a) return "png";
        if (b.length >= 3 && (b[0] & 0xff) == 0xff && (b[1] & 0xff) == 0xd8 && (b[2] & 0xff) == 0xff) return "jpeg";
        if (b.length >= 12 && b[0] == 'R' && b[1] == 'I' && b[2] == 'F' && b[3] == 'F'
                && b[8] == 'W' && b[9] == 'E' && b[10] == 'B' && b[11] == 'P') return "webp";
        if (b.length >= 6 && b[0] == 'G' && b[1] == 'I' && b[2] == 'F' && b[3] == '8' && (b[4] == '7' || b[4] == '9')
                && b[5] == 'a') return "gif";
        if (b.length >= 2 && b[0] == 'B' && b[1] == 'M') return "bmp";
        if (b.length >= 4 && ((b[0] == 'I' && b[1] == 'I' && b[2] == 42 && b[3] == 0)
                || (b[0] == 'M' && b[1] == 'M' && b[2] == 0 && b[3] == 42))) return "tiff";
        return null;
    }

    /**
     * Whether the engine decodes a {@link #formatOf} format: PNG, JPEG and WebP, the images the API takes
     * (docs/openai-extension.md), on every way in (intake, CLI, worker); BMP, TIFF, GIF and unknown bytes: no.
     */
    public static boolean decodable(String format) {
        return "png".equals(format) || "jpeg".equals(format) || "webp".equals(format);
    }

    /** The MIME type of {@link #formatOf}, or null. */
    public static String mimeTypeOf(byte[] b) {
        String f = formatOf(b);
        return f == null ? null : "image/" + f;
    }

    /**
     * The full intake check of a PNG, JPEG or WebP: header, pixel caps (before anything is inflated), then the
     * integrity of the whole file.
     *
     * @throws InvalidImageException with a message naming the dimensions and the cap, or what is broken
     */
    public static ImageHeader check(byte[] b, ImageLimits limits) {
        // a format named by its signature and not decoded is refused as such, however much of its header is there
        String format = formatOf(b);
        if (format != null && !decodable(format)) throw notSupported(format);
        ImageHeader h = read(b);
        h.checkPixels(limits);
        switch (h.format) {
            case "png" -> PngIntegrity.check(b, h);
            case "jpeg" -> JpegStructure.read(b, true);
            default -> WebpStructure.read(b, true, limits);
        }
        return h;
    }

    /** @throws InvalidImageException {@code TOO_LARGE} when over the caps */
    public void checkPixels(ImageLimits limits) {
        checkPixels(format, width, height, limits);
    }

    /** The caps for one declared size (a JPEG's every frame header is held to them, not only the first). */
    static void checkPixels(String format, long width, long height, ImageLimits limits) {
        String problem = limits.pixelProblem(width, height);
        if (problem == null) return;
        // one sentence after the field's name: "input_reference is a PNG image of 30000x30000 pixels, which has a side
        // over ..." (the domain's wording starts with the size; it is said once)
        String size = width + "x" + height + " ";
        String why = problem.startsWith(size) ? problem.substring(size.length()) : "is over the caps: " + problem;
        throw new InvalidImageException(InvalidImageException.Kind.TOO_LARGE, "is a " + format.toUpperCase(Locale.ROOT)
                + " image of " + width + "x" + height + " pixels, which " + why);
    }

    /** A format {@link #formatOf} names that is not one the engine decodes (GIF, BMP, TIFF). */
    private static InvalidImageException notSupported(String format) {
        return new InvalidImageException(InvalidImageException.Kind.NOT_AN_IMAGE, "is a " + format.toUpperCase(Locale.ROOT)
                + " image, which is not a PNG, JPEG or WebP image");
    }

    private static InvalidImageException notAnImage(byte[] b) {
        return new InvalidImageException(InvalidImageException.Kind.NOT_AN_IMAGE,
                "is not a PNG, JPEG or WebP image (" + b.length + " bytes)");
    }

    static InvalidImageException corrupt(String format, String what) {
        return new InvalidImageException(InvalidImageException.Kind.CORRUPT, "is a damaged or truncated " + format
                + " image: " + what);
    }

    /** A file whose structure its format forbids (no decoder would read it), though nothing is cut off. */
    static InvalidImageException invalid(String format, String what) {
        return new InvalidImageException(InvalidImageException.Kind.CORRUPT, "is an invalid " + format + " image: " + what);
    }

    static ImageHeader sized(String format, long w, long h) {
        if (w <= 0 || h <= 0) throw corrupt(format.toUpperCase(Locale.ROOT), "its header declares " + w + "x" + h + " pixels");
        return new ImageHeader(format, w, h);
    }

    // ---- PNG

    private static ImageHeader png(byte[] b) {
        if (b.length < 33 || be32(b, 8) != 13 || b[12] != 'I' || b[13] != 'H' || b[14] != 'D' || b[15] != 'R') {
            throw corrupt("PNG", "no IHDR chunk where the header must be");
        }
        return sized("png", be32(b, 16) & 0xffffffffL, be32(b, 20) & 0xffffffffL);
    }

    // ---- TIFF (engine inputs only)

    private static ImageHeader tiff(byte[] b) {
        boolean little = b[0] == 'I';
        long ifd = u32(b, 4, little);
        if (ifd < 8 || ifd + 2 > b.length) throw corrupt("TIFF", "its first directory is outside the file");
        int n = u16(b, (int) ifd, little);
        long w = 0;
        long h = 0;
        for (int i = 0; i < n; i++) {
            int e = (int) ifd + 2 + i * 12;
            if (e + 12 > b.length) throw corrupt("TIFF", "its first directory is cut off");
            int tag = u16(b, e, little);
            int type = u16(b, e + 2, little);
            long value = type == 3 ? u16(b, e + 8, little) : u32(b, e + 8, little);
            if (tag == 256) w = value;
            if (tag == 257) h = value;
        }
        return sized("tiff", w, h);
    }

    static int be32(byte[] b, int i) {
        return ((b[i] & 0xff) << 24) | ((b[i + 1] & 0xff) << 16) | ((b[i + 2] & 0xff) << 8) | (b[i + 3] & 0xff);
    }

    static int le32(byte[] b, int i) {
        return (b[i] & 0xff) | ((b[i + 1] & 0xff) << 8) | ((b[i + 2] & 0xff) << 16) | ((b[i + 3] & 0xff) << 24);
    }

    static int le24(byte[] b, int i) {
        return (b[i] & 0xff) | ((b[i + 1] & 0xff) << 8) | ((b[i + 2] & 0xff) << 16);
    }

    static int le16(byte[] b, int i) {
        return (b[i] & 0xff) | ((b[i + 1] & 0xff) << 8);
    }

    private static int u16(byte[] b, int i, boolean little) {
        return little ? le16(b, i) : ((b[i] & 0xff) << 8) | (b[i + 1] & 0xff);
    }

    private static long u32(byte[] b, int i, boolean little) {
        return (little ? le32(b, i) : be32(b, i)) & 0xffffffffL;
    }
}
