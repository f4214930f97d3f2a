package io.framegate.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs the engine in fresh JVMs: for quality, {@link EngineMain} (every frame dumped as PNG, linear easing); for
 * speed, the user's whole command - the {@code framegate} launcher of the checkout (its JVM options included) running
 * {@code generate} or {@code interpolate} - so its wall time includes JVM start-up and native library loading.
 */
public final class EngineHarness {
    /** Prefix of the lines {@link EngineMain} prints with a pair's stage timings. */
    static final String STATS_PREFIX = "BENCH-STATS ";
    /** The child's main class (by name: the harness itself needs nothing from the engine module). */
    static final String ENGINE_MAIN = "io.framegate.bench.EngineMain";

    /**
     * @param usage  what the JVM used
     * @param stages per pair label: stage name to seconds, as the engine reported them
     */
    public record Result(Proc.Usage usage, Map<String, Map<String, Double>> stages) {
    }

    /** The stage timers {@code framegate generate} prints: "time: decode 40 ms, flow 975 ms, ... total 2383 ms". */
    private static final Pattern CLI_TIME = Pattern.compile("(decode|flow|synthesis|encode|total) (\\d+) ms");

    private final String java;
    private final String classpath;
    /**
     * The timed command up to the subcommand: the checkout's launcher, as a user runs it (its JVM options and malloc
     * settings included), with {@code FRAMEGATE_BUILD=never}: its up-to-date check would otherwise build and install
     * whenever a source (the bench's too) is newer than the jar that bench/run.sh has just built.
     */
    private final List<String> cli;
    private boolean warmedUp;

    /** @param launcher the checkout's {@code framegate} script */
    public EngineHarness(Path launcher) {
        this.java = ProcessHandle.current().info().command().orElse("java");
        this.classpath = System.getProperty("java.class.path");
        this.cli = List.of("env", "FRAMEGATE_BUILD=never", launcher.toAbsolutePath().toString());
    }

    /** What the timed whole command is, for the report. */
    public String describe() {
        return String.join(" ", cli) + " generate --first A --last B --num-frames N --fps 24 --size WxH -o OUT.mp4 (pairs), "
                + String.join(" ", cli) + " interpolate --input DIR --factor 2 --fps 24 -o OUT.mp4 (sequences); "
                + "one untimed `aot-training` run first, which records the launcher's class cache";
    }

    /** One pair as a user's whole command, MP4 only ({@code generate}; its default easing, the work is the same). */
    public Result timedCommand(Pair p, Path outDir) {
        int[] size = Rgb.size(p.first());
        mkdirs(outDir);
        List<String> cmd = new ArrayList<>(cli);
        cmd.addAll(List.of("generate", "--first", p.first().toAbsolutePath().toString(), "--last",
                p.last().toAbsolutePath().toString(), "--num-frames", String.valueOf(p.frameCount()), "--fps",
                String.valueOf(SceneRenderer.FPS), "--size", size[0] + "x" + size[1], "-o",
                outDir.resolve("video.mp4").toAbsolutePath().toString()));
        return new Result(timedCli(cmd), Map.of(p.label(), stages(lastOutput)));
    }

    /**
     * A {@link BenchCase#sequence} case as one user command: its input frames linked into {@code outDir/in}, then
     * {@code interpolate --input DIR --factor GAP} writes {@code outDir/video.mp4}. The stages are keyed by the case name.
     */
    public Result timedSequence(BenchCase c, Path outDir) {
        Path in = linkInputs(c, outDir.resolve("in"));
        List<String> cmd = new ArrayList<>(cli);
        cmd.addAll(List.of("interpolate", "--input", in.toAbsolutePath().toString(), "--factor",
                String.valueOf(c.pairs().getFirst().gap()), "--fps", String.valueOf(SceneRenderer.FPS), "-o",
                outDir.resolve("video.mp4").toAbsolutePath().toString()));
        return new Result(timedCli(cmd), Map.of(c.name(), stages(lastOutput)));
    }

    /**
     * The quality run of a {@link BenchCase#sequence} case: the same {@code interpolate} command as the timed one, with
     * {@code --frames} (PNG, no H.264 loss); each pair's directory then gets its frames as {@code 000.png ..}.
     */
    public Proc.Usage sequenceFrames(BenchCase c, Path workDir, Function<Pair, Path> pairDirs) {
        Path in = linkInputs(c, workDir.resolve("in"));
        Path frames = workDir.resolve("frames");
        int gap = c.pairs().getFirst().gap();
        List<String> cmd = new ArrayList<>(cli);
        cmd.addAll(List.of("interpolate", "--input", in.toAbsolutePath().toString(), "--factor", String.valueOf(gap),
                "--fps", String.valueOf(SceneRenderer.FPS), "--frames", frames.toAbsolutePath().toString(), "-o",
                workDir.resolve("video.mp4").toAbsolutePath().toString()));
        warmUp();
        Proc.Usage u = Proc.timed(null, cmd);
        try {
            for (int j = 0; j < c.pairs().size(); j++) {
                Path dir = pairDirs.apply(c.pairs().get(j));
                Files.createDirectories(dir);
                for (int i = 0; i <= gap; i++) {
                    Path f = frames.resolve(String.format("frame_%04d.png", j * gap + i + 1));
                    if (!Files.isRegularFile(f)) throw new IllegalStateException("interpolate wrote no " + f + ":\n" + Proc.tail(u.output()));
                    Files.copy(f, dir.resolve(String.format("%03d.png", i)), StandardCopyOption.REPLACE_EXISTING);
                }
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return u;
    }

    private static Path linkInputs(BenchCase c, Path in) {
        mkdirs(in);
        List<Path> frames = c.sequenceFrames();
        try {
            for (int i = 0; i < frames.size(); i++) {
                Path link = in.resolve(String.format("%03d.png", i));
                Files.deleteIfExists(link);
                Files.createSymbolicLink(link, frames.get(i).toAbsolutePath());
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return in;
    }

    private String lastOutput = "";

    /**
     * The launcher records its class cache once per build, with its {@code aot-training} run (every engine command on
     * small pictures); a user pays that once, not per command. Here an untimed command before the first timed one.
     */
    private void warmUp() {
        if (warmedUp) return;
        List<String> warm = new ArrayList<>(cli);
        warm.add("aot-training");
        Proc.timed(null, warm);
        warmedUp = true;
    }

    private Proc.Usage timedCli(List<String> cmd) {
        warmUp();
        Proc.Usage u = Proc.timed(null, cmd);
        lastOutput = u.output();
        return u;
    }

    private static Map<String, Double> stages(String output) {
        Map<String, Double> st = new LinkedHashMap<>();
        output.lines().filter(l -> l.contains("time: ")).forEach(l -> {
            Matcher m = CLI_TIME.matcher(l);
            while (m.find()) st.put(m.group(1).equals("synthesis") ? "synth" : m.group(1), Long.parseLong(m.group(2)) / 1e3);
        });
        if (!st.containsKey("total")) throw new IllegalStateException("framegate printed no stage times:\n" + Proc.tail(output));
        return st;
    }

    private static void mkdirs(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Renders every pair in one JVM; with {@code dumpFrames} each output directory also gets {@code 000.png ..}. */
    public Result run(List<Pair> pairs, Function<Pair, Path> outDir, boolean dumpFrames) {
        List<String> cmd = new ArrayList<>(List.of(java, "-cp", classpath, ENGINE_MAIN));
        if (dumpFrames) cmd.add("--dump-frames");
        for (Pair p : pairs) {
            cmd.addAll(List.of("--job", p.label(), p.first().toAbsolutePath().toString(), p.last().toAbsolutePath().toString(),
                    String.valueOf(p.gap()), outDir.apply(p).toAbsolutePath().toString()));
        }
        Proc.Usage u = Proc.timed(null, cmd);
        Map<String, Map<String, Double>> stages = new LinkedHashMap<>();
        u.output().lines().filter(l -> l.startsWith(STATS_PREFIX)).forEach(l -> {
            String[] f = l.substring(STATS_PREFIX.length()).trim().split("\\s+");
            Map<String, Double> m = new LinkedHashMap<>();
            for (int i = 1; i < f.length; i++) {
                int eq = f[i].indexOf('=');
                m.put(f[i].substring(0, eq), Double.parseDouble(f[i].substring(eq + 1)));
            }
            stages.put(f[0], m);
        });
        for (Pair p : pairs) {
            if (!stages.containsKey(p.label())) {
                throw new IllegalStateException("engine run printed no stats for " + p.label() + ":\n" + Proc.tail(u.output()));
            }
        }
        return new Result(u, stages);
    }
}
