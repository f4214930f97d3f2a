package io.framegate.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code generate --easing}: linear timing puts the in-betweens evenly along the motion; a bad value is refused. */
class GenerateEasingTest {
    private static final int W = 320, H = 128, SIDE = 48, ROW = 64;
    @TempDir
    Path dir;

    /** A white square at x on a dark textured background. */
    private Path square(String name, int x) throws IOException {
        BufferedImage img = new BufferedImage(W, H, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        for (int y = 0; y < H; y += 8) {
            for (int xx = 0; xx < W; xx += 8) {
                g.setColor(((xx + y) / 8) % 2 == 0 ? new Color(40, 40, 60) : new Color(60, 50, 40));
                g.fillRect(xx, y, 8, 8);
            }
        }
        g.setColor(Color.WHITE);
        g.fillRect(x, ROW - SIDE / 2, SIDE, SIDE);
        g.dispose();
        Path p = dir.resolve(name);
        ImageIO.write(img, "png", p.toFile());
        return p;
    }

    /** x of the centre of the bright pixels in row ROW of a frame. */
    private static double squareX(Path png) throws IOException {
        BufferedImage img = ImageIO.read(png.toFile());
        double sum = 0, n = 0;
        for (int x = 0; x < img.getWidth(); x++) {
            int rgb = img.getRGB(x, ROW);
            int luma = ((rgb >> 16) & 255) + ((rgb >> 8) & 255) + (rgb & 255);
            if (luma > 600) {
                sum += x;
                n++;
            }
        }
        return n == 0 ? Double.NaN : sum / n;
    }

    private Path framesOf(String easing) throws IOException {
        Path a = square("a.png", 40), b = square("b.png", 104);
        Path frames = dir.resolve("frames-" + easing);
        CliRun r = CliRun.of("generate", "--first", a.toString(), "--last", b.toString(), "--size", W + "x" + H,
                "--fps", "12", "--num-frames", "9", "--easing", easing, "--frames", frames.toString(),
                "-o", dir.resolve(easing + ".mp4").toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("easing " + easing.replace('-', '_'));
        return frames;
    }

    @Test
    void linearMovesEvenlyAndEaseInOutStartsSlowly() throws IOException {
        Path linear = framesOf("linear");
        Path eased = framesOf("ease-in-out");
        // frame 3 of 9 is t = 0.25: linear puts the square's centre a quarter of the way (40 + 23.5 + 0.25 * 64 = 79.5),
        // smoothstep at 0.156 (73.5)
        double lin = squareX(linear.resolve("frame_0003.png"));
        double ease = squareX(eased.resolve("frame_0003.png"));
        assertThat(lin).isCloseTo(79.5, org.assertj.core.data.Offset.offset(2.0));
        assertThat(ease).isCloseTo(40 + 23.5 + 0.15625 * 64, org.assertj.core.data.Offset.offset(2.0));
        // the middle frame is the same for both
        assertThat(squareX(linear.resolve("frame_0005.png"))).isCloseTo(95.5, org.assertj.core.data.Offset.offset(2.0));
        assertThat(squareX(eased.resolve("frame_0005.png"))).isCloseTo(95.5, org.assertj.core.data.Offset.offset(2.0));
    }

    @Test
    void unknownEasingIsRefusedBeforeAnyWork() throws IOException {
        Path a = square("a.png", 20);
        Path out = dir.resolve("x.mp4");
        CliRun r = CliRun.of("generate", "--first", a.toString(), "--easing", "bouncy", "-o", out.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("easing=bouncy is not allowed; allowed: ease-in-out, linear");
        assertThat(out).doesNotExist();
    }
}
