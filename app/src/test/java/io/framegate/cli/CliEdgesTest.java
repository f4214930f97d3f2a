package io.framegate.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static io.framegate.cli.CliRun.assertBadInput;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The edges of {@code generate}, {@code interpolate} and {@code make-examples}: each bad input is exit code 2 with
 * an error naming the option, the value and the rule, before any work, and no output file is written or changed.
 */
class CliEdgesTest {
    @TempDir
    Path dir;

    private Path scene(String name) throws IOException {
        return CliImages.scene(dir.resolve(name), 96, 64);
    }

    /** Runs {@code generate} with a first frame and a small size plus {@code more}; -o is {@code out}. */
    private CliRun generate(Path out, String... more) throws IOException {
        String[] base = {"generate", "--first", scene("a.png").toString(), "--size", "96x64", "--num-frames", "6",
                "-o", out.toString()};
        String[] all = new String[base.length + more.length];
        System.arraycopy(base, 0, all, 0, base.length);
        System.arraycopy(more, 0, all, base.length, more.length);
        return CliRun.of(all);
    }

    @Test
    void malformedSizeIsNamedWithItsValueAndTheRule() throws IOException {
        Path out = dir.resolve("x.mp4");
        CliRun r = CliRun.of("generate", "--first", scene("a.png").toString(), "--size", "96by64", "-o", out.toString());
        assertBadInput(r, "size=96by64", "WIDTHxHEIGHT");
        assertThat(out).doesNotExist();
        assertBadInput(CliRun.of("generate", "--first", scene("a.png").toString(), "--size", "0x64", "-o", out.toString()),
                "size", "0x64");
    }

    @Test
    void fpsZeroIsNamedWithTheAllowedRange() throws IOException {
        Path out = dir.resolve("x.mp4");
        assertBadInput(generate(out, "--fps", "0"), "fps", "0", "allowed");
        assertThat(out).doesNotExist();
    }

    @Test
    void numFramesOnACloudModelIsRefused() throws IOException {
        Path out = dir.resolve("x.mp4");
        CliRun r = CliRun.of("generate", "--model", "veo-3.1-generate-001", "--first", scene("a.png").toString(),
                "--num-frames", "30", "-o", out.toString());
        assertBadInput(r, "num_frames=30", "only supported by local models", "veo-3.1-generate-001");
        assertThat(out).doesNotExist();
    }

    /**
     * A place the checks cannot foresee failing (root may write to /proc by its permissions, but nothing can be
     * created there): the error names -o and the reason, not FFmpeg's call, our temporary file or a stack trace.
     */
    @Test
    void anOutputThatCannotBeOpenedIsNamedWithTheReason() throws IOException {
        Path out = Path.of("/proc/framegate-cli-test.mp4");
        CliRun r = generate(out);
        assertThat(r.code()).as(r.err()).isNotZero();
        assertThat(r.err()).contains("-o " + out).doesNotContain("Exception").doesNotContain("\tat ")
                .doesNotContain(".part-").doesNotContain("avio_open2").doesNotContain("For more details");
        assertThat(out).doesNotExist();
    }

    /** A missing image is the one error: not also the image counts and roles it leaves unmet. */
    @Test
    void aMissingKeyframeIsNamedAloneWithoutTheRulesItLeavesUnmet() throws IOException {
        Path out = dir.resolve("x.mp4");
        Path missing = dir.resolve("nope.png");
        CliRun r = CliRun.of("generate", "--first", missing.toString(), "--last", scene("b.png").toString(), "--size",
                "96x64", "--num-frames", "6", "-o", out.toString());
        assertBadInput(r, "--first " + missing + ": file not found");
        assertThat(r.err().lines().filter(l -> l.startsWith("error: "))).as(r.err()).hasSize(1);
        // other problems of the request are still all named
        r = CliRun.of("generate", "--first", missing.toString(), "--size", "96x64", "--fps", "0", "-o", out.toString());
        assertBadInput(r, "--first " + missing + ": file not found", "fps");
        assertThat(r.err()).doesNotContain("needs at least");
        assertThat(out).doesNotExist();
    }

    /** A wrong --config is named once, with the field or the place in the file, on one line, before any work. */
    @Test
    void aWrongConfigFileIsNamedOnceWithWhereItIsWrong() throws IOException {
        Path out = dir.resolve("x.mp4");
        Path typo = Files.writeString(dir.resolve("typo.yaml"), "providrs: {}\n");
        CliRun r = generate(out, "--config", typo.toString());
        assertBadInput(r, "providrs: unknown key");
        assertThat(r.err().split(java.util.regex.Pattern.quote(typo.toString()), -1)).as(r.err()).hasSize(2);
        Path broken = Files.writeString(dir.resolve("broken.yaml"), "providers:\n  - name: x\n    type: [\n");
        r = generate(out, "--config", broken.toString());
        assertBadInput(r, broken + ": not valid YAML at line ", "expected the node content");
        assertThat(r.err().lines().filter(l -> !l.isBlank())).as(r.err()).hasSize(1);
        assertThat(r.err()).doesNotContain("Source:").doesNotContain("reader").doesNotContain("^");
        assertThat(out).doesNotExist();
    }

    @Test
    void anUnwritableOutputIsRefusedBeforeAnyWork() throws IOException {
        Path file = Files.writeString(dir.resolve("plain.txt"), "a file, not a directory");
        Path under = file.resolve("x.mp4");
        assertBadInput(generate(under), "-o", under.toString(), "not a directory");
        Path folder = Files.createDirectories(dir.resolve("folder.mp4"));
        assertBadInput(generate(folder), "-o", folder.toString(), "is a directory");
        Files.createDirectories(dir.resolve("clip.thumbnail.webp"));
        assertBadInput(generate(dir.resolve("clip.mp4")), "clip.thumbnail.webp", "is a directory");
        assertThat(dir.resolve("clip.mp4")).doesNotExist();
        assertBadInput(generate(dir.resolve("y.mp4"), "--frames", file.toString()), "--frames", file.toString(),
                "not a directory");
    }

    /** The video is always H.264 in MP4: another name is refused, not given MP4 bytes under it. */
    @Test
    void anOutputNamedForAnotherContainerIsRefusedBeforeAnyWork() throws IOException {
        Path avi = dir.resolve("clip.avi");
        assertBadInput(generate(avi), "-o " + avi, "H.264 in an MP4 file", "ending in .mp4");
        Path bare = dir.resolve("clip");
        assertBadInput(generate(bare), "-o " + bare, "ending in .mp4");
        Path seq = Files.createDirectories(dir.resolve("seq"));
        for (int i = 0; i < 2; i++) {
            ImageIO.write(new ExampleScene(7).view(96, 64, i * 3, 0), "png", seq.resolve("f" + i + ".png").toFile());
        }
        Path mov = dir.resolve("up.mov");
        assertBadInput(CliRun.of("interpolate", "--input", seq.toString(), "-o", mov.toString()), "-o " + mov, "ending in .mp4");
        // interpolate refuses an unwritable -o up front too, as generate does
        Path folder = Files.createDirectories(dir.resolve("folder.mp4"));
        assertBadInput(CliRun.of("interpolate", "--input", seq.toString(), "-o", folder.toString()), "-o " + folder,
                "is a directory");
        assertThat(avi).doesNotExist();
        assertThat(bare).doesNotExist();
        assertThat(mov).doesNotExist();
        // the check reads the name's ending in any case; the same input with .MP4 is made
        Path upper = dir.resolve("UP.MP4");
        CliRun ok = CliRun.of("interpolate", "--input", seq.toString(), "-o", upper.toString());
        assertThat(ok.code()).as(ok.err()).isZero();
        assertThat(upper).isNotEmptyFile();
    }

    @Test
    void aRunThatFailsLeavesTheExistingOutputUntouched() throws IOException {
        Path out = dir.resolve("keep.mp4");
        byte[] old = "the video of an earlier run".getBytes();
        Files.write(out, old);
        Path thumb = Files.write(dir.resolve("keep.thumbnail.webp"), old);
        // the frames directory holds a non-empty directory where frame 1 goes: the run renders, then cannot finish
        Path frames = Files.createDirectories(dir.resolve("frames"));
        Files.writeString(Files.createDirectories(frames.resolve("frame_0001.png")).resolve("occupied"), "x");
        CliRun r = generate(out, "--frames", frames.toString());
        assertThat(r.code()).as(r.err()).isEqualTo(1);
        assertThat(r.err()).contains("error:").contains("left as they were").doesNotContain("\tat ");
        assertThat(out).hasBinaryContent(old);
        assertThat(thumb).hasBinaryContent(old);
        try (var left = Files.list(dir)) {
            assertThat(left.map(p -> p.getFileName().toString())).as("no partial files").noneMatch(n -> n.contains(".part-"));
        }
    }

    @Test
    void anImageThatPassesTheSniffButDoesNotDecodeIsNamed() throws IOException {
        Path bad = Files.write(dir.resolve("broken.png"), CliImages.corruptPng());
        Path out = dir.resolve("x.mp4");
        CliRun r = CliRun.of("generate", "--first", bad.toString(), "--size", "96x64", "-o", out.toString());
        assertBadInput(r, "error: --first " + CliImages.refusal(bad));
        assertThat(out).doesNotExist();

        Path seq = Files.createDirectories(dir.resolve("seq"));
        Files.copy(scene("a.png"), seq.resolve("0001.png"));
        Files.write(seq.resolve("0002.png"), CliImages.corruptPng());
        CliRun i = CliRun.of("interpolate", "--input", seq.toString(), "-o", dir.resolve("i.mp4").toString());
        assertBadInput(i, "error: " + CliImages.refusal(seq.resolve("0002.png")));
        assertThat(dir.resolve("i.mp4")).doesNotExist();
    }

    @Test
    void interpolateNeedsTwoFrames() throws IOException {
        Path empty = Files.createDirectories(dir.resolve("empty"));
        assertBadInput(CliRun.of("interpolate", "--input", empty.toString(), "-o", dir.resolve("e.mp4").toString()),
                "--input=" + empty, "0 image(s); at least 2 are needed");
        Path one = Files.createDirectories(dir.resolve("one"));
        Files.copy(scene("a.png"), one.resolve("0001.png"));
        assertBadInput(CliRun.of("interpolate", "--input", one.toString(), "-o", dir.resolve("o.mp4").toString()),
                "--input=" + one, "1 image(s); at least 2 are needed");
        assertThat(dir.resolve("e.mp4")).doesNotExist();
        assertThat(dir.resolve("o.mp4")).doesNotExist();
    }

    @Test
    void makeExamplesDrawsThreeDifferentPicturesOfTheAskedSize() throws IOException {
        Path out = dir.resolve("examples");
        CliRun r = CliRun.of("make-examples", "--out", out.toString(), "--size", "160x90");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("wrote start.png, end.png, reference.png");
        BufferedImage start = ImageIO.read(out.resolve("start.png").toFile());
        BufferedImage end = ImageIO.read(out.resolve("end.png").toFile());
        assertThat(start.getWidth()).isEqualTo(160);
        assertThat(start.getHeight()).isEqualTo(90);
        assertThat(ImageIO.read(out.resolve("reference.png").toFile()).getWidth()).isEqualTo(160);
        assertThat(Files.readAllBytes(out.resolve("start.png"))).isNotEqualTo(Files.readAllBytes(out.resolve("end.png")));
        assertThat(end.getWidth()).isEqualTo(160);
        Path again = dir.resolve("again");
        assertThat(CliRun.of("make-examples", "--out", again.toString(), "--size", "160x90").code()).isZero();
        assertThat(again.resolve("end.png")).as("drawn the same every time").hasSameBinaryContentAs(out.resolve("end.png"));

        assertBadInput(CliRun.of("make-examples", "--out", dir.resolve("bad").toString(), "--size", "wide"),
                "--size", "wide", "WxH");
        assertThat(dir.resolve("bad")).doesNotExist();
    }
}
