package io.framegate.bench;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * An 8-bit RGB image, interleaved {@code R,G,B} per pixel, row by row: the one form every method's output is scored in.
 *
 * @param width  pixels per row
 * @param height rows
 * @param data   {@code width * height * 3} bytes
 */
public record Rgb(int width, int height, byte[] data) {
    public Rgb {
        if (width <= 0 || height <= 0 || data.length != width * height * 3) {
            throw new IllegalArgumentException("Rgb " + width + "x" + height + " needs " + (width * height * 3)
                    + " bytes, got " + data.length);
        }
    }

    public static Rgb blank(int width, int height) {
        return new Rgb(width, height, new byte[width * height * 3]);
    }

    /** Reads a PNG (or any format ImageIO reads), dropping alpha; 16-bit images are reduced to 8 bits. */
    public static Rgb read(Path file) {
        BufferedImage img;
        try {
            img = ImageIO.read(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read image " + file, e);
        }
        if (img == null) throw new IllegalArgumentException("not an image ImageIO can read: " + file);
        return of(img);
    }

    /** Width and height of an image file, read from its header only. */
    public static int[] size(Path file) {
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            Iterator<ImageReader> readers = in == null ? null : ImageIO.getImageReaders(in);
            if (readers == null || !readers.hasNext()) throw new IllegalArgumentException("not an image ImageIO can read: " + file);
            ImageReader r = readers.next();
            try {
                r.setInput(in);
                return new int[] {r.getWidth(0), r.getHeight(0)};
            } finally {
                r.dispose();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read image " + file, e);
        }
    }

    public static Rgb of(BufferedImage img) {
        int w = img.getWidth(), h = img.getHeight();
        byte[] out = new byte[w * h * 3];
        if (img.getType() == BufferedImage.TYPE_3BYTE_BGR) {
            byte[] bgr = ((DataBufferByte) img.getRaster().getDataBuffer()).getData();
            for (int i = 0; i < out.length; i += 3) {
                out[i] = bgr[i + 2];
                out[i + 1] = bgr[i + 1];
                out[i + 2] = bgr[i];
            }
        } else {
            int[] row = new int[w];
            for (int y = 0; y < h; y++) {
                img.getRGB(0, y, w, 1, row, 0, w);
                for (int x = 0, o = y * w * 3; x < w; x++, o += 3) {
                    int p = row[x];
                    out[o] = (byte) (p >> 16);
                    out[o + 1] = (byte) (p >> 8);
                    out[o + 2] = (byte) p;
                }
            }
        }
        return new Rgb(w, h, out);
    }

    public BufferedImage toImage() {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_3BYTE_BGR);
        byte[] bgr = ((DataBufferByte) img.getRaster().getDataBuffer()).getData();
        for (int i = 0; i < data.length; i += 3) {
            bgr[i] = data[i + 2];
            bgr[i + 1] = data[i + 1];
            bgr[i + 2] = data[i];
        }
        return img;
    }

    public void writePng(Path file) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) Files.createDirectories(parent);
            if (!ImageIO.write(toImage(), "png", file.toFile())) throw new IOException("no PNG writer");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    /** Channel {@code c} (0 = R, 1 = G, 2 = B) of pixel ({@code x}, {@code y}), 0..255. */
    public int get(int x, int y, int c) {
        return data[(y * width + x) * 3 + c] & 0xff;
    }

    public boolean sameSize(Rgb o) {
        return width == o.width && height == o.height;
    }
}
