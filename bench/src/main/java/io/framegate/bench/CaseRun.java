package io.framegate.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * One benchmark case, run once ({@link #result}): every method's frames scored for quality, then whole commands timed
 * (engine, the minterpolate variants and the cross-fade back to back per pair, so that load from outside the benchmark
 * hits all alike), then the strips.
 */
final class CaseRun {
    /** The timed minterpolate variants: the two plain ones (the wide searches are slower still); the faster counts. */
    private static final List<FfmpegPeer.Variant> TIMED_VARIANTS = List.of(FfmpegPeer.BIDIR, FfmpegPeer.BILAT);

    private final BenchCase c;
    private final Path dir;
    private final Path work;
    /** Where a method's frames of a pair go. */
    private final Function<String, Function<Pair, Path>> dirs;
    /** Null with {@code --skip-engine}. */
    private final EngineHarness engine;
    private final Report report;
    private final int repeat;

    private Scorer.CaseScore engineScore;
    private Scorer.CaseScore blendScore;
    private final Map<String, Scorer.CaseScore> variantScores = new LinkedHashMap<>();
    private final Map<String, Double> variantWall = new LinkedHashMap<>();
    private Timing engineTiming;
    private Timing blendTiming;
    private final Map<String, Timing> variantTimings = new LinkedHashMap<>();
    /** The engine's stage timers of its counted runs, summed over pairs. */
    private final Map<String, Double> engineStages = new LinkedHashMap<>();

    CaseRun(BenchCase c, Path dir, EngineHarness engine, Report report, int repeat) {
        this.c = c;
        this.dir = dir;
        this.work = dir.resolve("work");
        this.dirs = method -> p -> dir.resolve(method).resolve(p.label());
        this.engine = engine;
        this.report = report;
        this.repeat = repeat;
    }

    Report.CaseResult result(boolean timing) {
        FfmpegPeer.Variant peer = scoreQuality();
        if (timing && c.timed()) {
            if (c.sequence()) timeSequence();
            else timePairs();
        }
        CaseStrips.write(c, dir, dirs, peer, engine != null);

        Report.Row engineRow = engineScore == null ? null : new Report.Row("engine", engineScore, engineTiming);
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

    /** Every method writes its frames as PNG and is scored; returns the peer (the minterpolate variant of best PSNR). */
    private FfmpegPeer.Variant scoreQuality() {
        if (engine != null) {
            System.out.print("  engine (frames) ... ");
            Proc.Usage u = c.sequence() ? engine.sequenceFrames(c, dir.resolve("engine-seq"), dirs.apply("engine"))
                    : engine.run(c.pairs(), dirs.apply("engine"), true).usage();
            engineScore = Scorer.score(c, dirs.apply("engine"));
            System.out.printf("%.1f s, PSNR %.2f SSIM %.4f IE %.2f%n", u.wallSeconds(), engineScore.all().psnr(),
                    engineScore.all().ssim(), engineScore.all().ie());
        }
        List<FfmpegPeer.Variant> all = new ArrayList<>(FfmpegPeer.variants(c));
        all.add(FfmpegPeer.BLEND);
        for (FfmpegPeer.Variant v : all) {
            System.out.printf("  minterpolate %-11s ... ", v.name());
            double wall = 0;
            if (c.sequence()) {
                wall = FfmpegPeer.interpolateSequence(c, v, work, work.resolve("seq-" + Main.slug(v)), dirs.apply(Main.slug(v))).wallSeconds();
            } else {
                for (Pair p : c.pairs()) wall += FfmpegPeer.interpolate(p, v, work, dirs.apply(Main.slug(v)).apply(p)).wallSeconds();
            }
            Scorer.CaseScore s = Scorer.score(c, dirs.apply(Main.slug(v)));
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
        return peer;
    }

    /** A sequence case: one command per method over the whole sequence, the fastest of {@code repeat} runs. */
    private void timeSequence() {
        EngineRun best = null;
        for (int run = 0; run < repeat; run++) {
            if (engine != null) {
                best = EngineRun.faster(best, EngineRun.of(engine.timedSequence(c, dir.resolve("engine-mp4")), c.name(),
                        c.sequenceFrameCount()));
            }
            for (FfmpegPeer.Variant v : TIMED_VARIANTS) {
                variantTimings.put(v.name(), faster(variantTimings.get(v.name()), ffmpegSequenceTiming(v)));
            }
            blendTiming = faster(blendTiming, ffmpegSequenceTiming(FfmpegPeer.BLEND));
        }
        if (engine != null) {
            engineTiming = best.timing();
            engineStages.putAll(best.stages());
            encoderCheck(dir.resolve("engine-mp4").resolve("video.mp4"),
                    work.resolve("mp4").resolve(Main.slug(FfmpegPeer.BIDIR) + "-sequence.mp4"));
            printTiming("engine", engineTiming);
        }
        variantTimings.forEach((k, t) -> printTiming("minterpolate " + k, t));
        printTiming("cross-fade", blendTiming);
    }

    /** A pair case: per pair, each method's fastest of {@code repeat} whole commands; the pairs' figures summed. */
    private void timePairs() {
        List<Timing> engineParts = new ArrayList<>(), blendParts = new ArrayList<>();
        Map<String, List<Timing>> variantParts = new LinkedHashMap<>();
        for (Pair p : c.pairs()) {
            EngineRun bestEngine = null;
            Timing bestBlend = null;
            Map<String, Timing> bestVariant = new LinkedHashMap<>();
            for (int run = 0; run < repeat; run++) {
                if (engine != null) {
                    bestEngine = EngineRun.faster(bestEngine, EngineRun.of(engine.timedCommand(p,
                            dirs.apply("engine-mp4").apply(p)), p.label(), p.frameCount()));
                }
                for (FfmpegPeer.Variant v : TIMED_VARIANTS) {
                    bestVariant.put(v.name(), faster(bestVariant.get(v.name()), ffmpegTiming(p, v)));
                }
                bestBlend = faster(bestBlend, ffmpegTiming(p, FfmpegPeer.BLEND));
            }
            if (engine != null) {
                engineParts.add(bestEngine.timing());
                bestEngine.stages().forEach((k, v) -> engineStages.merge(k, v, Double::sum));
            }
            bestVariant.forEach((k, t) -> variantParts.computeIfAbsent(k, x -> new ArrayList<>()).add(t));
            blendParts.add(bestBlend);
        }
        if (engine != null) {
            engineTiming = Timing.sum(engineParts);
            encoderCheck(dirs.apply("engine-mp4").apply(c.pairs().getFirst()).resolve("video.mp4"),
                    work.resolve("mp4").resolve(Main.slug(FfmpegPeer.BIDIR) + "-" + c.pairs().getFirst().label() + ".mp4"));
        }
        variantParts.forEach((k, parts) -> variantTimings.put(k, Timing.sum(parts)));
        blendTiming = Timing.sum(blendParts);
        if (engineTiming != null) printTiming("engine", engineTiming);
        variantTimings.forEach((k, t) -> printTiming("minterpolate " + k, t));
        printTiming("cross-fade", blendTiming);
    }

    /** One timed engine command: its figures and its stage timers, with its JVM's wall time as "JVM wall". */
    private record EngineRun(Timing timing, Map<String, Double> stages) {
        /** Synthesis is the command's flow and synth stage timers, encode its encode timer. */
        static EngineRun of(EngineHarness.Result r, String label, int frames) {
            Map<String, Double> st = new LinkedHashMap<>(r.stages().get(label));
            Timing t = new Timing(r.usage().wallSeconds(), r.usage().cpuSeconds(), r.usage().peakRssMb(), frames,
                    st.getOrDefault("flow", Double.NaN) + st.getOrDefault("synth", Double.NaN),
                    st.getOrDefault("encode", Double.NaN));
            st.put("JVM wall", r.usage().wallSeconds());
            return new EngineRun(t, st);
        }

        static EngineRun faster(EngineRun a, EngineRun b) {
            return a == null || b.timing.wallSeconds() < a.timing.wallSeconds() ? b : a;
        }
    }

    /** A whole ffmpeg command (PNG in, MP4 out), plus an encode-only run of the same frames to split encode from synthesis. */
    private Timing ffmpegTiming(Pair p, FfmpegPeer.Variant v) {
        Path mp4 = mp4(Main.slug(v) + "-" + p.label() + ".mp4");
        Proc.Usage whole = FfmpegPeer.wholeCommand(p, v, work, mp4);
        Proc.Usage enc = FfmpegPeer.encodeOnly(dirs.apply(Main.slug(v)).apply(p), p.frameCount(), work,
                work.resolve("mp4").resolve("encode-only.mp4"));
        return new Timing(whole.wallSeconds(), whole.cpuSeconds(), whole.peakRssMb(), p.frameCount(),
                Math.max(0, whole.wallSeconds() - enc.wallSeconds()), enc.wallSeconds());
    }

    /** {@link #ffmpegTiming} for a sequence case: one command over the whole sequence. */
    private Timing ffmpegSequenceTiming(FfmpegPeer.Variant v) {
        Path mp4 = mp4(Main.slug(v) + "-sequence.mp4");
        Proc.Usage whole = FfmpegPeer.wholeSequenceCommand(c, v, work, mp4);
        Proc.Usage enc = FfmpegPeer.encodeOnly(work.resolve("seq-" + Main.slug(v)), c.sequenceFrameCount(), work,
                work.resolve("mp4").resolve("encode-only.mp4"));
        return new Timing(whole.wallSeconds(), whole.cpuSeconds(), whole.peakRssMb(), c.sequenceFrameCount(),
                Math.max(0, whole.wallSeconds() - enc.wallSeconds()), enc.wallSeconds());
    }

    private Path mp4(String name) {
        Path mp4 = work.resolve("mp4").resolve(name);
        try {
            Files.createDirectories(mp4.getParent());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return mp4;
    }

    /** Records whether the engine's and the peer's MP4 were encoded with the same x264 settings. */
    private void encoderCheck(Path engineMp4, Path peerMp4) {
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
}
