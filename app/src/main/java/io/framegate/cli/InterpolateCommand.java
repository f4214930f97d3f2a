package io.framegate.cli;

import io.framegate.domain.GenerationException;
import io.framegate.domain.ImageRole;
import io.framegate.domain.InputImage;
import io.framegate.engine.ImageInfo;
import io.framegate.engine.KeyframeInterpolator;
import io.framegate.engine.SequenceInterpolator;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.IOException;
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
        List<byte[]> checked = problems.isEmpty() ? checkFrames(frames, problems) : null;
        OutputChecks.check(output, io.framegate.domain.OutputFiles.beside(output, framesDir), false, problems);
        if (!problems.isEmpty()) {
            problems.forEach(p -> err.println("error: " + p));
            err.flush();
            return GenerateCommand.EXIT_BAD_INPUT;
        }
        Path target = output.toAbsolutePath();
        Files.createDirectories(target.getParent());
        ProgressBar bar = new ProgressBar(err, System.console() != null);
        SequenceInterpolator.Result r;
        try {
            r = SequenceInterpolator.interpolate(frames, checked, factor, fps, target, framesDir,
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

    /** What the checks found of one frame: its problems, and its size as decoded and its bytes' digest when none. */
    private record Checked(List<String> problems, long[] size, byte[] digest) {
    }

    /**
     * Every frame checked before any work, each problem named (two frames at once, in name order): readable within
     * the byte cap, an image whose header is within the pixel caps and whose file is whole ({@link ImageFiles#check}),
     * decoded once ({@link ImageFiles#decodes}: what only the decoder finds, and the size it gives), the same size as
     * the first frame, even-sided (H.264's yuv420p).
     *
     * @return the {@link SequenceInterpolator#digest} of each frame's bytes as checked, for the render to know them
     */
    private static List<byte[]> checkFrames(List<Path> frames, List<String> problems) {
        List<Checked> checked = frames.parallelStream().map(f -> {
            List<String> found = new ArrayList<>();
            byte[] bytes = ImageFiles.read(f.toString(), f, found);
            InputImage image = bytes == null ? null
                    : ImageFiles.check(null, new InputImage(ImageRole.FIRST_FRAME, bytes, null, f.toString()), found);
            ImageInfo info = image == null ? null : ImageFiles.decodes(null, image, found);
            return info == null ? new Checked(found, null, null)
                    : new Checked(found, new long[] {info.width(), info.height()}, SequenceInterpolator.digest(bytes));
        }).toList();
        long[] first = null;
        Path firstFile = null;
        for (int i = 0; i < frames.size(); i++) {
            Checked c = checked.get(i);
            problems.addAll(c.problems());
            if (c.size() == null) continue;
            String size = c.size()[0] + "x" + c.size()[1];
            if (first == null) {
                first = c.size();
                firstFile = frames.get(i);
                if (first[0] % 2 != 0 || first[1] % 2 != 0) {
                    problems.add(frames.get(i) + ": " + size + " has an odd side; H.264 (yuv420p) needs even width and height");
                }
            } else if (c.size()[0] != first[0] || c.size()[1] != first[1]) {
                problems.add(frames.get(i) + ": " + size + ", but " + (firstFile == frames.getFirst() ? "the first frame"
                        : firstFile.getFileName() + " (the first readable frame)") + " is " + first[0] + "x" + first[1]
                        + "; every frame must have the same size");
            }
        }
        return checked.stream().map(Checked::digest).toList();
    }
}
