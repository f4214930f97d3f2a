package io.framegate.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * PSNR and SSIM of two PNGs as FFmpeg's {@code psnr} and {@code ssim} filters report them (both inputs converted to
 * planar RGB first, losslessly): the reference the Java {@link Metrics} are checked against.
 *
 * <p>SSIM runs with {@code -cpuflags 0}, i.e. FFmpeg's C reference code: in FFmpeg 5.1 the x86 SIMD path of the
 * {@code ssim} filter counts one extra, partly out-of-image window per row when the number of 8x8 windows per row is
 * 1 modulo 4 (plane widths 24, 40, ..., 120-123, 584 - Middlebury's Dimetrodon, Hydrangea and RubberWhale), which
 * raises SSIM by up to 0.1 there; the C code and the x86 path agree at every other width, including 1280 and 640.
 */
public final class FfmpegMetrics {
    private static final Pattern PSNR_AVG = Pattern.compile("psnr_avg:(\\S+)");
    private static final Pattern MSE_AVG = Pattern.compile("mse_avg:(\\S+)");
    private static final Pattern SSIM_ALL = Pattern.compile("All:(\\S+)");

    /**
     * @param mse  mean squared error over R, G, B ({@code mse_avg}, printed with two decimals)
     * @param psnr dB ({@code psnr_avg}, two decimals; infinite for identical images)
     * @param ssim the {@code All} value (six decimals)
     */
    public record Result(double mse, double psnr, double ssim) {
    }

    private FfmpegMetrics() {
    }

    public static Result measure(Path main, Path reference) {
        try {
            Path dir = Files.createTempDirectory("fg-bench-ffmetrics");
            try {
                Path psnrLog = dir.resolve("psnr.log"), ssimLog = dir.resolve("ssim.log");
                filter(main, reference, "psnr=stats_file=" + psnrLog.getFileName(), dir, false);
                filter(main, reference, "ssim=stats_file=" + ssimLog.getFileName(), dir, true);
                String p = Files.readString(psnrLog), s = Files.readString(ssimLog);
                return new Result(number(MSE_AVG, p), number(PSNR_AVG, p), number(SSIM_ALL, s));
            } finally {
                try (var files = Files.list(dir)) {
                    for (Path f : files.toList()) Files.delete(f);
                }
                Files.delete(dir);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void filter(Path main, Path reference, String filter, Path dir, boolean cReference) {
        // the filter runs with dir as working directory so that the stats file name needs no escaping
        List<String> cmd = new ArrayList<>(List.of("ffmpeg", "-nostdin", "-v", "error"));
        if (cReference) cmd.addAll(List.of("-cpuflags", "0"));
        cmd.addAll(List.of("-i", main.toAbsolutePath().toString(), "-i", reference.toAbsolutePath().toString(),
                "-lavfi", "[0]format=gbrp[a];[1]format=gbrp[b];[a][b]" + filter, "-f", "null", "-"));
        Proc.run(dir, cmd);
    }

    private static double number(Pattern p, String text) {
        Matcher m = p.matcher(text);
        if (!m.find()) throw new IllegalStateException("ffmpeg stats without " + p + ": " + text);
        String v = m.group(1);
        return v.equals("inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(v);
    }
}
