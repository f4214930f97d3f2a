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
import java.util.zip.CRC32;
import java.util.zip.Deflater;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The image files of {@code generate} and {@code interpolate} as README.md's CLI section promises: a file over the
 * engine's byte cap, a device or a FIFO, a pixel bomb, a damaged file or a frame unlike the others is bad input (exit
 * 2, every problem named at once, nothing written), found before any work and without reading more than the cap, and
 * what the user sees is the CLI's own error line, never a Java error or a native library's message.
 */
class CliImageInputTest {
    private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', 0x0d, 0x0a, 0x1a, 0x0a};

    @TempDir
    Path dir;

    private Path scene(String name, int w, int h) throws IOException {
        Path p = dir.resolve(name);
        ImageIO.write(new ExampleScene(7).view(w, h, 0, 0), "png", p.toFile());
        return p;
    }

    /** A sparse file of {@code length} bytes that starts with a PNG signature: cheap however large. */
    private Path sparsePng(Path p, long length) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "rw")) {
            f.write(PNG_SIGNATURE);
            f.setLength(length);
        }
        return p;
    }

    private static void assertBadInput(CliRun r, String... parts) {
        assertThat(r.code()).as(r.err()).isEqualTo(2);
        for (String p : parts) assertThat(r.err()).contains(p);
        assertThat(r.err()).doesNotContain("Exception").doesNotContain("Error:").doesNotContain("\tat ");
        assertThat(r.err()).as("refused before any work").doesNotContain("progress");
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
                o.write(PNG_SIGNATURE);
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

    /** A PNG whose header says {@code w x h} (RGB, 8 bits) with a few bytes of pixel data: a bomb if large. */
    static byte[] pngHeaderOnly(int w, int h) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(PNG_SIGNATURE);
        chunk(out, "IHDR", ByteBuffer.allocate(13).putInt(w).putInt(h).put((byte) 8).put((byte) 2).put((byte) 0)
                .put((byte) 0).put((byte) 0).array());
        Deflater d = new Deflater();
        d.setInput(new byte[4096]);
        d.finish();
        byte[] z = new byte[256];
        chunk(out, "IDAT", Arrays.copyOf(z, d.deflate(z)));
        chunk(out, "IEND", new byte[0]);
        return out.toByteArray();
    }

    static void chunk(ByteArrayOutputStream out, String type, byte[] data) {
        CRC32 crc = new CRC32();
        crc.update(type.getBytes());
        crc.update(data);
        out.writeBytes(ByteBuffer.allocate(4).putInt(data.length).array());
        out.writeBytes(type.getBytes());
        out.writeBytes(data);
        out.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }

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
        Path bomb = Files.write(dir.resolve("bomb.png"), pngHeaderOnly(30_000, 30_000));
        Path side = Files.write(dir.resolve("side.png"), pngHeaderOnly(16_385, 2));
        Path mp = Files.write(dir.resolve("big.jpg"), jpegHeaderOnly(8000, 8000));
        Path out = dir.resolve("x.mp4");
        CliRun r = CliRun.of("generate", "--first", bomb.toString(), "--last", side.toString(), "--reference",
                mp.toString(), "--size", "96x64", "--num-frames", "6", "-o", out.toString());
        assertBadInput(r,
                "--first " + bomb + ": is a PNG image too large to use: 30000x30000 has a side over 16384 px",
                "--last " + side + ": is a PNG image too large to use: 16385x2 has a side over 16384 px",
                "--reference " + mp + ": is a JPEG image too large to use: 8000x8000 is 64.0 megapixels; at most 50.0 are allowed");
        assertThat(r.err()).doesNotContain("corrupt");
        assertThat(out).doesNotExist();
    }
}
