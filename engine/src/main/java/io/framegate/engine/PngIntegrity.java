package io.framegate.engine;

import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * The integrity of a whole PNG file ({@link ImageHeader#check}): every chunk inside the file, each critical chunk's
 * CRC, and the pixel data inflated to exactly the size its header implies (interlaced or not) before IEND. The
 * inflater runs in fixed chunks and stops at the expected size, so a deflate bomb costs no more than an honest file.
 */
final class PngIntegrity {
    private static final int INFLATE_CHUNK = 64 * 1024;

    private PngIntegrity() {
    }

    /** @param h the file's header, already read (and its pixel count checked) */
    static void check(byte[] b, ImageHeader h) {
        int depth = b[24] & 0xff;
        int colorType = b[25] & 0xff;
        int channels = switch (colorType) {
            case 0, 3 -> 1;
            case 2 -> 3;
            case 4 -> 2;
            case 6 -> 4;
            default -> throw ImageHeader.corrupt("PNG", "unknown colour type " + colorType);
        };
        if (depth != 1 && depth != 2 && depth != 4 && depth != 8 && depth != 16) throw ImageHeader.corrupt("PNG", "bit depth " + depth);
        int bitsPerPixel = channels * depth;
        long expected = b[28] == 1 ? adam7Size(h.width(), h.height(), bitsPerPixel) : h.height() * (1 + rowBytes(h.width(), bitsPerPixel));
        Inflater inflater = new Inflater();
        byte[] out = new byte[INFLATE_CHUNK];
        long inflated = 0;
        boolean sawEnd = false;
        try {
            int pos = 8;
            while (pos < b.length) {
                if (pos + 12 > b.length) throw ImageHeader.corrupt("PNG", "the file ends inside a chunk header at byte " + pos);
                long len = ImageHeader.be32(b, pos) & 0xffffffffL;
                if (len > b.length - pos - 12L) throw ImageHeader.corrupt("PNG", "a chunk at byte " + pos + " runs past the end of the file");
                String type = new String(b, pos + 4, 4, StandardCharsets.ISO_8859_1);
                boolean critical = Character.isUpperCase(type.charAt(0));
                if (critical) {
                    CRC32 crc = new CRC32();
                    crc.update(b, pos + 4, 4 + (int) len);
                    if ((int) crc.getValue() != ImageHeader.be32(b, pos + 8 + (int) len)) throw ImageHeader.corrupt("PNG", "the " + type + " chunk's checksum is wrong");
                }
                if (type.equals("IDAT")) {
                    inflater.setInput(b, pos + 8, (int) len);
                    while (!inflater.needsInput() && !inflater.finished()) {
                        int n = inflater.inflate(out);
                        inflated += n;
                        if (inflated > expected) throw ImageHeader.corrupt("PNG", "its pixel data is longer than its size says");
                        if (n == 0 && inflater.needsDictionary()) throw ImageHeader.corrupt("PNG", "its pixel data needs a preset dictionary");
                    }
                } else if (type.equals("IEND")) {
                    sawEnd = true;
                    break;
                }
                pos += 12 + (int) len;
            }
        } catch (DataFormatException e) {
            throw ImageHeader.corrupt("PNG", "its compressed pixel data is invalid");
        } finally {
            inflater.end();
        }
        if (inflated < expected) {
            throw ImageHeader.corrupt("PNG", "its pixel data ends after " + inflated + " of " + expected + " bytes");
        }
        if (!sawEnd) throw ImageHeader.corrupt("PNG", "the file ends without an IEND chunk");
    }

    private static long rowBytes(long width, int bitsPerPixel) {
        return (width * bitsPerPixel + 7) / 8;
    }

    private static long adam7Size(long w, long h, int bpp) {
        int[][] passes = {{0, 0, 8, 8}, {4, 0, 8, 8}, {0, 4, 4, 8}, {2, 0, 4, 4}, {0, 2, 2, 4}, {1, 0, 2, 2}, {0, 1, 1, 2}};
        long total = 0;
        for (int[] p : passes) {
            long pw = w > p[0] ? (w - p[0] + p[2] - 1) / p[2] : 0;
            long ph = h > p[1] ? (h - p[1] + p[3] - 1) / p[3] : 0;
            if (pw > 0 && ph > 0) total += ph * (1 + rowBytes(pw, bpp));
        }
        return total;
    }
}
