package io.framegate.cli;

import io.framegate.domain.GenerationException;
import io.framegate.domain.ImageRole;
import io.framegate.domain.InputImage;
import io.framegate.engine.ImageDecoder;

import javax.imageio.ImageIO;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/** Images for the CLI's tests, and what the engine says of them. */
final class CliImages {
    static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', 0x0d, 0x0a, 0x1a, 0x0a};

    private CliImages() {
    }

    /** The example scene at {@code w x h}, written as a PNG to {@code file}. */
    static Path scene(Path file, int w, int h) throws IOException {
        ImageIO.write(new ExampleScene(7).view(w, h, 0, 0), "png", file.toFile());
        return file;
    }

    /** The engine's refusal of the file (its check, then its decoder), named by its path as the CLI names it. */
    static String refusal(Path file) throws IOException {
        try {
            ImageDecoder.decode(new InputImage(ImageRole.FIRST_FRAME, Files.readAllBytes(file), null, file.toString()))
                    .release();
        } catch (GenerationException e) {
            return e.getMessage();
        }
        throw new AssertionError(file + " decodes");
    }

    /** A PNG with a valid signature, header and checksums whose pixel data is not a deflate stream. */
    static byte[] corruptPng() {
        byte[] junk = new byte[300];
        new java.util.Random(3).nextBytes(junk);
        return rgbPng(64, 48, junk);
    }

    /** A PNG whose header says {@code w x h} (RGB, 8 bits) with a few bytes of pixel data: a bomb if large. */
    static byte[] pngHeaderOnly(int w, int h) {
        return rgbPng(w, h, deflate(new byte[4096]));
    }

    /** An 8x8 RGB PNG, whole (checksums, pixel data of the right length), each row with filter type {@code filter}. */
    static byte[] pngWithRowFilter(int filter) {
        byte[] raw = new byte[8 * (1 + 8 * 3)];
        for (int y = 0; y < 8; y++) raw[y * 25] = (byte) filter;
        return rgbPng(8, 8, deflate(raw));
    }

    /** An 8-bit RGB PNG whose header says {@code w x h}, with {@code idat} as its pixel data, as given. */
    private static byte[] rgbPng(int w, int h, byte[] idat) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(PNG_SIGNATURE);
        chunk(out, "IHDR", ByteBuffer.allocate(13).putInt(w).putInt(h).put((byte) 8).put((byte) 2).put((byte) 0)
                .put((byte) 0).put((byte) 0).array());
        chunk(out, "IDAT", idat);
        chunk(out, "IEND", new byte[0]);
        return out.toByteArray();
    }

    private static byte[] deflate(byte[] raw) {
        Deflater d = new Deflater();
        d.setInput(raw);
        d.finish();
        ByteArrayOutputStream z = new ByteArrayOutputStream();
        byte[] buf = new byte[4096];
        while (!d.finished()) z.write(buf, 0, d.deflate(buf));
        d.end();
        return z.toByteArray();
    }

    private static void chunk(ByteArrayOutputStream out, String type, byte[] data) {
        CRC32 crc = new CRC32();
        crc.update(type.getBytes());
        crc.update(data);
        out.writeBytes(ByteBuffer.allocate(4).putInt(data.length).array());
        out.writeBytes(type.getBytes());
        out.writeBytes(data);
        out.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }
}
