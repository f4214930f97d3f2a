package io.framegate.engine;

import io.framegate.engine.ImageHeader.InvalidImageException;

/** The JPEG part of {@link ImageHeader}: the frame header's size, and with {@code whole} the file's structure. */
final class JpegStructure {
    private JpegStructure() {
    }

    /**
     * The SOF's size; with {@code whole}, also that the segments are intact, that there is one frame header and at
     * most {@link ImageHeader#MAX_JPEG_SCANS} scans, and that the image ends with EOI.
     */
    static ImageHeader read(byte[] b, boolean whole) {
        int pos = 2;
        ImageHeader found = null;
        int scans = 0;
        while (true) {
            if (pos >= b.length) throw ImageHeader.corrupt("JPEG", "the file ends before the image data");
            if ((b[pos] & 0xff) != 0xff) throw ImageHeader.corrupt("JPEG", "no segment marker at byte " + pos);
            while (pos < b.length && (b[pos] & 0xff) == 0xff) pos++;
            if (pos >= b.length) throw ImageHeader.corrupt("JPEG", "the file ends inside a marker");
            int marker = b[pos++] & 0xff;
            if (marker == 0x01 || (marker >= 0xd0 && marker <= 0xd7)) continue;
            if (marker == 0xd9) {
                if (scans == 0) throw ImageHeader.corrupt("JPEG", "the image ends before its data");
                if (scans > ImageHeader.MAX_JPEG_SCANS) {
                    // counted to the end (the walk is linear in the bytes) so that the refusal names the count
                    throw new InvalidImageException(InvalidImageException.Kind.TOO_LARGE, "is a JPEG image of " + scans
                            + " scans; at most " + ImageHeader.MAX_JPEG_SCANS + " are allowed (each is a pass over the whole image)");
                }
                return found; // some writers pad after EOI
            }
            if (pos + 2 > b.length) throw ImageHeader.corrupt("JPEG", "the file ends inside a segment header");
            int len = ((b[pos] & 0xff) << 8) | (b[pos + 1] & 0xff);
            if (len < 2 || pos + len > b.length) throw ImageHeader.corrupt("JPEG", "a segment at byte " + pos + " runs past the end of the file");
            boolean sof = marker >= 0xc0 && marker <= 0xcf && marker != 0xc4 && marker != 0xc8 && marker != 0xcc;
            if (sof) {
                if (len < 7) throw ImageHeader.corrupt("JPEG", "a frame header is too short");
                if (found != null) throw ImageHeader.corrupt("JPEG", "a second frame header at byte " + (pos - 2) + " (a JPEG has one)");
                long height = ((b[pos + 3] & 0xff) << 8) | (b[pos + 4] & 0xff);
                long width = ((b[pos + 5] & 0xff) << 8) | (b[pos + 6] & 0xff);
                found = ImageHeader.sized("jpeg", width, height);
                if (!whole) return found;
            }
            pos += len;
            if (marker == 0xda) {
                if (found == null) throw ImageHeader.corrupt("JPEG", "image data comes before the frame header");
                scans++;
                pos = afterScanData(b, pos);
            }
        }
    }

    /** Where the entropy-coded data starting at {@code pos} ends: the next marker other than a stuffed byte or RSTn. */
    private static int afterScanData(byte[] b, int pos) {
        for (int i = pos; i + 1 < b.length; i++) {
            if ((b[i] & 0xff) != 0xff) continue;
            int next = b[i + 1] & 0xff;
            if (next == 0x00 || (next >= 0xd0 && next <= 0xd7) || next == 0xff) continue;
            return i;
        }
        throw ImageHeader.corrupt("JPEG", "the file ends without its end-of-image marker (truncated)");
    }
}
