package io.framegate.engine;

import io.framegate.domain.ImageLimits;
import io.framegate.engine.ImageHeader.InvalidImageException;

/** The WebP part of {@link ImageHeader}: the first chunk's size, and with {@code whole} the file's structure. */
final class WebpStructure {
    private WebpStructure() {
    }

    /**
     * The size from the first chunk; with {@code whole}, also every chunk inside the file, image data present, no
     * animation (OpenCV's WebP decoder reads still images only), and an extended file's canvas (VP8X) the size of
     * its image data, as a decoder requires of a still image.
     */
    static ImageHeader read(byte[] b, boolean whole, ImageLimits limits) {
        long riffEnd = 8 + (ImageHeader.le32(b, 4) & 0xffffffffL);
        if (whole && riffEnd > b.length) {
            throw ImageHeader.corrupt("WebP", "the file holds " + b.length + " of the " + riffEnd + " bytes it declares (truncated)");
        }
        long end = Math.min(riffEnd, b.length);
        int pos = 12;
        ImageHeader found = null;
        boolean extended = false;
        boolean imageData = false;
        while (pos + 8 <= end) {
            String type = new String(b, pos, 4, java.nio.charset.StandardCharsets.ISO_8859_1);
            long len = ImageHeader.le32(b, pos + 4) & 0xffffffffL;
            int data = pos + 8;
            if (data + len > end) {
                if (whole || found == null && data + 10 > end) throw ImageHeader.corrupt("WebP", "the " + type.trim() + " chunk runs past the end of the file");
            }
            ImageHeader image = switch (type) {
                case "VP8 " -> {
                    if (data + 10 > b.length || (b[data + 3] & 0xff) != 0x9d || (b[data + 4] & 0xff) != 0x01
                            || (b[data + 5] & 0xff) != 0x2a) throw ImageHeader.corrupt("WebP", "no VP8 frame header");
                    yield ImageHeader.sized("webp", ImageHeader.le16(b, data + 6) & 0x3fff, ImageHeader.le16(b, data + 8) & 0x3fff);
                }
                case "VP8L" -> {
                    if (data + 5 > b.length || (b[data] & 0xff) != 0x2f) throw ImageHeader.corrupt("WebP", "no VP8L header");
                    int bits = ImageHeader.le32(b, data + 1);
                    yield ImageHeader.sized("webp", (bits & 0x3fff) + 1L, ((bits >>> 14) & 0x3fff) + 1L);
                }
                default -> null;
            };
            if (found == null) {
                if (type.equals("VP8X")) {
                    if (data + 10 > b.length) throw ImageHeader.corrupt("WebP", "the VP8X header is cut off");
                    found = ImageHeader.sized("webp", ImageHeader.le24(b, data + 4) + 1L, ImageHeader.le24(b, data + 7) + 1L);
                    extended = true;
                    if (whole && (b[data] & 0x02) != 0) throw animated();
                } else if (image != null) {
                    found = image;
                } else {
                    throw ImageHeader.corrupt("WebP", "the first chunk is " + type.trim() + ", not VP8, VP8L or VP8X");
                }
                if (!whole) return found;
            }
            if (type.equals("ANIM") || type.equals("ANMF")) throw animated();
            if (image != null) {
                if (extended && (image.width() != found.width() || image.height() != found.height())) {
                    ImageHeader.checkPixels("webp", image.width(), image.height(), limits);
                    throw ImageHeader.invalid("WebP", "its canvas (VP8X) is " + found.width() + "x" + found.height()
                            + " but its image data is " + image.width() + "x" + image.height());
                }
                imageData = true;
            }
            pos = (int) (data + len + (len & 1));
        }
        if (found == null) throw ImageHeader.corrupt("WebP", "no image header");
        if (!imageData) throw ImageHeader.corrupt("WebP", "no image data");
        return found;
    }

    private static InvalidImageException animated() {
        return new InvalidImageException(InvalidImageException.Kind.NOT_AN_IMAGE,
                "is an animated WebP image; animated WebP is not supported (give a still PNG, JPEG or WebP)");
    }
}
