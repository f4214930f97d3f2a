package io.framegate.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Function;
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

    @Option(names = "--repo", defaultValue = ".", description = "Repository root (default: current directory).")
    Path repo;

    @Option(names = "--size", defaultValue = "1280x720", description = "Rendered scene size, WIDTHxHEIGHT (default: ${DEFAULT-VALUE}).")
    String size;

    @Option(names = "--cases", split = ",", description = "Cases to run (default: all): case names (${COMPLETION-CANDIDATES}), "
            + "source names (orbit = orbit-2x,orbit-4x,orbit-gap), tuning or held-out.",
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
            super(ALL_CASES);
        }
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new Main()).execute(args));
    }

    /** Expands source names and halves into case names, in benchmark order. */
    static List<String> expand(List<String> asked) {
        List<String> out = new ArrayList<>();
        for (String name : ALL_CASES) {
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
                    "--cases=" + c + " is not a case, source or half; allowed: tuning, held-out, "
                            + String.join(", ", ALL_CASES));
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
                + String.join(", ", splitNames(Cases.Split.HELD_OUT)));
        BenchEnvironment.scorerCheck(report, todo);

        for (BenchCase c : todo) {
            System.out.printf("%n== %s: %s (%d pair(s), %d in-betweens)%n", c.name(), c.description(), c.pairs().size(), c.inBetweens());
            report.add(runCase(c, outDir.resolve(c.name()), engine, report));
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

    private Report.CaseResult runCase(BenchCase c, Path dir, EngineHarness engine, Report report) {
        Function<String, Function<Pair, Path>> dirs = method -> p -> dir.resolve(method).resolve(p.label());
        Path work = dir.resolve("work");

        // 1. quality: every method writes its frames as PNG
        Report.Row engineRow = null;
        Map<String, Double> engineStages = new LinkedHashMap<>();
        Scorer.CaseScore engineScore = null;
        if (engine != null) {
            System.out.print("  engine (frames) ... ");
            Proc.Usage u = c.sequence() ? engine.sequenceFrames(c, dir.resolve("engine-seq"), dirs.apply("engine"))
                    : engine.run(c.pairs(), dirs.apply("engine"), true).usage();
            engineScore = Scorer.score(c, dirs.apply("engine"));
            System.out.printf("%.1f s, PSNR %.2f SSIM %.4f IE %.2f%n", u.wallSeconds(), engineScore.all().psnr(),
                    engineScore.all().ssim(), engineScore.all().ie());
        }
        Map<String, Scorer.CaseScore> variantScores = new LinkedHashMap<>();
        Map<String, Double> variantWall = new LinkedHashMap<>();
        List<FfmpegPeer.Variant> all = new ArrayList<>(FfmpegPeer.variants(c));
        all.add(FfmpegPeer.BLEND);
        Scorer.CaseScore blendScore = null;
        for (FfmpegPeer.Variant v : all) {
            System.out.printf("  minterpolate %-11s ... ", v.name());
            double wall = 0;
            if (c.sequence()) {
                wall = FfmpegPeer.interpolateSequence(c, v, work, work.resolve("seq-" + slug(v)), dirs.apply(slug(v))).wallSeconds();
            } else {
                for (Pair p : c.pairs()) wall += FfmpegPeer.interpolate(p, v, work, dirs.apply(slug(v)).apply(p)).wallSeconds();
            }
            Scorer.CaseScore s = Scorer.score(c, dirs.apply(slug(v)));
            System.out.printf("%.1f s, PSNR %.2f SSIM %.4f IE %.2f%n", wall, s.all().psnr(), s.all().ssim(), s.all().ie());
            if (v.blend()) {
                blendScore = s;
            } else {
                variantScores.put(v.name(), s);
                variantWall.put(v.name(), wall);
            }
        }
        FfmpegPeer.Variant peer = FfmpegPeer.variants(c).stream()
                .max((a, b) -> Double.compare(variantScores.get(a.name()).all().psnr(), variantScores.get(b.name()).all().psnr()))
                .orElseThrow();
        System.out.printf("  the peer: minterpolate %s%n", peer.name());

        // 2. speed: whole commands, per pair engine then peer then cross-fade back to back, so that load from
        //    outside the benchmark hits all three alike
        Timing engineTiming = null, blendTiming = null;
        // the timed minterpolate variants: the two plain ones (the wide searches are slower still); the faster counts
        Map<String, Timing> variantTimings = new LinkedHashMap<>();
        List<FfmpegPeer.Variant> timedVariants = List.of(FfmpegPeer.BIDIR, FfmpegPeer.BILAT);
        boolean timed = c.timed() && !noTiming;
        if (timed && c.sequence()) {
            // one command per method over the whole sequence
            Map<String, Double> bestStages = null;
            for (int run = 0; run < repeat; run++) {
                if (engine != null) {
                    EngineHarness.Result r = engine.timedSequence(c, dir.resolve("engine-mp4"));
                    Map<String, Double> st = new LinkedHashMap<>(r.stages().get(c.name()));
                    Timing t = new Timing(r.usage().wallSeconds(), r.usage().cpuSeconds(), r.usage().peakRssMb(),
                            c.sequenceFrameCount(), st.getOrDefault("flow", Double.NaN) + st.getOrDefault("synth", Double.NaN),
                            st.getOrDefault("encode", Double.NaN));
                    if (engineTiming == null || t.wallSeconds() < engineTiming.wallSeconds()) {
                        engineTiming = t;
                        st.put("JVM wall", r.usage().wallSeconds());
                        bestStages = st;
                    }
                }
                for (FfmpegPeer.Variant v : timedVariants) {
                    variantTimings.put(v.name(), faster(variantTimings.get(v.name()), ffmpegSequenceTiming(c, v, work)));
                }
                blendTiming = faster(blendTiming, ffmpegSequenceTiming(c, FfmpegPeer.BLEND, work));
            }
            if (engine != null) {
                engineStages.putAll(bestStages);
                encoderCheck(report, c, dir.resolve("engine-mp4").resolve("video.mp4"),
                        work.resolve("mp4").resolve(slug(FfmpegPeer.BIDIR) + "-sequence.mp4"));
                printTiming("engine", engineTiming);
            }
            variantTimings.forEach((k, t) -> printTiming("minterpolate " + k, t));
            printTiming("cross-fade", blendTiming);
        } else if (timed) {
            List<Timing> engineParts = new ArrayList<>(), blendParts = new ArrayList<>();
            Map<String, List<Timing>> variantParts = new LinkedHashMap<>();
            for (Pair p : c.pairs()) {
                Timing bestEngine = null, bestBlend = null;
                Map<String, Timing> bestVariant = new LinkedHashMap<>();
                Map<String, Double> bestStages = null;
                for (int run = 0; run < repeat; run++) {
                    if (engine != null) {
                        EngineHarness.Result r = engine.timedCommand(p, dirs.apply("engine-mp4").apply(p));
                        Map<String, Double> st = new LinkedHashMap<>(r.stages().get(p.label()));
                        Timing t = new Timing(r.usage().wallSeconds(), r.usage().cpuSeconds(), r.usage().peakRssMb(),
                                p.frameCount(), st.getOrDefault("flow", Double.NaN) + st.getOrDefault("synth", Double.NaN),
                                st.getOrDefault("encode", Double.NaN));
                        if (bestEngine == null || t.wallSeconds() < bestEngine.wallSeconds()) {
                            bestEngine = t;
                            st.put("JVM wall", r.usage().wallSeconds());
                            bestStages = st;
                        }
                    }
                    for (FfmpegPeer.Variant v : timedVariants) {
                        bestVariant.put(v.name(), faster(bestVariant.get(v.name()), ffmpegTiming(p, v, work, dirs.apply(slug(v)))));
                    }
                    bestBlend = faster(bestBlend, ffmpegTiming(p, FfmpegPeer.BLEND, work, dirs.apply(slug(FfmpegPeer.BLEND))));
                }
                if (engine != null) {
                    engineParts.add(bestEngine);
                    bestStages.forEach((k, v) -> engineStages.merge(k, v, Double::sum));
                }
                bestVariant.forEach((k, t) -> variantParts.computeIfAbsent(k, x -> new ArrayList<>()).add(t));
                blendParts.add(bestBlend);
            }
            if (engine != null) {
                engineTiming = Timing.sum(engineParts);
                encoderCheck(report, c, dirs.apply("engine-mp4").apply(c.pairs().getFirst()).resolve("video.mp4"),
                        work.resolve("mp4").resolve(slug(FfmpegPeer.BIDIR) + "-" + c.pairs().getFirst().label() + ".mp4"));
            }
            variantParts.forEach((k, parts) -> variantTimings.put(k, Timing.sum(parts)));
            blendTiming = Timing.sum(blendParts);
            if (engineTiming != null) printTiming("engine", engineTiming);
            variantTimings.forEach((k, t) -> printTiming("minterpolate " + k, t));
            printTiming("cross-fade", blendTiming);
        }

        // 3. strips for a person to look at
        CaseStrips.write(c, dir, dirs, peer, engine != null);

        if (engineScore != null) engineRow = new Report.Row("engine", engineScore, engineTiming);
        Report.Row fastest = null;
        String fastestName = variantTimings.entrySet().stream()
                .min((x, y) -> Double.compare(x.getValue().wallSeconds(), y.getValue().wallSeconds())).map(Map.Entry::getKey)
                .orElse(null);
        if (fastestName != null && !fastestName.equals(peer.name())) {
            fastest = new Report.Row("minterpolate " + fastestName + " (faster)", variantScores.get(fastestName),
                    variantTimings.get(fastestName));
        }
        return new Report.CaseResult(c, engineRow, new Report.Row("minterpolate " + peer.name(), variantScores.get(peer.name()),
                variantTimings.get(peer.name())), fastest, new Report.Row("cross-fade", blendScore, blendTiming), variantScores,
                variantWall, engineStages, variantTimings);
    }

    /** A whole ffmpeg command (PNG in, MP4 out), plus an encode-only run of the same frames to split encode from synthesis. */
    private static Timing ffmpegTiming(Pair p, FfmpegPeer.Variant v, Path work, Function<Pair, Path> frames) {
        Path mp4 = work.resolve("mp4").resolve(slug(v) + "-" + p.label() + ".mp4");
        try {
            Files.createDirectories(mp4.getParent());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Proc.Usage whole = FfmpegPeer.wholeCommand(p, v, work, mp4);
        Proc.Usage enc = FfmpegPeer.encodeOnly(frames.apply(p), p.frameCount(), work, work.resolve("mp4").resolve("encode-only.mp4"));
        return new Timing(whole.wallSeconds(), whole.cpuSeconds(), whole.peakRssMb(), p.frameCount(),
                Math.max(0, whole.wallSeconds() - enc.wallSeconds()), enc.wallSeconds());
    }

    /** {@link #ffmpegTiming} for a sequence case: one command over the whole sequence. */
    private static Timing ffmpegSequenceTiming(BenchCase c, FfmpegPeer.Variant v, Path work) {
        Path mp4 = work.resolve("mp4").resolve(slug(v) + "-sequence.mp4");
        try {
            Files.createDirectories(mp4.getParent());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Proc.Usage whole = FfmpegPeer.wholeSequenceCommand(c, v, work, mp4);
        Proc.Usage enc = FfmpegPeer.encodeOnly(work.resolve("seq-" + slug(v)), c.sequenceFrameCount(), work,
                work.resolve("mp4").resolve("encode-only.mp4"));
        return new Timing(whole.wallSeconds(), whole.cpuSeconds(), whole.peakRssMb(), c.sequenceFrameCount(),
                Math.max(0, whole.wallSeconds() - enc.wallSeconds()), enc.wallSeconds());
    }

    /** Records whether the engine's and the peer's MP4 were encoded with the same x264 settings. */
    private static void encoderCheck(Report report, BenchCase c, Path engineMp4, Path peerMp4) {
        List<String> diff = X264Options.differences(X264Options.read(engineMp4), X264Options.read(peerMp4));
        String line = c.name() + ": x264 settings of the engine's MP4 vs the ffmpeg command's MP4: "
                + (diff.isEmpty() ? "identical apart from thread layout" : "differ in " + String.join(", ", diff) + " (engine|ffmpeg)");
        System.out.println("  " + line);
        report.check(line);
    }

    private static Timing faster(Timing a, Timing b) {
        return a == null || b.wallSeconds() < a.wallSeconds() ? b : a;
    }

    private static void printTiming(String method, Timing t) {
        System.out.printf("  %-24s whole command: %.2f s wall, %.2f s CPU (%.1f fps), peak %.0f MB%n", method,
                t.wallSeconds(), t.cpuSeconds(), t.fps(), t.peakRssMb());
    }

    static String slug(FfmpegPeer.Variant v) {
        return "mi-" + v.name().replace(' ', '-');
    }
}
