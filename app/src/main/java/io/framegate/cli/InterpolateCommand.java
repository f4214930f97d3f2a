package io.framegate.cli;

import io.framegate.domain.GenerationException;
import io.framegate.engine.ImageHeader;
import io.framegate.engine.KeyframeInterpolator;
import io.framegate.engine.SequenceInterpolator;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

/**
 * {@code framegate interpolate}: frame-rate up-conversion of an image sequence in one run (what FFmpeg's
 * {@code minterpolate} does for a video), with the engine's keyframe interpolator on every consecutive pair.
 */
@Command(name = "interpolate", sortOptions = false,
        description = "Up-convert an image sequence: insert FACTOR-1 frames between consecutive images, one MP4 out.")
final class InterpolateCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    static final class Input {
        @Option(names = "--input", paramLabel = "DIR", required = true,
                description = "Directory of the frames (every file in it, in name order; hidden files are skipped).")
        Path dir;
        @Option(names = "--frames-glob", paramLabel = "GLOB", required = true,
                description = "The frames as a glob over file names, e.g. 'shots/*.png' (matches sorted by name).")
        String glob;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Input input;
    @Option(names = "--factor", defaultValue = "2", paramLabel = "N",
            description = "Output frames per input frame: N-1 frames go between consecutive inputs (default: ${DEFAULT-VALUE}).")
    int factor;
    @Option(names = "--fps", defaultValue = "24", description = "Frame rate of the output video (default: ${DEFAULT-VALUE}).")
    int fps;
    @Option(names = "--fast", description = "Coarser, faster optical flow (the framegate-local-fast preset).")
    boolean fast;
    @Option(names = "--frames", paramLabel = "DIR", description = "Also write every output frame as PNG into DIR.")
    Path framesDir;
    @Option(names = {"-o", "--output"}, defaultValue = "out.mp4", description = "Output MP4 (default: ${DEFAULT-VALUE}).")
    Path output;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        io.framegate.engine.StartupTrace.mark("interpolate parsed");
        List<String> problems = new ArrayList<>();
        if (factor < 2 || factor > SequenceInterpolator.MAX_FACTOR) {
            problems.add("--factor=" + factor + " is not allowed; allowed: 2.." + SequenceInterpolator.MAX_FACTOR);
        }
        if (fps < 1 || fps > 120) problems.add("--fps=" + fps + " is not allowed; allowed: 1..120");
        List<Path> frames = input.dir != null ? listDir(input.dir, problems) : listGlob(input.glob, problems);
        if (problems.isEmpty() && frames.size() < 2) {
            problems.add((input.dir != null ? "--input=" + input.dir : "--frames-glob=" + input.glob) + ": "
                    + frames.size() + " image(s); at least 2 are needed");
        }
        if (problems.isEmpty()) {
            for (Path f : frames) checkImage(f, problems);
        }
        OutputChecks.check(output, io.framegate.domain.OutputFiles.beside(output, framesDir), false, problems);
        if (!problems.isEmpty()) {
            problems.forEach(p -> err.println("error: " + p));
            err.flush();
            return GenerateCommand.EXIT_BAD_INPUT;
        }
        Path target = output.toAbsolutePath();
        Files.createDirectories(target.getParent());
        OpenCvLog.silence(); // a frame the decoder still refuses is named below, in the CLI's words
        ProgressBar bar = new ProgressBar(err, System.console() != null);
        SequenceInterpolator.Result r;
        try {
            r = SequenceInterpolator.interpolate(frames, factor, fps, target, framesDir,
                    fast ? KeyframeInterpolator.Preset.FAST : KeyframeInterpolator.Preset.SEQUENCE, bar);
        } catch (GenerationException e) {
            bar.finish();
            err.println("error: " + e.getMessage());
            err.flush();
            return GenerateCommand.EXIT_BAD_INPUT;
        }
        bar.finish();
        out.printf(Locale.ROOT, "wrote %s (%dx%d, %d frames at %d fps: %d input frames, factor %d)%n", output, r.width(),
                r.height(), r.frames(), r.fps(), r.inputFrames(), r.factor());
        out.printf(Locale.ROOT, "time: decode %d ms, flow %d ms, synthesis %d ms (summed over its threads), encode %d ms (alongside), total %d ms%n",
                r.decodeMs(), r.flowMs(), r.synthesisMs(), r.encodeMs(), r.totalMs());
        out.flush();
        return 0;
    }

    private static List<Path> listDir(Path dir, List<String> problems) throws IOException {
        if (!Files.exists(dir)) {
            problems.add("--input=" + dir + ": no such directory");
            return List.of();
        }
        if (!Files.isDirectory(dir)) {
            problems.add("--input=" + dir + ": not a directory (give the directory that holds the frames)");
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(Files::isRegularFile).filter(p -> !p.getFileName().toString().startsWith("."))
                    .sorted().toList();
        }
    }

    private static List<Path> listGlob(String glob, List<String> problems) throws IOException {
        Path pattern = Path.of(glob);
        Path dir = pattern.getParent() == null ? Path.of(".") : pattern.getParent();
        String name = pattern.getFileName() == null ? "" : pattern.getFileName().toString();
        if (!Files.isDirectory(dir)) {
            problems.add("--frames-glob=" + glob + ": no such directory " + dir + " (the glob applies to file names only)");
            return List.of();
        }
        PathMatcher matcher = dir.getFileSystem().getPathMatcher("glob:" + name);
        List<Path> found;
        try (Stream<Path> s = Files.list(dir)) {
            found = s.filter(Files::isRegularFile).filter(p -> matcher.matches(p.getFileName())).sorted().toList();
        }
        if (found.isEmpty()) problems.add("--frames-glob=" + glob + ": matches no file");
        return found;
    }

    /** A frame must start like an image file; decoding errors surface later with the file named. */
    private static void checkImage(Path file, List<String> problems) {
        byte[] head = new byte[12];
        int n;
        try (InputStream in = Files.newInputStream(file)) {
            long size = Files.size(file);
            if (size > ImageFiles.MAX_BYTES) {
                problems.add(file + ": is " + size + " bytes; an image file may be at most " + ImageFiles.capText());
                return;
            }
            n = in.readNBytes(head, 0, head.length);
        } catch (IOException e) {
            problems.add(file + ": cannot read (" + e.getMessage() + ")");
            return;
        }
        byte[] got = n == head.length ? head : java.util.Arrays.copyOf(head, n);
        String format = ImageHeader.formatOf(got);
        if (format == null) {
            problems.add(file + ": not an image (PNG, JPEG or WebP)");
        } else if (!ImageHeader.decodable(format)) {
            problems.add(file + ": is a " + format.toUpperCase(java.util.Locale.ROOT) + " image, which is not a PNG, JPEG or WebP image");
        }
    }
}
