package io.framegate.bench;

import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;

/**
 * Side-by-side comparison images: a 3x2 grid of panels - ground truth, engine, minterpolate (the peer) on top;
 * cross-fade and the engine's and the peer's error maps below - each panel labelled with its PSNR.
 */
public final class Strips {
    /**
     * Error maps show the summed |R|+|G|+|B| difference times this gain on a black-red-yellow-white scale: red, yellow
     * and white at a mean channel error of about 21, 43 and 64.
     */
    static final int ERROR_GAIN = 4;

    /**
     * One panel.
     *
     * @param label text drawn in its corner
     * @param image what it shows
     */
    public record Panel(String label, BufferedImage image) {
    }

    private Strips() {
    }

    /** Writes the grid; panels wider than {@code maxPanelWidth} are scaled down (half size at 1280x720). */
    public static void write(Path file, List<Panel> panels, int columns, int maxPanelWidth) {
        int w0 = panels.getFirst().image().getWidth(), h0 = panels.getFirst().image().getHeight();
        double scale = Math.min(1.0, (double) maxPanelWidth / w0);
        int pw = (int) Math.round(w0 * scale), ph = (int) Math.round(h0 * scale);
        int rows = (panels.size() + columns - 1) / columns;
        BufferedImage grid = new BufferedImage(pw * columns, ph * rows, BufferedImage.TYPE_3BYTE_BGR);
        Graphics2D g = grid.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BICUBIC);
        g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, Math.max(12, ph / 22)));
        for (int i = 0; i < panels.size(); i++) {
            int x = (i % columns) * pw, y = (i / columns) * ph;
            g.drawImage(panels.get(i).image(), x, y, pw, ph, null);
            String label = panels.get(i).label();
            int tw = g.getFontMetrics().stringWidth(label), th = g.getFontMetrics().getHeight();
            g.setColor(new Color(0, 0, 0, 170));
            g.fillRect(x, y, tw + 12, th + 6);
            g.setColor(Color.WHITE);
            g.drawString(label, x + 6, y + 3 + g.getFontMetrics().getAscent());
        }
        g.dispose();
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            ImageIO.write(grid, "png", file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    /** |got - truth| per pixel (summed over channels) times {@link #ERROR_GAIN}, as a heat map. */
    public static BufferedImage errorMap(Rgb got, Rgb truth) {
        int w = got.width(), h = got.height();
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int d = 0;
                for (int c = 0; c < 3; c++) d += Math.abs(got.get(x, y, c) - truth.get(x, y, c));
                int v = Math.min(765, d * ERROR_GAIN);  // 0..765: black -> red -> yellow -> white
                int r = Math.min(255, v), gr = Math.min(255, Math.max(0, v - 255)), b = Math.max(0, v - 510);
                img.setRGB(x, y, (r << 16) | (gr << 8) | b);
            }
        }
        return img;
    }
}
