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
}
