package io.framegate.bench;

import io.framegate.domain.GenerationRequest;
import io.framegate.domain.ImageRole;
import io.framegate.domain.ModelCatalog;
import io.framegate.domain.OutputFiles;
import io.framegate.domain.ProgressListener;
import io.framegate.domain.RenderPlan;
import io.framegate.domain.RequestValidator;
import io.framegate.engine.LocalEngine;
import io.framegate.engine.RenderStats;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * The engine as one command, started in its own JVM by {@link EngineHarness}: for each job, the two keyframe PNGs go
 * through the same request validation as every API request (model {@code framegate-local}, linear easing) and
 * {@link LocalEngine#render} writes {@code video.mp4}
 * (and, with {@code --dump-frames}, every frame as {@code 000.png ..}) into the job's directory.
 *
 * <p>Usage: {@code EngineMain [--dump-frames] --job LABEL FIRST.png LAST.png GAP OUTDIR [--job ...]}. Prints one
 * {@code BENCH-STATS LABEL key=seconds ...} line per job.
 */
public final class EngineMain {
    private record Job(String label, Path first, Path last, int gap, Path outDir) {
    }

    private EngineMain() {
    }

    public static void main(String[] args) throws Exception {
        boolean dump = false;
        List<Job> jobs = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--dump-frames" -> dump = true;
                case "--job" -> {
                    if (i + 5 >= args.length) throw new IllegalArgumentException("--job needs LABEL FIRST LAST GAP OUTDIR");
                    jobs.add(new Job(args[i + 1], Path.of(args[i + 2]), Path.of(args[i + 3]), Integer.parseInt(args[i + 4]),
                            Path.of(args[i + 5])));
                    i += 5;
                }
                default -> throw new IllegalArgumentException("unknown argument " + args[i]
                        + "; usage: [--dump-frames] --job LABEL FIRST LAST GAP OUTDIR ...");
            }
        }
        RequestValidator validator = new RequestValidator(ModelCatalog.builtIn());
        LocalEngine engine = new LocalEngine();
        for (Job job : jobs) {
            int[] size = Rgb.size(job.first());
            GenerationRequest request = GenerationRequest.builder()
                    .model("framegate-local")
                    .image(ImageRole.FIRST_FRAME, Files.readAllBytes(job.first()), "image/png", job.first().getFileName().toString())
                    .image(ImageRole.LAST_FRAME, Files.readAllBytes(job.last()), "image/png", job.last().getFileName().toString())
                    .numFrames(job.gap() + 1)
                    .fps(SceneRenderer.FPS)
                    .size(size[0] + "x" + size[1])
                    // the true frames move linearly in time (as minterpolate assumes); the engine's default easing
                    // would place the in-betweens elsewhere on the path
                    .option("easing", "linear")
                    .build();
            RenderPlan plan = validator.validate(request);
            Files.createDirectories(job.outDir());
            Path pngDir = job.outDir().resolve("engine-frames");
            OutputFiles out = OutputFiles.in(job.outDir());
            if (dump) out = out.withFramesDir(pngDir);
            RenderStats st = engine.render(plan, 0, out, ProgressListener.NONE, () -> false);
            if (st.frames() != job.gap() + 1) {
                throw new IllegalStateException(job.label() + ": engine wrote " + st.frames() + " frames, expected " + (job.gap() + 1));
            }
            if (dump) renameFrames(pngDir, job.outDir(), st.frames());
            System.out.printf(Locale.ROOT, "%s%s total=%.3f decode=%.3f flow=%.3f synth=%.3f encode=%.3f%n",
                    EngineHarness.STATS_PREFIX, job.label(), st.totalMs() / 1e3, st.decodeMs() / 1e3, st.flowMs() / 1e3,
                    st.synthesisMs() / 1e3, st.encodeMs() / 1e3);
            System.out.printf("BENCH-MOTION %s %s%n", job.label(), st.motion());
        }
    }

    /** The engine's frame PNGs, in name order, become {@code 000.png ..} in {@code outDir} (the scorer's naming). */
    private static void renameFrames(Path pngDir, Path outDir, int expected) throws IOException {
        List<Path> frames;
        try (Stream<Path> s = Files.list(pngDir)) {
            frames = s.filter(p -> p.toString().endsWith(".png")).sorted().toList();
        }
        if (frames.size() != expected) {
            throw new IllegalStateException(pngDir + " holds " + frames.size() + " PNG frames, expected " + expected);
        }
        for (int i = 0; i < frames.size(); i++) {
            Files.move(frames.get(i), outDir.resolve(String.format("%03d.png", i)), StandardCopyOption.REPLACE_EXISTING);
        }
        Files.delete(pngDir);
    }
}
