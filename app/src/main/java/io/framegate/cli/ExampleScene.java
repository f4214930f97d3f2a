package io.framegate.cli;

import java.awt.AlphaComposite;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.GradientPaint;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.util.Random;

/**
 * Draws the example pictures shipped in {@code examples/}: a coastal landscape in depth layers (sky, far mountains,
 * hills with trees, a lighthouse on a cliff, foreground grass and rocks), each with procedural texture. A view
 * moves a pinhole camera sideways and forward, so nearer layers shift and grow more than far ones: real parallax
 * and occlusion, which is what an interpolator has to get right.
 */
final class ExampleScene {
    private static final int LAYER_W = 1800, LAYER_H = 1000;
    /** Depth of each layer in scene units; the sky is at infinity. */
    private static final double[] DEPTHS = {Double.POSITIVE_INFINITY, 40, 12, 8, 3};
    private static final double FOCAL_PX = 400;

    private final BufferedImage[] layers = new BufferedImage[DEPTHS.length];
    private final long seed;

    ExampleScene(long seed) {
        this.seed = seed;
        layers[0] = sky();
        layers[1] = ridge(0.50, 0.12, new Color(104, 122, 160), new Color(150, 160, 190), 11, 0.02);
        layers[2] = hills();
        layers[3] = lighthouse();
        layers[4] = foreground();
    }

    /**
     * Renders the scene seen from a camera moved {@code lateral} units to the right and {@code forward} units into
     * the scene, at the given output size.
     */
    BufferedImage view(int width, int height, double lateral, double forward) {
        BufferedImage out = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BICUBIC);
        g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
        double fit = Math.max((double) width / 1280, (double) height / 720);
        for (int i = 0; i < layers.length; i++) {
            double z = DEPTHS[i];
            double scale = Double.isInfinite(z) ? 1 : z / (z - forward);
            double shift = Double.isInfinite(z) ? 0 : -lateral * FOCAL_PX / (z - forward);
            AffineTransform t = new AffineTransform();
            t.translate(width / 2.0 + shift * fit, height * 0.55);
            t.scale(scale * fit * 0.78, scale * fit * 0.78);
            t.translate(-LAYER_W / 2.0, -LAYER_H * 0.55);
            g.drawImage(layers[i], t, null);
        }
        g.dispose();
        return out;
    }

    private BufferedImage layer() {
        return new BufferedImage(LAYER_W, LAYER_H, BufferedImage.TYPE_INT_ARGB);
    }

    private BufferedImage sky() {
        BufferedImage img = new BufferedImage(LAYER_W, LAYER_H, BufferedImage.TYPE_INT_RGB);
        Noise clouds = new Noise(seed + 1);
        for (int y = 0; y < LAYER_H; y++) {
            double v = (double) y / LAYER_H;
            double r = lerp(40, 250, v * v), gr = lerp(70, 170, v), b = lerp(140, 120, v);
            for (int x = 0; x < LAYER_W; x++) {
                double dx = x - LAYER_W * 0.66, dy = y - LAYER_H * 0.46;
                double sun = Math.exp(-(dx * dx + dy * dy) / (2 * 60.0 * 60.0));
                double c = clouds.fbm(x / 260.0, y / 90.0, 5);
                double cloud = smooth(0.55, 0.75, c) * (1 - v) ;
                int rr = clamp(r + 200 * sun + cloud * (235 - r));
                int gg = clamp(gr + 170 * sun + cloud * (225 - gr));
                int bb = clamp(b + 90 * sun + cloud * (230 - b));
                img.setRGB(x, y, (rr << 16) | (gg << 8) | bb);
            }
        }
        return img;
    }

    /** A mountain ridge: top edge from 1D noise, body textured and faded towards the haze colour. */
    private BufferedImage ridge(double baseline, double amplitude, Color body, Color haze, long salt, double grain) {
        BufferedImage img = layer();
        Noise n = new Noise(seed + salt);
        for (int x = 0; x < LAYER_W; x++) {
            double top = LAYER_H * (baseline - amplitude * n.fbm(x / 300.0, 0.5, 6));
            for (int y = (int) Math.max(0, top); y < LAYER_H; y++) {
                double t = n.fbm(x / 25.0, y / 25.0, 4);
                double depthFade = Math.min(1, (y - top) / 220.0);
                int rr = clamp(lerp(haze.getRed(), body.getRed(), depthFade) * (1 - grain + 2 * grain * t));
                int gg = clamp(lerp(haze.getGreen(), body.getGreen(), depthFade) * (1 - grain + 2 * grain * t));
                int bb = clamp(lerp(haze.getBlue(), body.getBlue(), depthFade) * (1 - grain + 2 * grain * t));
                double alpha = Math.min(1, y - top + 1);
                img.setRGB(x, y, ((int) (alpha * 255) << 24) | (rr << 16) | (gg << 8) | bb);
            }
        }
        return img;
    }

    private BufferedImage hills() {
        BufferedImage img = ridge(0.62, 0.10, new Color(46, 92, 52), new Color(96, 130, 100), 23, 0.18);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        Random r = new Random(seed + 5);
        Noise n = new Noise(seed + 23);
        for (int i = 0; i < 70; i++) { // conifers along the ridge
            int x = r.nextInt(LAYER_W);
            double top = LAYER_H * (0.62 - 0.10 * n.fbm(x / 300.0, 0.5, 6));
            int h = 30 + r.nextInt(40), w = h / 3;
            int y = (int) top + 6 + r.nextInt(30);
            g.setColor(new Color(20 + r.nextInt(20), 55 + r.nextInt(30), 30 + r.nextInt(15)));
            Path2D tree = new Path2D.Double();
            tree.moveTo(x, y - h);
            tree.lineTo(x - w, y);
            tree.lineTo(x + w, y);
            tree.closePath();
            g.fill(tree);
        }
        g.dispose();
        return img;
    }

    private BufferedImage lighthouse() {
        BufferedImage img = layer();
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        int cx = (int) (LAYER_W * 0.40), base = (int) (LAYER_H * 0.70);
        // the cliff it stands on
        Path2D cliff = new Path2D.Double();
        cliff.moveTo(cx - 260, LAYER_H);
        cliff.curveTo(cx - 200, base + 40, cx - 120, base - 10, cx, base);
        cliff.curveTo(cx + 120, base + 5, cx + 190, base + 60, cx + 300, LAYER_H);
        cliff.closePath();
        g.setPaint(new GradientPaint(cx, base, new Color(120, 100, 80), cx, LAYER_H, new Color(60, 50, 42)));
        g.fill(cliff);
        g.setClip(cliff);
        Random r = new Random(seed + 9);
        for (int i = 0; i < 400; i++) { // rock strata and speckle
            g.setColor(new Color(50 + r.nextInt(90), 45 + r.nextInt(70), 38 + r.nextInt(50), 120));
            g.fillRect(cx - 260 + r.nextInt(560), base + r.nextInt(LAYER_H - base), 4 + r.nextInt(30), 2 + r.nextInt(4));
        }
        g.setClip(null);
        // the tower: tapered, red and white bands, gallery and lamp
        int towerH = 230, bw = 34, tw = 22;
        int[] bands = {0, 1, 0, 1, 0, 1};
        for (int i = 0; i < bands.length; i++) {
            double y0 = base - towerH * (i + 1.0) / bands.length, y1 = base - towerH * (double) i / bands.length;
            double w0 = lerp(bw, tw, (i + 1.0) / bands.length), w1 = lerp(bw, tw, (double) i / bands.length);
            Path2D band = new Path2D.Double();
            band.moveTo(cx - w1, y1);
            band.lineTo(cx - w0, y0);
            band.lineTo(cx + w0, y0);
            band.lineTo(cx + w1, y1);
            band.closePath();
            g.setPaint(new GradientPaint(cx - bw, 0, bands[i] == 0 ? new Color(250, 248, 240) : new Color(200, 30, 35),
                    cx + bw, 0, bands[i] == 0 ? new Color(170, 168, 165) : new Color(120, 15, 20)));
            g.fill(band);
        }
        int top = base - towerH;
        g.setColor(new Color(40, 40, 45));
        g.fillRect(cx - tw - 8, top - 6, 2 * tw + 16, 8);
        g.setColor(new Color(255, 236, 150));
        g.fillRect(cx - tw + 6, top - 36, 2 * tw - 12, 30);
        g.setColor(new Color(40, 40, 45));
        g.setStroke(new BasicStroke(3));
        g.drawRect(cx - tw + 6, top - 36, 2 * tw - 12, 30);
        Path2D roof = new Path2D.Double();
        roof.moveTo(cx - tw, top - 36);
        roof.lineTo(cx, top - 62);
        roof.lineTo(cx + tw, top - 36);
        roof.closePath();
        g.setColor(new Color(150, 20, 25));
        g.fill(roof);
        g.setComposite(AlphaComposite.getInstance(AlphaComposite.SRC_OVER, 0.35f));
        g.setColor(new Color(255, 240, 170));
        g.fill(new Ellipse2D.Double(cx - 70, top - 90, 140, 110)); // the lamp's glow
        // a small keeper's house beside it
        g.setComposite(AlphaComposite.SrcOver);
        g.setColor(new Color(235, 230, 215));
        g.fillRect(cx + 50, base - 55, 90, 55);
        g.setColor(new Color(90, 60, 50));
        Path2D houseRoof = new Path2D.Double();
        houseRoof.moveTo(cx + 42, base - 55);
        houseRoof.lineTo(cx + 95, base - 90);
        houseRoof.lineTo(cx + 148, base - 55);
        houseRoof.closePath();
        g.fill(houseRoof);
        g.setColor(new Color(60, 90, 130));
        g.fillRect(cx + 65, base - 40, 18, 18);
        g.fillRect(cx + 105, base - 40, 18, 18);
        g.dispose();
        return img;
    }

    private BufferedImage foreground() {
        BufferedImage img = layer();
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        Noise n = new Noise(seed + 31);
        int groundTop = (int) (LAYER_H * 0.84);
        for (int x = 0; x < LAYER_W; x++) {
            double top = groundTop - 40 * n.fbm(x / 200.0, 1.5, 4);
            for (int y = (int) top; y < LAYER_H; y++) {
                double t = n.fbm(x / 6.0, y / 18.0, 3);
                int gg = clamp(70 + 80 * t), rr = clamp(35 + 40 * t), bb = clamp(20 + 25 * t);
                img.setRGB(x, y, 0xff000000 | (rr << 16) | (gg << 8) | bb);
            }
        }
        Random r = new Random(seed + 13);
        g.setStroke(new BasicStroke(2f));
        for (int i = 0; i < 900; i++) { // grass blades
            int x = r.nextInt(LAYER_W), y = groundTop + r.nextInt(LAYER_H - groundTop);
            g.setColor(new Color(40 + r.nextInt(60), 100 + r.nextInt(90), 30 + r.nextInt(30)));
            g.drawLine(x, y, x + r.nextInt(13) - 6, y - 12 - r.nextInt(28));
        }
        for (int i = 0; i < 6; i++) { // boulders with shading
            int x = 100 + r.nextInt(LAYER_W - 200), w = 70 + r.nextInt(90), h = 40 + r.nextInt(40);
            int y = groundTop + 20 + r.nextInt(60);
            g.setPaint(new GradientPaint(x, y - h, new Color(170, 165, 155), x + w / 2f, y, new Color(70, 66, 60)));
            g.fill(new Ellipse2D.Double(x - w / 2.0, y - h, w, h * 1.3));
        }
        g.dispose();
        return img;
    }

    private static double lerp(double a, double b, double t) {
        return a + (b - a) * t;
    }

    private static double smooth(double e0, double e1, double x) {
        double t = Math.max(0, Math.min(1, (x - e0) / (e1 - e0)));
        return t * t * (3 - 2 * t);
    }

    private static int clamp(double v) {
        return (int) Math.max(0, Math.min(255, Math.round(v)));
    }

    /** Seeded 2D value noise with fractal sums, enough for clouds, ridges and grain. */
    private static final class Noise {
        private final int[] perm = new int[512];
        private final double[] values = new double[256];

        Noise(long seed) {
            Random r = new Random(seed);
            for (int i = 0; i < 256; i++) {
                perm[i] = i;
                values[i] = r.nextDouble();
            }
            for (int i = 255; i > 0; i--) {
                int j = r.nextInt(i + 1), t = perm[i];
                perm[i] = perm[j];
                perm[j] = t;
            }
            System.arraycopy(perm, 0, perm, 256, 256);
        }

        double value(double x, double y) {
            int xi = (int) Math.floor(x), yi = (int) Math.floor(y);
            double fx = x - xi, fy = y - yi;
            double u = fx * fx * (3 - 2 * fx), v = fy * fy * (3 - 2 * fy);
            double a = at(xi, yi), b = at(xi + 1, yi), c = at(xi, yi + 1), d = at(xi + 1, yi + 1);
            return lerp(lerp(a, b, u), lerp(c, d, u), v);
        }

        private double at(int x, int y) {
            return values[perm[(perm[x & 255] + y) & 255]];
        }

        double fbm(double x, double y, int octaves) {
            double sum = 0, amp = 0.5, norm = 0;
            for (int i = 0; i < octaves; i++) {
                sum += amp * value(x, y);
                norm += amp;
                x *= 2.03;
                y *= 2.03;
                amp *= 0.5;
            }
            return sum / norm;
        }
    }
}
