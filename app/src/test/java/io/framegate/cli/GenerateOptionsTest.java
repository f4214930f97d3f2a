package io.framegate.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * README, "The CLI": what {@code generate}'s options promise, at tiny sizes. Bad input is exit code 2 naming every
 * problem at once with no file written; the defaults ({@code --model framegate-local}, {@code --easing ease-in-out},
 * {@code --fit crop}) are what a run without them gets; {@code --fit}'s modes and aliases offline; the same request
 * and seed give the same files byte for byte.
 */
class GenerateOptionsTest {
    static final String SIZE = "160x90";
    @TempDir
    Path dir;

    /** A square picture (detail everywhere, not 16:9, so crop, pad and stretch each give another frame). */
    private Path square(String name, double lateral) throws IOException {
        Path p = dir.resolve(name);
        if (!Files.exists(p)) ImageIO.write(new ExampleScene(7).view(120, 120, lateral, 0), "png", p.toFile());
        return p;
    }

    /** Runs generate from a square first and last frame into {@code dir/name/} and returns every file it wrote. */
    private TreeMap<String, String> run(String name, String... more) throws IOException {
        Path out = Files.createDirectories(dir.resolve(name));
        List<String> args = new ArrayList<>(List.of("generate", "--first", square("a.png", 0).toString(), "--last",
                square("b.png", 0.3).toString(), "--size", SIZE, "--fps", "12", "--num-frames", "5", "--frames",
                out.resolve("frames").toString(), "-o", out.resolve("v.mp4").toString()));
        args.addAll(List.of(more));
        CliRun r = CliRun.of(args.toArray(String[]::new));
        assertThat(r.code()).as(r.err()).isZero();
        TreeMap<String, String> files = new TreeMap<>();
        try (Stream<Path> all = Files.walk(out)) {
            for (Path f : all.filter(Files::isRegularFile).toList()) files.put(out.relativize(f).toString(), sha256(f));
        }
        return files;
    }

    /** A file's SHA-256, so that a difference reads as two short strings. */
    private static String sha256(Path f) throws IOException {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(f)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void assertSameFiles(TreeMap<String, String> a, TreeMap<String, String> b, String what) {
        assertThat(b).as(what).isEqualTo(a);
    }

    private static boolean sameFiles(TreeMap<String, String> a, TreeMap<String, String> b) {
        return a.equals(b);
    }

    /**
     * README: bad input exits with code 2, names every problem at once (file, option values, model rules, -o) and
     * leaves no output file: five problems of five kinds in one run, each on its own {@code error:} line.
     */
    @Test
    void everyProblemOfARunIsNamedAtOnceWithExitCode2AndNothingIsWritten() throws IOException {
        Path out = dir.resolve("clip.avi");
        Path missing = dir.resolve("nope.png");
        CliRun r = CliRun.of("generate", "--model", "sora-2", "--first", missing.toString(), "--reference",
                square("a.png", 0).toString(), "--seconds", "6", "--fit", "zoom", "--easing", "bouncy", "--prompt", "x",
                "--frames", dir.resolve("frames").toString(), "-o", out.toString());
        assertThat(r.code()).as(r.err()).isEqualTo(2);
        List<String> errors = r.err().lines().filter(l -> l.startsWith("error: ")).toList();
        assertThat(errors).as(r.err()).hasSize(5);
        assertThat(r.err()).contains("--first " + missing + ": file not found")
                .contains("--fit=zoom is not a fit mode")
                .contains("easing=bouncy is not allowed")
                .contains("seconds=6 is not allowed for sora-2; allowed: 4, 8, 12")
                .contains("-o " + out + ": the video is written as H.264 in an MP4 file")
                .doesNotContain("\tat ");
        try (Stream<Path> left = Files.list(dir)) {
            assertThat(left.map(p -> p.getFileName().toString())).as("nothing written").containsExactly("a.png");
        }
    }

    /**
     * README: {@code --model} defaults to framegate-local, {@code --easing} to ease-in-out and {@code --fit} to crop
     * (alias cover): a run naming none of them writes the same bytes as one naming those, and other values than
     * those defaults write other bytes (so the comparison can tell the defaults apart).
     */
    @Test
    void withoutModelEasingOrFitARunIsFramegateLocalEaseInOutAndCrop() throws IOException {
        TreeMap<String, String> plain = run("plain");
        assertSameFiles(plain, run("explicit", "--model", "framegate-local", "--easing", "ease-in-out", "--fit", "crop"),
                "the defaults named");
        assertSameFiles(plain, run("cover", "--fit", "cover"), "cover is crop");
        assertThat(sameFiles(plain, run("fast", "--model", "framegate-local-fast"))).as("framegate-local-fast differs").isFalse();
        assertThat(sameFiles(plain, run("linear", "--easing", "linear"))).as("linear differs").isFalse();
        assertThat(sameFiles(plain, run("pad", "--fit", "pad"))).as("pad differs").isFalse();
    }

    /** Mean of the three channels over a column of a frame. */
    private static double columnMean(BufferedImage img, int x) {
        double sum = 0;
        for (int y = 0; y < img.getHeight(); y++) {
            int rgb = img.getRGB(x, y);
            sum += ((rgb >> 16) & 255) + ((rgb >> 8) & 255) + (rgb & 255);
        }
        return sum / (3.0 * img.getHeight());
    }

    /**
     * README: {@code --fit pad} (aliases contain, letterbox) adds black bars, {@code stretch} (alias fill) and the
     * default crop fill the frame, offline: a square keyframe in a 160x90 video. The first frame is the fitted
     * keyframe, so its left edge is black only when padded (a 90x90 picture leaves 35 columns each side).
     */
    @Test
    void fitPadLetterboxesAndStretchAndCropFillTheFrameOffline() throws IOException {
        TreeMap<String, String> pad = run("pad", "--fit", "pad");
        assertSameFiles(pad, run("contain", "--fit", "contain"), "contain is pad");
        assertSameFiles(pad, run("letterbox", "--fit", "letterbox"), "letterbox is pad");
        TreeMap<String, String> stretch = run("stretch", "--fit", "stretch");
        assertSameFiles(stretch, run("fill", "--fit", "fill"), "fill is stretch");
        TreeMap<String, String> crop = run("crop");

        BufferedImage padded = ImageIO.read(dir.resolve("pad/frames/frame_0001.png").toFile());
        assertThat(padded.getWidth()).isEqualTo(160);
        assertThat(padded.getHeight()).isEqualTo(90);
        for (int x : new int[] {0, 20, 33, 126, 159}) assertThat(columnMean(padded, x)).as("pad, column " + x).isLessThan(4);
        assertThat(columnMean(padded, 80)).as("pad, the picture").isGreaterThan(30);
        for (String mode : List.of("stretch", "crop")) {
            BufferedImage filled = ImageIO.read(dir.resolve(mode + "/frames/frame_0001.png").toFile());
            for (int x : new int[] {0, 20, 159}) assertThat(columnMean(filled, x)).as(mode + ", column " + x).isGreaterThan(30);
        }
        assertThat(sameFiles(stretch, crop)).as("stretch is not crop").isFalse();
    }

    /**
     * README: the same request and seed give the same video byte for byte (frames, MP4 and previews). Two runs of one
     * command, keyframes and reference mode (whose default push-in drifts by the seed: another seed, other bytes);
     * across processes and CPU counts the engine's own test (ProcessDeterminismTest) renders in separate JVMs.
     */
    @Test
    void theSameRequestAndSeedGiveTheSameFilesByteForByte() throws IOException {
        TreeMap<String, String> one = run("one", "--seed", "42");
        assertThat(one).containsKeys("v.mp4", "v.thumbnail.webp", "v.spritesheet.jpg", "frames/frame_0005.png");
        assertSameFiles(one, run("two", "--seed", "42"), "keyframes, run twice");

        List<TreeMap<String, String>> refs = new ArrayList<>();
        for (String name : List.of("ref1", "ref2", "ref3")) {
            Path out = Files.createDirectories(dir.resolve(name));
            CliRun r = CliRun.of("generate", "--reference", square("a.png", 0).toString(), "--prompt", "a quiet valley",
                    "--seed", name.equals("ref3") ? "8" : "7", "--size", SIZE, "--num-frames", "5", "--frames", out.resolve("frames").toString(),
                    "-o", out.resolve("v.mp4").toString());
            assertThat(r.code()).as(r.err()).isZero();
            TreeMap<String, String> files = new TreeMap<>();
            try (Stream<Path> all = Files.walk(out)) {
                for (Path f : all.filter(Files::isRegularFile).toList()) files.put(out.relativize(f).toString(), sha256(f));
            }
            refs.add(files);
        }
        assertThat(refs.get(0)).containsKeys("v.mp4", "v.thumbnail.webp", "v.spritesheet.jpg", "frames/frame_0005.png");
        assertSameFiles(refs.get(0), refs.get(1), "reference mode, run twice");
        assertThat(sameFiles(refs.get(0), refs.get(2))).as("another seed, another video").isFalse();
    }
}
