package io.framegate.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The benchmark command ({@code bench/run.sh}): the offline engine against FFmpeg's {@code minterpolate} (best of
 * several variants) and a cross-fade, on the same keyframe PNGs, scored by one scorer, printed as one table and
 * written to {@code bench/results/<date>.md}, with a side-by-side strip per case.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Offline engine vs ffmpeg minterpolate and cross-fade: quality (PSNR/SSIM/IE) and whole-command speed.")
public final class Main implements Callable<Integer> {
    static final List<String> ALL_CASES = Cases.allNames();
    /** What --cases may name: the default run's cases and the check set's. */
    static final List<String> NAMEABLE = nameable();

    private static List<String> nameable() {
        List<String> all = new ArrayList<>(ALL_CASES);
        all.addAll(Cases.checkNames());
        return List.copyOf(all);
    }

    @Option(names = "--repo", defaultValue = ".", description = "Repository root (default: current directory).")
    Path repo;

    @Option(names = "--size", defaultValue = "1280x720", description = "Rendered scene size, WIDTHxHEIGHT (default: ${DEFAULT-VALUE}).")
    String size;

    @Option(names = "--cases", split = ",", description = "Cases to run (default: all): case names (${COMPLETION-CANDIDATES}), "
            + "source names (orbit = orbit-2x,orbit-4x,orbit-gap), tuning, held-out, or check (more footage, "
            + "not in the default run).",
            completionCandidates = CaseNames.class)
    List<String> cases = new ArrayList<>(ALL_CASES);

    @Option(names = "--out", description = "Output directory for frames and strips (default: bench/.out/<timestamp>).")
    Path out;

    @Option(names = "--results", description = "Directory of the markdown results (default: bench/results); 'none' to skip.")
    String results;

    @Option(names = "--skip-engine", description = "Run only the ffmpeg peers (to check the harness).")
    boolean skipEngine;

    @Option(names = "--no-timing", description = "Quality only: skip the timed whole commands (a quick look, or a loaded machine).")
    boolean noTiming;

    @Option(names = "--repeat", defaultValue = "2",
            description = "Runs of each timed whole command; the fastest counts, to damp load from other work (default: ${DEFAULT-VALUE}).")
    int repeat;

    static final class CaseNames extends ArrayList<String> {
        CaseNames() {
            super(NAMEABLE);
        }
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new Main()).execute(args));
    }

    /** Expands source names and halves into case names, in benchmark order. */
    static List<String> expand(List<String> asked) {
        List<String> out = new ArrayList<>();
        for (String name : NAMEABLE) {
            String source = name.equals("middlebury") ? name : name.substring(0, name.lastIndexOf('-'));
            for (String a : asked) {
                if (a.equals(name) || a.equals(source) || a.equals(Cases.splitOf(name).label())) {
                    out.add(name);
                    break;
                }
            }
        }
        return out;
    }

    @Override
    public Integer call() {
        for (String c : cases) {
            if (expand(List.of(c)).isEmpty()) throw new CommandLine.ParameterException(new CommandLine(this),
                    "--cases=" + c + " is not a case, source or half; allowed: tuning, held-out, check, "
                            + String.join(", ", NAMEABLE));
        }
        boolean everything = cases.equals(ALL_CASES);
        cases = expand(cases);
        String[] wh = size.toLowerCase(Locale.ROOT).split("x");
        int width, height;
        try {
            width = Integer.parseInt(wh[0]);
            height = Integer.parseInt(wh[1]);
        } catch (RuntimeException e) {
            throw new CommandLine.ParameterException(new CommandLine(this), "--size=" + size + " is not WIDTHxHEIGHT, e.g. 1280x720");
        }
        if (width % 8 != 0 || height % 8 != 0 || width < 64 || height < 64) {
            throw new CommandLine.ParameterException(new CommandLine(this),
                    "--size=" + size + " must be at least 64x64 with both sides multiples of 8");
        }
        if (repeat < 1 || repeat > 10) {
            throw new CommandLine.ParameterException(new CommandLine(this), "--repeat=" + repeat + " is not allowed; allowed: 1..10");
        }
        for (String tool : List.of("ffmpeg", "povray")) {
            if (!Proc.available(tool)) {
                System.err.println("bench: " + tool + " is not installed (bench/run.sh installs it: apt-get install -y ffmpeg povray)");
                return 2;
            }
        }
        if (!Files.isExecutable(Path.of("/usr/bin/time"))) {
            System.err.println("bench: /usr/bin/time (GNU time) is needed for wall time and peak memory: apt-get install -y time");
            return 2;
        }
        String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        Path outDir = out != null ? out : repo.resolve("bench/.out").resolve(stamp);
        long t0 = System.nanoTime();

        Report report = new Report();
        BenchEnvironment.record(report, width, height);
        String loadStart = BenchEnvironment.loadAverage();
        EngineHarness engine = skipEngine ? null : new EngineHarness(repo.resolve("framegate"));
        report.environment("engine quality runs", skipEngine ? "skipped (--skip-engine)"
                : EngineHarness.ENGINE_MAIN + " in a fresh JVM, model framegate-local, easing=linear, every frame dumped as PNG"
                + " (pair cases); the timed interpolate command with --frames (sequence cases)");
        report.environment("engine whole command (timed)", skipEngine ? "skipped" : engine.describe());
        report.environment("timing", "each whole command run " + repeat + " time(s), the fastest run counts");

        SceneRenderer renderer = new SceneRenderer(repo.resolve("bench/scenes"), repo.resolve("bench/.cache"));
        List<BenchCase> todo = new ArrayList<>();
        Footage footage = null;
        for (Cases.Source src : Cases.sources()) {
            List<String> gaps = Cases.GAPS.stream().filter(g -> cases.contains(src.name() + "-" + g)).toList();
            if (gaps.isEmpty()) continue;
            List<Path> frames;
            if (Cases.RENDERED.contains(src)) {
                frames = renderer.frames(src.name(), width, height);
            } else {
                if (footage == null) {
                    Path video = Cases.findData(repo, Footage.FILE);
                    if (video == null) {
                        System.out.println(src.name() + ": " + Footage.FILE + " not found ($FRAMEGATE_DATA, ../shared/data); skipped");
                        continue;
                    }
                    report.environment("footage", video.toString());
                    footage = new Footage(video, repo.resolve("bench/.cache"));
                }
                frames = footage.window(Integer.parseInt(src.name().substring(src.name().lastIndexOf('-') + 1)));
            }
            for (String g : gaps) todo.add(Cases.of(src, g, frames));
        }
        if (cases.contains("middlebury")) {
            Path mb = Cases.findMiddlebury(repo);
            if (mb == null) {
                System.out.println("middlebury: data not found ($FRAMEGATE_DATA/middlebury-other, ../shared/data/middlebury-other); skipped");
            } else {
                todo.add(Cases.middlebury(mb));
                report.environment("Middlebury data", mb.toString());
            }
        }
        report.environment("split", "tuning: " + String.join(", ", splitNames(Cases.Split.TUNING)) + "; held-out: "
                + String.join(", ", splitNames(Cases.Split.HELD_OUT)) + "; check (--cases check only): "
                + String.join(", ", splitNames(Cases.Split.CHECK)));
        BenchEnvironment.scorerCheck(report, todo);

        for (BenchCase c : todo) {
            System.out.printf("%n== %s: %s (%d pair(s), %d in-betweens)%n", c.name(), c.description(), c.pairs().size(), c.inBetweens());
            report.add(new CaseRun(c, outDir.resolve(c.name()), engine, report, repeat).result(!noTiming));
        }

        String loadEnd = BenchEnvironment.loadAverage();
        report.environment("load average (1 min) at start / end", loadStart + " / " + loadEnd + " on "
                + Runtime.getRuntime().availableProcessors() + " cores");
        System.out.println();
        System.out.println(report.console());
        System.out.printf("load average at start / end: %s / %s on %d cores%s%n", loadStart, loadEnd,
                Runtime.getRuntime().availableProcessors(), BenchEnvironment.busy(loadStart, loadEnd)
                        ? " - the machine was busy with other work: wall times are inflated and noisy, CPU times less so" : "");
        if (engine != null) System.out.println("engine whole command = " + engine.describe());
        System.out.printf("strips and frames: %s%n", outDir.toAbsolutePath().normalize());
        report.environment("bench wall time", String.format(Locale.ROOT, "%.0f s", (System.nanoTime() - t0) / 1e9));
        if (!"none".equals(results)) {
            Path dir = results != null ? Path.of(results) : repo.resolve("bench/results");
            String suffix = width == 1280 && height == 720 ? "" : "-" + width + "x" + height;
            if (!everything) suffix += "-" + (cases.size() > 6 ? cases.size() + "-cases" : String.join("+", cases));
            Path md = dir.resolve(LocalDate.now() + suffix + ".md");
            try {
                Files.createDirectories(dir);
                Files.writeString(md, report.markdown("Engine benchmark " + LocalDate.now() + " (" + width + "x" + height + ")"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            System.out.printf("results: %s%n", md.toAbsolutePath().normalize());
        }
        return 0;
    }

    private static List<String> splitNames(Cases.Split split) {
        List<String> names = new ArrayList<>();
        for (Cases.Source s : Cases.sources()) if (s.split() == split) names.add(s.name());
        if (Cases.MIDDLEBURY_SPLIT == split) names.add("middlebury");
        return names;
    }

    static String slug(FfmpegPeer.Variant v) {
        return "mi-" + v.name().replace(' ', '-');
    }
}
