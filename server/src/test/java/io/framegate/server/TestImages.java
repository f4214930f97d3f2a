package io.framegate.server;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/** Small real images for requests. */
public final class TestImages {
    private TestImages() {
    }

    public static byte[] png(int w, int h, Color color) {
        return encode(w, h, color, "png");
    }

    public static byte[] jpeg(int w, int h, Color color) {
        return encode(w, h, color, "jpg");
    }

    /** A progressive JPEG (the JDK writer's standard scan script: several scans). */
    public static byte[] progressiveJpeg(int w, int h) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
        for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) img.setRGB(x, y, (x * 7 + y * 13) * 0x010203);
        javax.imageio.ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        javax.imageio.ImageWriteParam p = writer.getDefaultWriteParam();
        p.setProgressiveMode(javax.imageio.ImageWriteParam.MODE_DEFAULT);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (javax.imageio.stream.ImageOutputStream ios = ImageIO.createImageOutputStream(out)) {
            writer.setOutput(ios);
            writer.write(null, new javax.imageio.IIOImage(img, null, null), p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            writer.dispose();
        }
        return out.toByteArray();
    }

    private static byte[] encode(int w, int h, Color color, String format) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
        Graphics2D g = img.createGraphics();
        g.setColor(color);
        g.fillRect(0, 0, w, h);
        g.setColor(Color.BLACK);
        g.fillOval(w / 4, h / 4, w / 2, h / 2);
        g.dispose();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(img, format, out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /**
     * A PNG header bomb: its IHDR declares {@code w x h} RGB pixels and its pixel data is a deflate stream of zeros
     * (a few hundred KB that would inflate to gigabytes).
     */
    public static byte[] pngBomb(int w, int h) {
        java.nio.ByteBuffer ihdr = java.nio.ByteBuffer.allocate(13).putInt(w).putInt(h).put((byte) 8).put((byte) 2)
                .put((byte) 0).put((byte) 0).put((byte) 0);
        java.util.zip.Deflater d = new java.util.zip.Deflater(9);
        ByteArrayOutputStream z = new ByteArrayOutputStream();
        byte[] buf = new byte[1 << 16];
        byte[] zeros = new byte[1 << 20];
        for (int i = 0; i < 400; i++) { // 400 MB of zeros: a few hundred KB deflated
            d.setInput(zeros);
            while (!d.needsInput()) z.write(buf, 0, d.deflate(buf));
        }
        d.finish();
        while (!d.finished()) z.write(buf, 0, d.deflate(buf));
        d.end();
        return png(ihdr.array(), z.toByteArray());
    }

    /**
     * {@code png} (as {@link #png} makes it, ending in its 12-byte IEND chunk) grown to exactly {@code size} bytes by a
     * private ancillary chunk ({@code fgPd}, with its CRC) before IEND: still a whole, valid PNG of the same picture.
     */
    public static byte[] padded(byte[] png, int size) {
        int pad = size - png.length - 12;
        if (pad < 0) throw new IllegalArgumentException("cannot pad " + png.length + " bytes to " + size);
        ByteArrayOutputStream out = new ByteArrayOutputStream(size);
        out.write(png, 0, png.length - 12);
        chunk(out, "fgPd", new byte[pad]);
        out.write(png, png.length - 12, 12);
        byte[] b = out.toByteArray();
        if (b.length != size) throw new IllegalStateException(b.length + " != " + size);
        return b;
    }

    /**
     * A JPEG "scan bomb": {@code jpeg} (a progressive one, see {@link #progressiveJpeg}) with its last scan, from its SOS
     * marker to the end-of-image marker, written {@code extra} more times. Each scan is a decoder's pass over the image.
     */
    public static byte[] withRepeatedLastScan(byte[] jpeg, int extra) {
        int eoi = jpeg.length - 2, lastSos = -1;
        for (int i = 2; i + 1 < eoi; i++) if ((jpeg[i] & 0xff) == 0xff && (jpeg[i + 1] & 0xff) == 0xda) lastSos = i;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(jpeg, 0, eoi);
        for (int k = 0; k < extra; k++) out.write(jpeg, lastSos, eoi - lastSos);
        out.write(jpeg, eoi, 2);
        return out.toByteArray();
    }

    /** A palette PNG (colour type 3) without its PLTE chunk: no decoder can give it colours. */
    public static byte[] paletteWithoutPlte(int w, int h) {
        java.nio.ByteBuffer ihdr = java.nio.ByteBuffer.allocate(13).putInt(w).putInt(h).put((byte) 8).put((byte) 3)
                .put((byte) 0).put((byte) 0).put((byte) 0);
        java.util.zip.Deflater d = new java.util.zip.Deflater();
        d.setInput(new byte[h * (w + 1)]); // filter 0, index 0 on every row
        d.finish();
        ByteArrayOutputStream z = new ByteArrayOutputStream();
        byte[] buf = new byte[1 << 16];
        while (!d.finished()) z.write(buf, 0, d.deflate(buf));
        d.end();
        return png(ihdr.array(), z.toByteArray());
    }

    /** A PNG of these IHDR and IDAT chunk contents (and IEND), with their CRCs. */
    private static byte[] png(byte[] ihdr, byte[] idat) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', 0x0d, 0x0a, 0x1a, 0x0a});
        chunk(out, "IHDR", ihdr);
        chunk(out, "IDAT", idat);
        chunk(out, "IEND", new byte[0]);
        return out.toByteArray();
    }

    private static void chunk(ByteArrayOutputStream out, String type, byte[] data) {
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(type.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        crc.update(data);
        out.writeBytes(java.nio.ByteBuffer.allocate(4).putInt(data.length).array());
        out.writeBytes(type.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        out.writeBytes(data);
        out.writeBytes(java.nio.ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }
}
