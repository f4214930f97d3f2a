package io.framegate.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** What a benchmark run records about where it ran: machine, tools, commit, load, and whether the scorer agrees with FFmpeg. */
final class BenchEnvironment {
    private BenchEnvironment() {
    }

    /** Prints and records how the Java scorer compares with FFmpeg's filters on real benchmark images. */
    static void scorerCheck(Report report, List<BenchCase> todo) {
        List<Path[]> checks = new ArrayList<>();
        for (BenchCase c : todo) {
            Pair p = c.pairs().getFirst();
            checks.add(new Path[] {p.first(), p.truth().getFirst()});
            if (c.middlebury()) {
                c.pairs().stream().filter(x -> x.label().equals("Dimetrodon")).findFirst()
                        .ifPresent(x -> checks.add(new Path[] {x.first(), x.truth().getFirst()}));
            }
            if (checks.size() >= 3) break;
        }
        for (Path[] ab : checks) {
            Rgb a = Rgb.read(ab[0]), b = Rgb.read(ab[1]);
            FfmpegMetrics.Result ff = FfmpegMetrics.measure(ab[0], ab[1]);
            double p = Metrics.psnr(a, b), s = Metrics.ssim(a, b);
            boolean ok = Math.abs(p - ff.psnr()) < 0.006 && Math.abs(s - ff.ssim()) < 2e-6;
            String line = String.format(Locale.ROOT, "scorer vs ffmpeg psnr/ssim filters on %s vs %s (%dx%d): PSNR %.4f vs %.2f, SSIM %.6f vs %.6f: %s",
                    rel(ab[0]), rel(ab[1]), a.width(), a.height(), p, ff.psnr(), s, ff.ssim(), ok ? "agree" : "DISAGREE");
            System.out.println(line);
            report.check(line);
        }
    }

    static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+")[0];
        } catch (IOException e) {
            return "?";
        }
    }

    static boolean busy(String... loads) {
        for (String l : loads) {
            try {
                if (Double.parseDouble(l) > Runtime.getRuntime().availableProcessors()) return true;
            } catch (NumberFormatException e) {
                return false;
            }
        }
        return false;
    }

    private static String rel(Path p) {
        int n = p.getNameCount();
        return p.subpath(Math.max(0, n - 2), n).toString();
    }

    /** Records the machine, tools and commit the run used. */
    static void record(Report report, int width, int height) {
        report.environment("date", LocalDateTime.now().format(DateTimeFormatter.ISO_LOCAL_DATE_TIME));
        report.environment("size", width + "x" + height);
        try {
            String cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .findFirst().map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse("?");
            report.environment("cpu", Runtime.getRuntime().availableProcessors() + " x " + cpu
                    + " (shared with other work)");
        } catch (IOException e) {
            report.environment("cpu", Runtime.getRuntime().availableProcessors() + " cores");
        }
        report.environment("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        report.environment("ffmpeg", FfmpegPeer.version());
        report.environment("povray", Proc.run(null, "povray", "--version").lines()
                .filter(l -> l.startsWith("POV-Ray")).findFirst().orElse("?"));
        try {
            String head = Proc.run(null, "git", "rev-parse", "--short", "HEAD").trim();
            String dirty = Proc.run(null, "git", "status", "--porcelain", "--untracked-files=no").isBlank() ? "" : " (with uncommitted changes)";
            report.environment("commit", head + dirty);
        } catch (IllegalStateException e) {
            report.environment("commit", "unknown (not a git checkout)");
        }
    }
}
