package io.framegate.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs the engine the way a user's command would: a fresh JVM ({@link EngineMain}) that decodes the keyframe PNGs,
 * renders and encodes the MP4, so its wall time includes JVM start-up and native library loading.
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
    private final Path cliJar;

    /** @param cliJar {@code framegate.jar} whose {@code generate} command is timed instead of {@link #ENGINE_MAIN}, or null */
    public EngineHarness(Path cliJar) {
        this.java = ProcessHandle.current().info().command().orElse("java");
        this.classpath = System.getProperty("java.class.path");
        this.cliJar = cliJar;
    }

    /** What the timed whole command is, for the report. */
    public String describe() {
        return cliJar == null
                ? "a fresh JVM running " + ENGINE_MAIN + " (reads the PNGs, validates the request, LocalEngine.render incl. encode)"
                : "java -jar " + cliJar + " generate --first A --last B --num-frames N --fps 24 --size WxH -o OUT.mp4";
    }

    /**
     * One pair as a user's whole command, MP4 only: {@code framegate generate} when a CLI jar was given (its default
     * easing; the work is the same), else {@link #ENGINE_MAIN}. Stage keys: decode, flow, synth, encode, total.
     */
    public Result timedCommand(Pair p, Path outDir) {
        if (cliJar == null) return run(List.of(p), q -> outDir, false);
        int[] size = Rgb.size(p.first());
        try {
            Files.createDirectories(outDir);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        Proc.Usage u = Proc.timed(null, List.of(java, "-jar", cliJar.toAbsolutePath().toString(), "generate",
                "--first", p.first().toAbsolutePath().toString(), "--last", p.last().toAbsolutePath().toString(),
                "--num-frames", String.valueOf(p.frameCount()), "--fps", String.valueOf(SceneRenderer.FPS),
                "--size", size[0] + "x" + size[1], "-o", outDir.resolve("video.mp4").toAbsolutePath().toString()));
        Map<String, Double> st = new LinkedHashMap<>();
        u.output().lines().filter(l -> l.startsWith("motion:") || l.contains("time: ")).forEach(l -> {
            Matcher m = CLI_TIME.matcher(l);
            while (m.find()) st.put(m.group(1).equals("synthesis") ? "synth" : m.group(1), Long.parseLong(m.group(2)) / 1e3);
        });
        if (!st.containsKey("total")) throw new IllegalStateException("framegate generate printed no stage times:\n" + Proc.tail(u.output()));
        return new Result(u, Map.of(p.label(), st));
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
