package io.framegate.cli;

import io.framegate.domain.ImageLimits;
import io.framegate.domain.GenerationException;
import io.framegate.domain.InputImage;
import io.framegate.engine.ImageHeader;
import io.framegate.engine.ImageInfo;
import io.framegate.engine.LocalEngine;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The image files a command reads ({@code generate --first/--last/--reference}, {@code interpolate}'s frames), read
 * within the engine's byte cap ({@link ImageLimits#DEFAULTS}' {@code maxRequestBytes}, 64 MiB): a regular file over it
 * is refused by its size before a byte is read, and anything else (a device, a FIFO, a process substitution) is read
 * only up to the cap. A problem is named after {@code label} (the option and the file) and added to the list.
 */
final class ImageFiles {
    /** The most bytes one image file may hold: the engine's cap on the encoded images of one request. */
    static final long MAX_BYTES = ImageLimits.DEFAULTS.maxRequestBytes();
    /** Enough of a file for {@code ImageHeader.formatOf}. */
    private static final int SIGNATURE = 12;

    private ImageFiles() {
    }

    /**
     * The file's bytes, or null with the problem added. Bytes that do not start like an image are returned after the
     * first {@value #SIGNATURE} (a device such as {@code /dev/zero} is not read on): the caller's format check names them.
     */
    static byte[] read(String label, Path file, List<String> problems) {
        try {
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
            if (a.isDirectory()) {
                problems.add(label + ": is a directory, not an image file");
                return null;
            }
            if (a.isRegularFile() && a.size() > MAX_BYTES) {
                problems.add(label + ": is " + a.size() + " bytes (" + mib(a.size()) + "); an image file may be at most "
                        + capText());
                return null;
            }
            try (InputStream in = Files.newInputStream(file)) {
                byte[] head = in.readNBytes(SIGNATURE);
                if (head.length < SIGNATURE || !ImageHeader.decodable(ImageHeader.formatOf(head))) {
                    return head;
                }
                // bounded whatever the file is: a regular file may have grown since its size was read
                byte[] rest = in.readNBytes((int) (MAX_BYTES - SIGNATURE));
                if (in.read() != -1) {
                    problems.add(label + ": holds more than " + capText() + ", the most an image file may hold");
                    return null;
                }
                byte[] all = Arrays.copyOf(head, SIGNATURE + rest.length);
                System.arraycopy(rest, 0, all, SIGNATURE, rest.length);
                return all;
            }
        } catch (NoSuchFileException e) {
            problems.add(label + ": file not found");
        } catch (AccessDeniedException e) {
            problems.add(label + ": permission denied");
        } catch (IOException e) {
            problems.add(label + ": cannot read (" + e.getMessage() + ")");
        }
        return null;
    }

    /**
     * The image checked before any decoder sees it ({@link ImageHeader}, as the API's intake does): null, with the
     * problem added, when the bytes are not an image the engine decodes, the header's size is over the pixel caps
     * ({@link ImageLimits#DEFAULTS}: the side and megapixel caps, named with the image's size), or a PNG, JPEG or WebP
     * is damaged (PNG chunks, checksums and pixel data; JPEG segments and scans up to the end-of-image marker; WebP
     * chunk sizes). BMP, TIFF and GIF are refused by name, as the API refuses them.
     */
    static ImageHeader check(String label, byte[] bytes, List<String> problems) {
        String format = ImageHeader.formatOf(bytes);
        if (!ImageHeader.decodable(format)) {
            problems.add(label + ": " + notDecodable(format));
            return null;
        }
        String name = format.toUpperCase(Locale.ROOT);
        ImageHeader h;
        try {
            h = ImageHeader.read(bytes);
        } catch (ImageHeader.InvalidImageException e) {
            problems.add(label + ": " + damaged(name, "its header cannot be read"));
            return null;
        }
        String tooLarge = ImageLimits.DEFAULTS.pixelProblem(h.width(), h.height());
        if (tooLarge != null) {
            problems.add(label + ": is a " + name + " image too large to use: " + tooLarge);
            return null;
        }
        try {
            ImageHeader.check(bytes, ImageLimits.DEFAULTS);
        } catch (ImageHeader.InvalidImageException e) {
            String why = e.getMessage().startsWith("is ") ? e.getMessage().substring(3) : e.getMessage();
            problems.add(label + ": " + (e.kind() == ImageHeader.InvalidImageException.Kind.CORRUPT ? damaged(name, why)
                    : e.getMessage()));
            return null;
        }
        return h;
    }

    /** Bytes that are no image the engine decodes: unknown, or a format named ("is a BMP image, which is not ..."). */
    private static String notDecodable(String format) {
        return format == null ? "not a readable image (PNG, JPEG or WebP)"
                : "is a " + format.toUpperCase(Locale.ROOT) + " image, which is not a PNG, JPEG or WebP image";
    }

    private static String damaged(String format, String why) {
        return "is a " + format + " by its signature but cannot be decoded (" + why + "); give a readable PNG, JPEG or WebP";
    }

    /**
     * The image decoded once by the engine ({@link LocalEngine#probe}), for what the checks above cannot see (a PNG row
     * filter, a palette image without its palette): its size as the decoder gives it (EXIF orientation applied), or
     * null with the problem added. OpenCV's own log is silenced first.
     */
    static ImageInfo decodes(String label, InputImage image, List<String> problems) {
        OpenCvLog.silence();
        try {
            return LocalEngine.probe(image);
        } catch (GenerationException e) {
            String format = ImageHeader.formatOf(image.bytes());
            problems.add(label + ": " + (!ImageHeader.decodable(format) ? notDecodable(format)
                    : damaged(format.toUpperCase(Locale.ROOT), "corrupt or truncated")));
            return null;
        }
    }

    /** The cap as the messages say it: {@code 67108864 bytes (64 MiB)}. */
    static String capText() {
        return MAX_BYTES + " bytes (" + mib(MAX_BYTES) + ")";
    }

    private static String mib(long bytes) {
        double m = bytes / (1024.0 * 1024);
        return m == Math.rint(m) ? (long) m + " MiB" : String.format(java.util.Locale.ROOT, "%.1f MiB", m);
    }
}
