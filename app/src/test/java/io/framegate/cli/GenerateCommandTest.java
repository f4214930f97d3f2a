package io.framegate.cli;

import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.Frame;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class GenerateCommandTest {
    @TempDir
    Path dir;

    private Path scene(String name, double lateral, double forward) throws IOException {
        BufferedImage img = new ExampleScene(7).view(320, 180, lateral, forward);
        Path p = dir.resolve(name);
        ImageIO.write(img, "png", p.toFile());
        return p;
    }

    @Test
    void keyframesHappyPathWritesVideoThumbnailAndSpritesheet() throws Exception {
        Path a = scene("a.png", 0, 0), b = scene("b.png", 0.3, 0.1);
        Path out = dir.resolve("clip.mp4");
        CliRun r = CliRun.of("generate", "--first", a.toString(), "--last", b.toString(), "--prompt", "move right",
                "--size", "160x96", "--fps", "12", "--num-frames", "14", "--frames", dir.resolve("frames").toString(),
                "-o", out.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("wrote").contains("14 frames");
        assertThat(dir.resolve("clip.thumbnail.webp")).isNotEmptyFile();
        assertThat(dir.resolve("clip.spritesheet.jpg")).isNotEmptyFile();
        try (FFmpegFrameGrabber g = new FFmpegFrameGrabber(out.toFile())) {
            g.start();
            assertThat(g.getImageWidth()).isEqualTo(160);
            assertThat(g.getImageHeight()).isEqualTo(96);
            int frames = 0;
            for (Frame f; (f = g.grabImage()) != null; ) frames++;
            assertThat(frames).isEqualTo(14);
        }
        try (var files = Files.list(dir.resolve("frames"))) {
            assertThat(files.filter(p -> p.toString().endsWith(".png")).count()).isEqualTo(14);
        }
    }

    /**
     * README, command one as a user types it (the example keyframes, no size, length or rate given): out.mp4 is
     * 1280x720, 4 s at 24 fps (96 frames), with its thumbnail and sprite sheet beside it.
     */
    @Test
    void theReadmesFirstCommandWrites1280x720FourSecondsAt24Fps() throws Exception {
        Path examples = Path.of("..", "examples").toAbsolutePath().normalize();
        Path out = dir.resolve("out.mp4");
        CliRun r = CliRun.of("generate", "--first", examples.resolve("start.png").toString(), "--last",
                examples.resolve("end.png").toString(), "--prompt", "slow push through the valley", "-o", out.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(dir.resolve("out.thumbnail.webp")).isNotEmptyFile();
        assertThat(dir.resolve("out.spritesheet.jpg")).isNotEmptyFile();
        try (FFmpegFrameGrabber g = new FFmpegFrameGrabber(out.toFile())) {
            g.start();
            assertThat(g.getImageWidth()).isEqualTo(1280);
            assertThat(g.getImageHeight()).isEqualTo(720);
            assertThat(g.getFrameRate()).isEqualTo(24.0);
            int frames = 0;
            while (g.grabImage() != null) frames++;
            assertThat(frames).isEqualTo(96);
        }
    }

    @Test
    void progressGoesToStderrAsPlainLinesWithoutATerminal() throws Exception {
        Path a = scene("a.png", 0, 0);
        CliRun r = CliRun.of("generate", "--reference", a.toString(), "--prompt", "slow zoom in", "--size", "96x64",
                "--num-frames", "8", "-o", dir.resolve("r.mp4").toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.err()).contains("progress").doesNotContain("\r");
    }

    @Test
    void missingFileIsABadInputAndWritesNothing() {
        Path out = dir.resolve("x.mp4");
        CliRun r = CliRun.of("generate", "--first", dir.resolve("nope.png").toString(), "-o", out.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("--first").contains("nope.png: file not found");
        assertThat(out).doesNotExist();
    }

    @Test
    void directoryIsNotAnImage() {
        CliRun r = CliRun.of("generate", "--first", dir.toString(), "-o", dir.resolve("x.mp4").toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("is a directory");
    }

    /** docs/openai-extension.md: images are PNG, JPEG or WebP, on the CLI as at the API; a BMP or TIFF is named. */
    @Test
    void bmpAndTiffAreRefusedAsTheServerRefusesThem() throws IOException {
        for (String format : new String[] {"bmp", "tiff"}) {
            java.awt.image.BufferedImage img = new java.awt.image.BufferedImage(64, 48, java.awt.image.BufferedImage.TYPE_INT_RGB);
            Path file = dir.resolve("in." + format);
            javax.imageio.ImageIO.write(img, format, file.toFile());
            Path out = dir.resolve("x.mp4");
            CliRun r = CliRun.of("generate", "--first", file.toString(), "-o", out.toString());
            assertThat(r.code()).as(r.err()).isEqualTo(2);
            assertThat(r.err()).contains("error: --first " + CliImages.refusal(file));
            assertThat(CliImages.refusal(file)).isEqualTo(file + " is a " + format.toUpperCase(java.util.Locale.ROOT)
                    + " image, which is not a PNG, JPEG or WebP image");
            assertThat(out).doesNotExist();
        }
    }

    @Test
    void unsupportedFormatIsNamed() throws IOException {
        Path txt = dir.resolve("notes.png");
        Files.writeString(txt, "this is text, not a picture");
        Path out = dir.resolve("x.mp4");
        CliRun r = CliRun.of("generate", "--first", txt.toString(), "-o", out.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("error: --first " + CliImages.refusal(txt));
        assertThat(out).doesNotExist();
    }

    @Test
    void roleAndDurationTheModelDoesNotAllowAreAllReported() throws IOException {
        Path a = scene("a.png", 0, 0);
        Path out = dir.resolve("x.mp4");
        CliRun r = CliRun.of("generate", "--model", "sora-2", "--first", a.toString(), "--seconds", "6", "--prompt", "x",
                "-o", out.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("image role first_frame is not supported by sora-2; allowed roles: reference")
                .contains("seconds=6 is not allowed for sora-2; allowed: 4, 8, 12");
        assertThat(out).doesNotExist();
    }

    @Test
    void unknownReferenceRoleIsNamed() throws IOException {
        Path a = scene("a.png", 0, 0);
        CliRun r = CliRun.of("generate", "--reference", "middle=" + a, "-o", dir.resolve("x.mp4").toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("middle is not an image role");
    }

    @Test
    void modelsPrintsTheCatalogWithPrices() {
        CliRun r = CliRun.of("models");
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("sora-2-pro").contains("veo-3.1-fast-generate-001").contains("0.70")
                .contains("retired 2026-09-24");
    }
}
