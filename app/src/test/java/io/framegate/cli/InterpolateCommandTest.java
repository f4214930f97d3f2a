package io.framegate.cli;

import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.Frame;
import org.bytedeco.javacv.Java2DFrameConverter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class InterpolateCommandTest {
    @TempDir
    Path dir;

    /** {@code n} views of a camera moving right over the example scene, as {@code f00.png ..} in {@code seq}. */
    private Path sequence(int n) throws IOException {
        Path seq = Files.createDirectories(dir.resolve("seq"));
        ExampleScene scene = new ExampleScene(3);
        for (int i = 0; i < n; i++) {
            ImageIO.write(scene.view(128, 72, 0.25 * i, 0), "png", seq.resolve(String.format("f%02d.png", i)).toFile());
        }
        return seq;
    }

    private static List<BufferedImage> decode(Path mp4) throws IOException {
        List<BufferedImage> frames = new ArrayList<>();
        try (FFmpegFrameGrabber g = new FFmpegFrameGrabber(mp4.toFile()); Java2DFrameConverter c = new Java2DFrameConverter()) {
            g.start();
            for (Frame f; (f = g.grabImage()) != null; ) {
                BufferedImage src = c.convert(f);
                BufferedImage copy = new BufferedImage(src.getWidth(), src.getHeight(), BufferedImage.TYPE_INT_RGB);
                copy.getGraphics().drawImage(src, 0, 0, null);
                frames.add(copy);
            }
            g.stop();
        }
        return frames;
    }

    /** Mean absolute RGB difference, 0..255. */
    private static double meanAbsDiff(BufferedImage a, BufferedImage b) {
        assertThat(a.getWidth()).isEqualTo(b.getWidth());
        assertThat(a.getHeight()).isEqualTo(b.getHeight());
        double sum = 0;
        for (int y = 0; y < a.getHeight(); y++) {
            for (int x = 0; x < a.getWidth(); x++) {
                int p = a.getRGB(x, y), q = b.getRGB(x, y);
                for (int s = 0; s < 24; s += 8) sum += Math.abs(((p >> s) & 0xff) - ((q >> s) & 0xff));
            }
        }
        return sum / (3.0 * a.getWidth() * a.getHeight());
    }

    @Test
    void upconvertsADirectoryKeepingTheInputFrames() throws Exception {
        Path seq = sequence(4);
        Path out = dir.resolve("up.mp4");
        CliRun r = CliRun.of("interpolate", "--input", seq.toString(), "--factor", "3", "--fps", "30", "-o", out.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("10 frames at 30 fps").contains("4 input frames").contains("time: decode");
        List<BufferedImage> frames = decode(out);
        assertThat(frames).hasSize((4 - 1) * 3 + 1);
        BufferedImage first = ImageIO.read(seq.resolve("f00.png").toFile());
        BufferedImage last = ImageIO.read(seq.resolve("f03.png").toFile());
        BufferedImage second = ImageIO.read(seq.resolve("f01.png").toFile());
        // the input frames come through (up to yuv420p and H.264 at the keyframe quantiser): far closer to their own
        // input than to the next one
        assertThat(meanAbsDiff(frames.getFirst(), first)).isLessThan(5.0)
                .isLessThan(meanAbsDiff(frames.getFirst(), second) / 1.5);
        assertThat(meanAbsDiff(frames.getLast(), last)).isLessThan(5.0);
        assertThat(meanAbsDiff(frames.get(3), second)).isLessThan(meanAbsDiff(frames.get(3), first) / 1.5);
        // the in-between differs from both neighbours: something was synthesised, not duplicated
        assertThat(meanAbsDiff(frames.get(1), first)).isGreaterThan(0.5);
        assertThat(meanAbsDiff(frames.get(1), second)).isGreaterThan(0.5);
    }

    @Test
    void globSelectsTheFrames() throws Exception {
        Path seq = sequence(3);
        Files.writeString(seq.resolve("notes.txt"), "not a frame");
        Path out = dir.resolve("g.mp4");
        Path pngs = dir.resolve("pngs");
        CliRun r = CliRun.of("interpolate", "--frames-glob", seq.resolve("f*.png").toString(), "--frames", pngs.toString(),
                "-o", out.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(decode(out)).hasSize((3 - 1) * 2 + 1);
        // the PNG frames are exact: the input frames come through unchanged
        BufferedImage in = ImageIO.read(seq.resolve("f01.png").toFile());
        BufferedImage png = ImageIO.read(pngs.resolve("frame_0003.png").toFile());
        assertThat(meanAbsDiff(png, in)).isZero();
        try (var files = Files.list(pngs)) {
            assertThat(files.count()).isEqualTo(5);
        }
    }

    @Test
    void missingDirectoryIsABadInput() {
        Path out = dir.resolve("x.mp4");
        CliRun r = CliRun.of("interpolate", "--input", dir.resolve("nope").toString(), "-o", out.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("--input=").contains("nope: no such directory");
        assertThat(out).doesNotExist();
    }

    @Test
    void nonImageFileIsABadInput() throws Exception {
        Path seq = sequence(2);
        Files.writeString(seq.resolve("readme.txt"), "frames of the orbit");
        Path out = dir.resolve("x.mp4");
        CliRun r = CliRun.of("interpolate", "--input", seq.toString(), "-o", out.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("error: " + CliImages.refusal(seq.resolve("readme.txt")));
        assertThat(out).doesNotExist();
    }

    @Test
    void framesOfDifferentSizesAreABadInput() throws Exception {
        Path seq = sequence(2);
        ImageIO.write(new ExampleScene(3).view(96, 72, 0.2, 0), "png", seq.resolve("f02.png").toFile());
        Path out = dir.resolve("x.mp4");
        CliRun r = CliRun.of("interpolate", "--input", seq.toString(), "-o", out.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("f02.png: 96x72, but the first frame is 128x72");
        assertThat(out).doesNotExist();
    }

    @Test
    void factorOutOfRangeIsABadInput() throws Exception {
        Path seq = sequence(2);
        CliRun r = CliRun.of("interpolate", "--input", seq.toString(), "--factor", "1", "-o", dir.resolve("x.mp4").toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("--factor=1 is not allowed; allowed: 2..16");
    }
}
