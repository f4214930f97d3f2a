package io.framegate.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

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

    private final String java;
    private final String classpath;

    public EngineHarness() {
        this.java = ProcessHandle.current().info().command().orElse("java");
        this.classpath = System.getProperty("java.class.path");
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
