package io.framegate.cli;

import io.framegate.domain.GenerationException;
import io.framegate.domain.ImageLimits;
import io.framegate.domain.InputImage;
import io.framegate.engine.ImageDecoder;
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

/**
 * The image files a command reads ({@code generate --first/--last/--reference}, {@code interpolate}'s frames), read
 * within the engine's byte cap ({@link ImageLimits#DEFAULTS}' {@code maxRequestBytes}, 64 MiB): a regular file over it
 * is refused by its size before a byte is read, and anything else (a device, a FIFO, a process substitution) is read
 * only up to the cap. A problem is named after {@code label} (the option and the file) and added to the list; what
 * the engine refuses in an image is said in its words ({@link #check}).
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
     * first {@value #SIGNATURE} (a device such as {@code /dev/zero} is not read on): the engine's check names them.
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
     * The image checked whole by the engine ({@link ImageDecoder#check}, as the API's intake checks it: PNG, JPEG or
     * WebP, the header's size within the pixel caps, the whole file sound), marked so that nothing walks it again; or
     * null with the engine's refusal added, after {@code option} when there is one (the refusal names the file).
     */
    static InputImage check(String option, InputImage image, List<String> problems) {
        try {
            return ImageDecoder.check(image);
        } catch (GenerationException e) {
            problems.add(prefixed(option, e));
            return null;
        }
    }

    /**
     * The image decoded once by the engine ({@link LocalEngine#probe}), for what the check cannot see: its size as the
     * decoder gives it (EXIF orientation applied), or null with the engine's refusal added as above.
     */
    static ImageInfo decodes(String option, InputImage image, List<String> problems) {
        try {
            return LocalEngine.probe(image);
        } catch (GenerationException e) {
            problems.add(prefixed(option, e));
            return null;
        }
    }

    private static String prefixed(String option, GenerationException e) {
        return option == null ? e.getMessage() : option + " " + e.getMessage();
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
