package io.framegate.cli;

import io.framegate.domain.ImageRole;
import io.framegate.domain.InputImage;
import io.framegate.engine.ImageDecoder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opencv.core.Mat;

import javax.imageio.ImageIO;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.framegate.cli.CliRun.assertBadInput;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The image files of {@code generate} and {@code interpolate} as README.md's CLI section promises: a file over the
 * engine's byte cap, a device or a FIFO, a pixel bomb, a damaged file or a frame unlike the others is bad input (exit
 * 2, every problem named at once, nothing written), found before any work and without reading more than the cap, and
 * what the user sees is an error line (the engine's refusal after the option, in the words the API's intake uses),
 * never a Java error or a native library's message.
 */
class CliImageInputTest {
    @TempDir
    Path dir;

    private Path scene(String name, int w, int h) throws IOException {
        return CliImages.scene(dir.resolve(name), w, h);
    }

    /** A sparse file of {@code length} bytes that starts with a PNG signature: cheap however large. */
    private Path sparsePng(Path p, long length) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "rw")) {
            f.write(CliImages.PNG_SIGNATURE);
            f.setLength(length);
        }
        return p;
    }

    // ---- the byte cap, before reading

    @Test
    void anImageFileOverTheEnginesByteCapIsRefusedByItsSizeBeforeItIsRead() throws IOException {
        Path big = sparsePng(dir.resolve("big.png"), 3L << 30);
        Path over = sparsePng(dir.resolve("over.png"), 64L * 1024 * 1024 + 1);
        Path out = dir.resolve("x.mp4");
        CliRun r = CliRun.of("generate", "--first", big.toString(), "--last", over.toString(), "--size", "96x64",
                "--num-frames", "6", "-o", out.toString());
        assertBadInput(r, "--first " + big + ": is 3221225472 bytes (3072 MiB)", "--last " + over + ": is 67108865 bytes",
                "at most 67108864 bytes (64 MiB)");
        assertThat(r.err()).doesNotContain("OutOfMemory");
        assertThat(out).doesNotExist();
    }

    @Test
    void aDeviceIsReadNoFurtherThanItsSignatureAndAFifoNoFurtherThanTheCap() throws Exception {
        Path out = dir.resolve("x.mp4");
        Path zero = Path.of("/dev/zero");
        if (Files.exists(zero)) {
            long t0 = System.nanoTime();
            CliRun r = CliRun.of("generate", "--first", zero.toString(), "--size", "96x64", "--num-frames", "6",
                    "-o", out.toString());
            assertBadInput(r, "--first /dev/zero: not a readable image");
            assertThat(r.err()).doesNotContain("OutOfMemory");
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isLessThan(20_000);
        }
        // a FIFO that gives a PNG signature and then bytes without end: read up to the cap, then refused
        Path fifo = dir.resolve("endless.png");
        Process mk;
        try {
            mk = new ProcessBuilder("mkfifo", fifo.toString()).start();
        } catch (IOException e) {
            assumeTrue(false, "no mkfifo here");
            return;
        }
        assumeTrue(mk.waitFor() == 0, "mkfifo failed");
        Thread writer = new Thread(() -> {
            try (OutputStream o = Files.newOutputStream(fifo)) {
                o.write(CliImages.PNG_SIGNATURE);
                byte[] block = new byte[1 << 16];
                while (true) o.write(block);
            } catch (IOException e) {
                // the reader closed the pipe
            }
        });
        writer.setDaemon(true);
        writer.start();
        CliRun r = CliRun.of("generate", "--first", fifo.toString(), "--size", "96x64", "--num-frames", "6",
                "-o", out.toString());
        assertBadInput(r, "--first " + fifo + ": holds more than 67108864 bytes (64 MiB)");
        writer.join(10_000);
        assertThat(writer.isAlive()).as("the FIFO was closed after the cap").isFalse();
        assertThat(out).doesNotExist();
    }

    @Test
    void aFrameOverTheByteCapIsRefusedBeforeInterpolateReadsIt() throws IOException {
        Path seq = Files.createDirectories(dir.resolve("seq"));
        Files.copy(scene("a.png", 96, 64), seq.resolve("f01.png"));
        sparsePng(seq.resolve("f02.png"), 3L << 30);
        Files.copy(scene("b.png", 96, 64), seq.resolve("f03.png"));
        Path out = dir.resolve("i.mp4");
        CliRun r = CliRun.of("interpolate", "--input", seq.toString(), "-o", out.toString());
        assertBadInput(r, "f02.png: is 3221225472 bytes", "at most 67108864 bytes (64 MiB)");
        assertThat(r.err()).doesNotContain("OutOfMemory");
        assertThat(out).doesNotExist();
    }

    // ---- the pixel caps are named as such

    /** A baseline JPEG's segments up to its frame header saying {@code w x h}, a scan and the end marker. */
    static byte[] jpegHeaderOnly(int w, int h) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0xff, (byte) 0xd8});
        out.writeBytes(new byte[] {(byte) 0xff, (byte) 0xc0, 0, 11, 8, (byte) (h >> 8), (byte) h, (byte) (w >> 8), (byte) w,
                1, 1, 0x11, 0});
        out.writeBytes(new byte[] {(byte) 0xff, (byte) 0xda, 0, 8, 1, 1, 0, 0, 63, 0});
        out.writeBytes(new byte[] {0x12, 0x34, (byte) 0xff, (byte) 0xd9});
        return out.toByteArray();
    }

    @Test
    void imagesOverTheSideOrMegapixelCapAreNamedWithTheirSizeAndTheCapNotAsCorrupt() throws IOException {
        Path bomb = Files.write(dir.resolve("bomb.png"), CliImages.pngHeaderOnly(30_000, 30_000));
        Path side = Files.write(dir.resolve("side.png"), CliImages.pngHeaderOnly(16_385, 2));
        Path mp = Files.write(dir.resolve("big.jpg"), jpegHeaderOnly(8000, 8000));
        Path out = dir.resolve("x.mp4");
        CliRun r = CliRun.of("generate", "--first", bomb.toString(), "--last", side.toString(), "--reference",
                mp.toString(), "--size", "96x64", "--num-frames", "6", "-o", out.toString());
        // the engine's words, after the option
        assertBadInput(r, "error: --first " + CliImages.refusal(bomb), "error: --last " + CliImages.refusal(side),
                "error: --reference " + CliImages.refusal(mp));
        assertThat(CliImages.refusal(bomb)).contains(bomb + " is a PNG image of 30000x30000 pixels", "16384 px");
        assertThat(CliImages.refusal(mp)).contains("8000x8000", "64.0 megapixels", "at most 50.0");
        assertThat(r.err()).doesNotContain("corrupt");
        assertThat(out).doesNotExist();
    }

    // ---- no native library's message reaches the user

    /** A still WebP of the example scene wrapped as a one-frame animation (VP8X with its animation flag, ANIM, ANMF). */
    static byte[] animatedWebp() throws Exception {
        Path png = Files.createTempFile("scene", ".png");
        try {
            ImageIO.write(new ExampleScene(7).view(64, 48, 0, 0), "png", png.toFile());
            Mat m = ImageDecoder.decode(new InputImage(ImageRole.FIRST_FRAME, Files.readAllBytes(png), null, "scene"));
            byte[] still = ImageDecoder.encode(".webp", m);
            m.release();
            byte[] frame = Arrays.copyOfRange(still, 12, still.length); // its VP8/VP8L chunk
            byte[] vp8x = new byte[10]; // flags (animation), 3 reserved, canvas width-1 and height-1
            vp8x[0] = 0x02;
            put24(vp8x, 4, 63);
            put24(vp8x, 7, 47);
            byte[] anmf = new byte[16 + frame.length]; // X, Y, width-1, height-1, duration (3 bytes each), flags, frame
            put24(anmf, 6, 63);
            put24(anmf, 9, 47);
            put24(anmf, 12, 100);
            System.arraycopy(frame, 0, anmf, 16, frame.length);
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            body.writeBytes("WEBP".getBytes());
            body.writeBytes(riffChunk("VP8X", vp8x));
            body.writeBytes(riffChunk("ANIM", new byte[6]));
            body.writeBytes(riffChunk("ANMF", anmf));
            byte[] b = body.toByteArray();
            ByteArrayOutputStream riff = new ByteArrayOutputStream();
            riff.writeBytes("RIFF".getBytes());
            riff.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(b.length).array());
            riff.writeBytes(b);
            return riff.toByteArray();
        } finally {
            Files.deleteIfExists(png);
        }
    }

    private static void put24(byte[] b, int at, int v) {
        b[at] = (byte) v;
        b[at + 1] = (byte) (v >> 8);
        b[at + 2] = (byte) (v >> 16);
    }

    private static byte[] riffChunk(String type, byte[] data) {
        ByteBuffer c = ByteBuffer.allocate(8 + data.length + (data.length & 1)).order(ByteOrder.LITTLE_ENDIAN);
        c.put(type.getBytes()).putInt(data.length).put(data);
        return c.array();
    }

    /**
     * In a process of its own, as a user runs it (the natives write to the process's stderr, which an in-process run
     * cannot capture): an animated WebP (OpenCV logs why it cannot read it), a PNG whose pixel data is not deflate
     * (libpng's error), a JPEG cut short (libjpeg's warning, and before this a video made of it) and a TIFF whose
     * header declares 99 bits per sample (OpenCV logs its decoder's exception) give the CLI's four error lines and
     * nothing else.
     */
    @Test
    void nativeLibraryMessagesDoNotReachTheUser() throws Exception {
        Path anim = Files.write(dir.resolve("anim.webp"), animatedWebp());
        Path png = Files.write(dir.resolve("broken.png"), CliImages.corruptPng());
        byte[] jpeg = Files.readAllBytes(jpegOfScene());
        Path cut = Files.write(dir.resolve("cut.jpg"), Arrays.copyOf(jpeg, jpeg.length * 2 / 3));
        Path tiff = Files.write(dir.resolve("damaged.tif"), damagedTiff());
        Path out = dir.resolve("x.mp4");
        Path err = dir.resolve("stderr.txt");
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-cp", cp, Main.class.getName(), "generate",
                "--first", anim.toString(), "--last", png.toString(), "--reference", cut.toString(),
                "--reference", tiff.toString(), "--size", "96x64", "--num-frames", "6", "-o", out.toString())
                .redirectOutput(dir.resolve("stdout.txt").toFile()).redirectError(err.toFile()).start();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        String text = Files.readString(err);
        assertThat(p.exitValue()).as(text).isEqualTo(2);
        assertThat(text).contains("error: --first " + CliImages.refusal(anim), "error: --last " + CliImages.refusal(png),
                "error: --reference " + CliImages.refusal(cut), "error: --reference " + CliImages.refusal(tiff));
        List<String> lines = text.lines().filter(l -> !l.isBlank()).toList();
        assertThat(lines).as(text).allMatch(l -> l.startsWith("error: "));
        assertThat(text).doesNotContain("OpenCV", "[ERROR", "libpng", "Corrupt JPEG", "Premature end");
        assertThat(out).doesNotExist();
    }

    /** A little-endian TIFF whose one directory declares 64x48 RGB at 99 bits per sample. */
    static byte[] damagedTiff() {
        int[][] entries = {{256, 3, 1, 64}, {257, 3, 1, 48}, {258, 3, 1, 99}, {262, 3, 1, 2}, {273, 4, 1, 9999},
                {277, 3, 1, 3}, {279, 4, 1, 100}};
        ByteBuffer b = ByteBuffer.allocate(8 + 2 + 12 * entries.length + 4).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {'I', 'I', 42, 0}).putInt(8).putShort((short) entries.length);
        for (int[] e : entries) b.putShort((short) e[0]).putShort((short) e[1]).putInt(e[2]).putInt(e[3]);
        return b.putInt(0).array();
    }

    private Path jpegOfScene() throws IOException {
        Path p = dir.resolve("scene.jpg");
        ImageIO.write(new ExampleScene(7).view(96, 64, 0, 0), "jpg", p.toFile());
        return p;
    }

    // ---- interpolate checks every frame before any work

    @Test
    void interpolateNamesEveryBadFrameAtOnceBeforeAnyWork() throws IOException {
        Path seq = Files.createDirectories(dir.resolve("seq"));
        byte[] good = Files.readAllBytes(scene("a.png", 96, 64));
        Files.write(seq.resolve("f01.png"), good);
        Files.write(seq.resolve("f02.png"), Arrays.copyOf(good, good.length / 2)); // cut short
        Files.write(seq.resolve("f03.png"), good);
        Files.write(seq.resolve("f04.png"), CliImages.corruptPng()); // pixel data that is not deflate
        Files.copy(scene("small.png", 64, 48), seq.resolve("f05.png")); // another size
        Files.write(seq.resolve("f06.png"), CliImages.pngHeaderOnly(30_000, 30_000)); // a bomb
        Files.write(seq.resolve("f07.png"), good);
        Files.write(seq.resolve("f08.png"), CliImages.pngWithRowFilter(7)); // whole, but a row filter PNG does not define
        Path out = dir.resolve("i.mp4");
        CliRun r = CliRun.of("interpolate", "--input", seq.toString(), "-o", out.toString());
        assertBadInput(r,
                "error: " + CliImages.refusal(seq.resolve("f02.png")),
                "error: " + CliImages.refusal(seq.resolve("f04.png")),
                seq.resolve("f05.png") + ": 64x48, but the first frame is 96x64",
                "error: " + CliImages.refusal(seq.resolve("f06.png")),
                "error: " + CliImages.refusal(seq.resolve("f08.png")));
        assertThat(CliImages.refusal(seq.resolve("f02.png"))).contains("f02.png is a damaged or truncated PNG image");
        assertThat(r.err()).doesNotContain("f01.png").doesNotContain("f03.png").doesNotContain("f07.png");
        assertThat(r.err().lines().filter(l -> l.startsWith("error: "))).hasSize(5);
        assertThat(out).doesNotExist();
    }

    /** Frame sizes are compared as decoded: a JPEG whose EXIF orientation turns it a quarter counts turned. */
    @Test
    void aJpegFrameTurnedByItsExifOrientationIsComparedTurned() throws IOException {
        Path seq = Files.createDirectories(dir.resolve("seq"));
        Path stored = dir.resolve("stored.jpg");
        ImageIO.write(new ExampleScene(7).view(96, 64, 0, 0), "jpg", stored.toFile());
        byte[] jpeg = Files.readAllBytes(stored);
        byte[] exif = {(byte) 0xff, (byte) 0xe1, 0, 34, 'E', 'x', 'i', 'f', 0, 0, 'M', 'M', 0, 42, 0, 0, 0, 8, 0, 1,
                0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 6, 0, 0, 0, 0, 0, 0}; // one IFD entry: Orientation = 6 (turn right)
        ByteArrayOutputStream turned = new ByteArrayOutputStream();
        turned.write(jpeg, 0, 2);
        turned.writeBytes(exif);
        turned.write(jpeg, 2, jpeg.length - 2);
        Files.write(seq.resolve("f01.jpg"), turned.toByteArray());
        ImageIO.write(new ExampleScene(7).view(64, 96, 0.1, 0), "png", seq.resolve("f02.png").toFile());
        Path out = dir.resolve("i.mp4");
        CliRun r = CliRun.of("interpolate", "--input", seq.toString(), "-o", out.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("64x96");

        ImageIO.write(new ExampleScene(7).view(96, 64, 0.1, 0), "png", seq.resolve("f02.png").toFile());
        assertBadInput(CliRun.of("interpolate", "--input", seq.toString(), "-o", dir.resolve("j.mp4").toString()),
                "f02.png: 96x64, but the first frame is 64x96");
    }
}
