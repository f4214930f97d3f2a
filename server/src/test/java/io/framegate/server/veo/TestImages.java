package io.framegate.server.veo;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Base64;

/** Small real images for tests, drawn in memory. */
final class TestImages {
    private TestImages() {
    }

    /** A PNG of the given size: a colored square on a gradient, placed by {@code shift}. */
    static byte[] png(int width, int height, int shift) {
        return encode(draw(width, height, shift), "png");
    }

    static byte[] jpeg(int width, int height, int shift) {
        return encode(draw(width, height, shift), "jpg");
    }

    static String base64(byte[] bytes) {
        return Base64.getEncoder().encodeToString(bytes);
    }

    private static BufferedImage draw(int width, int height, int shift) {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        for (int x = 0; x < width; x++) {
            g.setColor(new Color(40 + 150 * x / width, 90, 160 - 100 * x / width));
            g.drawLine(x, 0, x, height);
        }
        g.setColor(Color.ORANGE);
        int side = Math.max(4, height / 3);
        g.fillRect(Math.min(width - side, width / 8 + shift), height / 3, side, side);
        g.dispose();
        return img;
    }

    private static byte[] encode(BufferedImage img, String format) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            if (!ImageIO.write(img, format, out)) throw new IllegalStateException("no writer for " + format);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
