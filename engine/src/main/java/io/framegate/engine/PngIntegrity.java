package io.framegate.engine;

import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * The integrity of a whole PNG file ({@link ImageHeader#check}): every chunk inside the file, each critical chunk's
 * CRC, and the pixel data inflated to exactly the size its header implies (interlaced or not) before IEND, each row's
 * filter type one PNG defines; also what a decoder would refuse though nothing is cut off (a colour type with a bit
 * depth PNG forbids, a palette image without its palette). The inflater runs in fixed chunks and stops at the
 * expected size, so a deflate bomb costs no more than an honest file.
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
            default -> throw ImageHeader.invalid("PNG", "unknown colour type " + colorType);
        };
        // the combinations PNG allows (ISO 15948, table 11.1); a decoder refuses any other
        boolean depthAllowed = switch (colorType) {
            case 0 -> depth == 1 || depth == 2 || depth == 4 || depth == 8 || depth == 16;
            case 3 -> depth == 1 || depth == 2 || depth == 4 || depth == 8;
            default -> depth == 8 || depth == 16;
        };
        if (!depthAllowed) {
            String name = switch (colorType) {
                case 0 -> "greyscale";
                case 2 -> "RGB";
                case 3 -> "palette";
                case 4 -> "greyscale with alpha";
                default -> "RGB with alpha";
            };
            String allowed = colorType == 0 ? "1, 2, 4, 8 or 16" : colorType == 3 ? "1, 2, 4 or 8" : "8 or 16";
            throw ImageHeader.invalid("PNG", "colour type " + colorType + " (" + name + ") does not allow bit depth " + depth
                    + " (only " + allowed + ")");
        }
        if (b[26] != 0) throw ImageHeader.invalid("PNG", "unknown compression method " + (b[26] & 0xff));
        if (b[27] != 0) throw ImageHeader.invalid("PNG", "unknown filter method " + (b[27] & 0xff));
        if (b[28] != 0 && b[28] != 1) throw ImageHeader.invalid("PNG", "unknown interlace method " + (b[28] & 0xff));
        int bitsPerPixel = channels * depth;
        Rows rows = new Rows(h.width(), h.height(), bitsPerPixel, b[28] == 1);
        long expected = rows.total;
        Inflater inflater = new Inflater();
        byte[] out = new byte[INFLATE_CHUNK];
        long inflated = 0;
        boolean sawEnd = false;
        boolean palette = false;
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
                if (type.equals("PLTE")) {
                    if (colorType == 3 && (len == 0 || len % 3 != 0 || len > 3 * 256)) {
                        throw ImageHeader.invalid("PNG", "its palette (PLTE) is " + len + " bytes; a palette is 1 to 256 "
                                + "entries of 3 bytes");
                    }
                    palette = true;
                } else if (type.equals("IDAT")) {
                    if (colorType == 3 && !palette) {
                        throw ImageHeader.invalid("PNG", "it is a palette image without a palette (no PLTE chunk before its pixel data)");
                    }
                    inflater.setInput(b, pos + 8, (int) len);
                    while (!inflater.needsInput() && !inflater.finished()) {
                        int n = inflater.inflate(out);
                        if (inflated + n > expected) throw ImageHeader.corrupt("PNG", "its pixel data is longer than its size says");
                        rows.checkFilters(out, inflated, n);
                        inflated += n;
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

    /**
     * Where each row's filter-type byte falls in the inflated pixel data (the passes of Adam7 one after another), so
     * that the data is checked as it streams out of the inflater: a type over 4 is one no decoder can undo.
     */
    private static final class Rows {
        private final long[] rowLength = new long[7]; // filter byte included; one entry per pass (one pass if not interlaced)
        private final long[] rowCount = new long[7];
        private final int[] passNumber = new int[7]; // 1 to 7 (Adam7 skips the passes an image too small has none of)
        private final int passes;
        private final boolean interlaced;
        final long total;
        private int pass;
        private long row; // within the pass
        private long next; // offset of the next filter byte

        Rows(long w, long h, int bitsPerPixel, boolean interlaced) {
            this.interlaced = interlaced;
            int n = 0;
            long sum = 0;
            if (!interlaced) {
                rowLength[0] = 1 + rowBytes(w, bitsPerPixel);
                rowCount[0] = h;
                sum = h * rowLength[0];
                n = 1;
            } else {
                for (int k = 0; k < ADAM7.length; k++) {
                    int[] p = ADAM7[k];
                    long pw = w > p[0] ? (w - p[0] + p[2] - 1) / p[2] : 0;
                    long ph = h > p[1] ? (h - p[1] + p[3] - 1) / p[3] : 0;
                    if (pw > 0 && ph > 0) {
                        rowLength[n] = 1 + rowBytes(pw, bitsPerPixel);
                        rowCount[n] = ph;
                        passNumber[n] = k + 1;
                        sum += ph * rowLength[n];
                        n++;
                    }
                }
            }
            passes = n;
            total = sum;
        }

        /** Checks the filter bytes among {@code out[0..n)}, which sit at {@code offset} in the inflated data. */
        void checkFilters(byte[] out, long offset, int n) {
            while (pass < passes && next < offset + n) {
                int filter = out[(int) (next - offset)] & 0xff;
                if (filter > 4) {
                    throw ImageHeader.invalid("PNG", "row " + row + (interlaced ? " of interlace pass " + passNumber[pass] : "")
                            + " has filter type " + filter + " (PNG defines 0 to 4)");
                }
                next += rowLength[pass];
                if (++row == rowCount[pass]) {
                    pass++;
                    row = 0;
                }
            }
        }
    }

    private static final int[][] ADAM7 = {{0, 0, 8, 8}, {4, 0, 8, 8}, {0, 4, 4, 8}, {2, 0, 4, 4}, {0, 2, 2, 4}, {1, 0, 2, 2}, {0, 1, 1, 2}};

    private static long rowBytes(long width, int bitsPerPixel) {
        return (width * bitsPerPixel + 7) / 8;
    }
}
