package io.framegate.cli;

import io.framegate.domain.FitMode;
import io.framegate.domain.GenerationBackend;
import io.framegate.domain.GenerationException;
import io.framegate.domain.GenerationRequest;
import io.framegate.domain.ImageRole;
import io.framegate.domain.InputImage;
import io.framegate.domain.OutputFiles;
import io.framegate.domain.RenderPlan;
import io.framegate.domain.RequestValidator;
import io.framegate.domain.ValidationException;
import io.framegate.domain.Violation;
import io.framegate.engine.LocalEngine;
import io.framegate.engine.RenderStats;
import io.framegate.provider.ConfigException;
import io.framegate.provider.Routing;
import io.framegate.server.config.ConfigFile;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code framegate generate}: one video from keyframes or a reference image, made offline. */
@Command(name = "generate", description = "Make a video from keyframes (--first/--last) or a reference image (--reference).",
        sortOptions = false)
final class GenerateCommand implements Callable<Integer> {
    static final int EXIT_BAD_INPUT = 2;

    @Spec
    CommandSpec spec;

    @Option(names = "--model", defaultValue = "framegate-local", description = "Model id or alias (default: ${DEFAULT-VALUE}); see `framegate models`.")
    String model;
    @Option(names = "--first", paramLabel = "IMAGE", description = "First frame (keyframes mode).")
    Path first;
    @Option(names = "--last", paramLabel = "IMAGE", description = "Last frame (keyframes mode; the same as --first makes a loop).")
    Path last;
    @Option(names = "--reference", paramLabel = "[ROLE=]IMAGE",
            description = "Reference image, repeatable; ROLE is reference (default), asset or style.")
    List<String> references = new ArrayList<>();
    @Option(names = {"-p", "--prompt"}, description = "What to show; in reference mode it also sets the camera move (zoom in, pan left, orbit, ...).")
    String prompt;
    @Option(names = "--negative-prompt", description = "What not to show.")
    String negativePrompt;
    @Option(names = "--seconds", description = "Duration in seconds.")
    Integer seconds;
    @Option(names = "--size", paramLabel = "WxH", description = "Frame size, e.g. 1280x720.")
    String size;
    @Option(names = "--aspect-ratio", description = "Aspect ratio, e.g. 16:9 (with --resolution, instead of --size).")
    String aspectRatio;
    @Option(names = "--resolution", description = "Resolution class, e.g. 720p.")
    String resolution;
    @Option(names = "--fps", description = "Frames per second.")
    Integer fps;
    @Option(names = "--num-frames", paramLabel = "N", description = "Exact frame count (local models only; overrides --seconds).")
    Integer numFrames;
    @Option(names = "--seed", description = "Seed; the same request and seed give the same video.")
    Long seed;
    @Option(names = "--fit", paramLabel = "crop|pad|stretch", description = "How images are fitted to the frame, on "
            + "every route: crop (default; alias cover: fill the frame, cut where the image holds least detail), "
            + "pad (alias contain, letterbox: black bars) or stretch (alias fill).")
    String fit;
    @Option(names = "--easing", paramLabel = "linear|ease-in-out",
            description = "Time curve of the in-betweens and camera moves: ease-in-out (default, smooth start and stop) or linear (constant speed).")
    String easing;
    @Option(names = "--frames", paramLabel = "DIR", description = "Also write every frame as PNG into DIR.")
    Path framesDir;
    @Option(names = "--config", paramLabel = "FILE", defaultValue = "${env:FRAMEGATE_CONFIG}",
            description = "framegate.yaml with providers and routes (default: $FRAMEGATE_CONFIG); without it every model is rendered offline.")
    Path config;
    @Option(names = {"-o", "--output"}, defaultValue = "out.mp4", description = "Output MP4 (default: ${DEFAULT-VALUE}); "
            + "the thumbnail and spritesheet are written beside it.")
    Path output;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        GenerationRequest request;
        io.framegate.engine.StartupTrace.mark("generate parsed");
        List<String> problems = new ArrayList<>();
        GenerationRequest.Builder b = GenerationRequest.builder().model(model).prompt(prompt)
                .negativePrompt(negativePrompt).seconds(seconds).size(size).aspectRatio(aspectRatio)
                .resolution(resolution).fps(fps).numFrames(numFrames).seed(seed).option("easing", easing);
        try {
            b.fit(FitMode.parse(fit));
        } catch (ValidationException e) {
            problems.add("--" + e.first().message());
        }
        // an image that cannot be read is named here: the catalog's image counts and roles would only say again that
        // it is missing ("needs at least 1 image(s); 0 given"), so they are left out then
        boolean imageUnread = !readImage("--first", first, ImageRole.FIRST_FRAME, b, problems);
        imageUnread |= !readImage("--last", last, ImageRole.LAST_FRAME, b, problems);
        for (String ref : references) {
            int eq = ref.indexOf('=');
            ImageRole role = ImageRole.REFERENCE;
            String file = ref;
            if (eq > 0 && ImageRole.parse(ref.substring(0, eq)).isPresent()) {
                role = ImageRole.parse(ref.substring(0, eq)).get();
                file = ref.substring(eq + 1);
            } else if (eq > 0 && !Files.exists(Path.of(ref))) {
                problems.add("--reference " + ref + ": " + ref.substring(0, eq)
                        + " is not an image role; allowed: reference, asset, style, first_frame, last_frame");
                imageUnread = true;
                continue;
            }
            imageUnread |= !readImage("--reference", Path.of(file), role, b, problems);
        }
        io.framegate.engine.StartupTrace.mark("images read and probed");
        LocalEngine engine = new LocalEngine();
        Routing routing = null;
        if (config != null) {
            try {
                routing = Routing.of(ConfigFile.load(config, Preload.catalog(), System::getenv).providers(), engine);
                routing.resolveAlias(model).ifPresent(b::model);
            } catch (ConfigException e) {
                problems.add(e.getMessage()); // it names the file
            }
        }
        OutputFiles files = OutputFiles.beside(output, framesDir);
        OutputChecks.check(output, files, true, problems);
        try {
            request = b.build();
            RenderPlan plan = null;
            try {
                plan = new RequestValidator(Preload.catalog()).validate(request);
                if (routing != null) routing.preflight(plan);
            } catch (ValidationException e) {
                for (Violation v : e.violations()) {
                    if (!(imageUnread && v.param().equals("images"))) problems.add(v.message());
                }
            }
            io.framegate.engine.StartupTrace.mark("request validated");
            if (!problems.isEmpty()) {
                problems.forEach(p -> err.println("error: " + p));
                err.flush();
                return EXIT_BAD_INPUT;
            }

            Files.createDirectories(files.video().getParent());
            GenerationBackend backend = routing != null ? routing.backendFor(plan.model()) : engine;
            return backend.isLocal() ? generateLocal(engine, plan, files, out, err)
                    : generateUpstream(backend, plan, files, out, err);
        } finally {
            if (routing != null) routing.close();
        }
    }

    /** Generation by the offline engine, with its per-stage timings. */
    private int generateLocal(LocalEngine engine, RenderPlan plan, OutputFiles files, PrintWriter out, PrintWriter err)
            throws Exception {
        if (!plan.model().isLocal()) {
            err.println("note: " + plan.model().id() + " is served by the offline engine (local render, not "
                    + plan.model().provider() + "; route it in a --config file to use the provider)");
        }
        ProgressBar bar = new ProgressBar(err, System.console() != null);
        RenderStats stats;
        try {
            stats = engine.render(plan, 0, files, bar, () -> false);
        } catch (GenerationException e) {
            bar.finish();
            err.println("error: " + e.getMessage());
            return "bad_image".equals(e.code()) ? EXIT_BAD_INPUT : 1;
        } catch (IOException e) {
            // the engine writes temporaries and moves them into place at the end: nothing of an earlier run is lost
            bar.finish();
            String why = e.getClass() == IOException.class ? e.getMessage()
                    : e.getClass().getSimpleName().replace("Exception", "") + ": " + e.getMessage();
            err.println("error: -o " + output + ": the video could not be written (" + why
                    + "); existing output files were left as they were");
            return 1;
        }
        bar.finish();
        out.printf(Locale.ROOT, "wrote %s (%dx%d, %d frames at %d fps, %.2f s, %s mode)%n", output,
                plan.size().width(), plan.size().height(), stats.frames(), plan.fps(), plan.durationSeconds(), stats.mode());
        out.printf(Locale.ROOT, "      %s%n      %s%n", output.resolveSibling(files.thumbnail().getFileName()),
                output.resolveSibling(files.spritesheet().getFileName()));
        out.printf(Locale.ROOT, "motion: %s; time: decode %d ms, flow %d ms, synthesis %d ms (summed over its threads), encode %d ms (alongside), total %d ms%n",
                stats.motion(), stats.decodeMs(), stats.flowMs(), stats.synthesisMs(), stats.encodeMs(), stats.totalMs());
        out.flush();
        return 0;
    }

    /** Generation through a cloud route: the backend submits, polls and downloads; the CLI shows progress and cost. */
    private int generateUpstream(GenerationBackend backend, RenderPlan plan, OutputFiles files, PrintWriter out,
                                 PrintWriter err) throws Exception {
        plan.estimatedCostUsd().ifPresent(c -> err.printf(Locale.ROOT, "estimated cost: $%.2f (%s)%n", c,
                plan.model().priceNote() == null ? "catalog price" : plan.model().priceNote()));
        ProgressBar bar = new ProgressBar(err, System.console() != null);
        CliContext ctx = new CliContext(files, bar);
        try {
            backend.generate(plan, ctx);
            ctx.commit();
        } catch (GenerationException e) {
            bar.finish();
            ctx.discard();
            err.println("error: " + e.code() + ": " + e.getMessage());
            return 1;
        } catch (Exception e) {
            ctx.discard();
            throw e;
        }
        bar.finish();
        Map<String, String> notes = ctx.notes();
        out.printf(Locale.ROOT, "wrote %s (%s via %s, upstream job %s)%n", output, plan.model().id(),
                notes.getOrDefault("channel", backend.id()), notes.getOrDefault("upstream_id", "?"));
        if (notes.containsKey("cost_usd")) out.printf(Locale.ROOT, "cost: $%s%n", notes.get("cost_usd"));
        out.flush();
        return 0;
    }

    /** Reads an image option into the request; false (and a problem named) when the file cannot be used. */
    private static boolean readImage(String option, Path file, ImageRole role, GenerationRequest.Builder b, List<String> problems) {
        if (file == null) return true;
        byte[] bytes = ImageFiles.read(option + " " + file, file, problems);
        InputImage image = bytes == null ? null
                : ImageFiles.check(option, new InputImage(role, bytes, null, file.toString()), problems);
        if (image == null || ImageFiles.decodes(option, image, problems) == null) return false;
        b.image(image);
        return true;
    }
}
