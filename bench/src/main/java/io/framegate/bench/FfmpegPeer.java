package io.framegate.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The peers, run by the {@code ffmpeg} command on the same keyframe PNGs: {@code minterpolate} in several motion
 * compensated variants and its {@code blend} mode (a plain cross-fade).
 *
 * <p>The keyframes go in as the image sequence {@code first, last, last} at {@code 24/gap} fps and the filter outputs
 * 24 fps: minterpolate only emits the interval between its second and third input frames once a frame after it has
 * arrived, so the repeated last frame makes it emit exactly {@code gap + 1} frames, keyframes included (checked).
 * The filter works in yuv444p (FFmpeg converts the RGB PNGs), so even its keyframes differ from the PNGs by
 * conversion rounding (about 52 dB) - negligible next to the interpolation errors measured.
 */
public final class FfmpegPeer {
    /**
     * One way of running the filter.
     *
     * @param name    short label for the table
     * @param options the minterpolate options after {@code fps=24:}
     * @param blend   whether this is the cross-fade floor rather than a motion-compensated peer
     */
    public record Variant(String name, String options, boolean blend) {
        public String filter() {
            return "minterpolate=fps=" + SceneRenderer.FPS + ":" + options;
        }
    }

    /** {@code me_mode=bidir} (obmc; aobmc and vsbmc are not read in bidir mode). */
    public static final Variant BIDIR = new Variant("bidir", "mi_mode=mci:mc_mode=obmc:me_mode=bidir:scd=none", false);
    /** The default {@code bilat} motion estimation with adaptive OBMC and variable-size blocks. */
    public static final Variant BILAT = new Variant("bilat", "mi_mode=mci:mc_mode=aobmc:me_mode=bilat:vsbmc=1:scd=none", false);
    public static final Variant BIDIR_WIDE = new Variant("bidir sp96", BIDIR.options() + ":search_param=96", false);
    public static final Variant BILAT_WIDE = new Variant("bilat sp96", BILAT.options() + ":search_param=96", false);
    public static final Variant BLEND = new Variant("blend", "mi_mode=blend:scd=none", true);

    /**
     * Encoder settings of the whole-command runs, mirroring the engine's {@code VideoEncoder}: libx264 veryfast, CRF 18,
     * no macroblock tree, first and last frame at QP 6, bicubic accurate-rounding colour conversion. Each run compares
     * the settings x264 wrote into both MP4s ({@link X264Options}) and reports any drift.
     */
    static List<String> x264(int frames) {
        int last = frames - 1;
        return List.of("-sws_flags", "bicubic+accurate_rnd", "-c:v", "libx264", "-preset", "veryfast", "-crf", "18",
                "-pix_fmt", "yuv420p", "-g", String.valueOf(2 * SceneRenderer.FPS),
                "-x264-params", "no-mbtree=1:zones=0,0,q=6/" + last + "," + last + ",q=6", "-movflags", "+faststart");
    }

    private FfmpegPeer() {
    }

    /** The motion-compensated variants worth trying on {@code c}; the best of them is "the peer". */
    public static List<Variant> variants(BenchCase c) {
        return c.wideSearch() ? List.of(BIDIR, BILAT, BIDIR_WIDE, BILAT_WIDE) : List.of(BIDIR, BILAT);
    }

    /** Writes frames {@code 000.png .. gap.png} into {@code outDir}; returns the command's usage (PNG output). */
    public static Proc.Usage interpolate(Pair p, Variant v, Path work, Path outDir) {
        Path in = stage(p, work);
        try {
            Files.createDirectories(outDir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<String> cmd = new ArrayList<>(input(p, in));
        cmd.addAll(List.of("-vf", v.filter(), "-frames:v", String.valueOf(p.frameCount()), "-start_number", "0",
                outDir.resolve("%03d.png").toString()));
        Proc.Usage u = Proc.timed(null, cmd);
        for (int i = 0; i <= p.gap(); i++) {
            if (!Files.isRegularFile(outDir.resolve(String.format("%03d.png", i)))) {
                throw new IllegalStateException("minterpolate " + v.name() + " gave no frame " + i + " for " + p.label()
                        + " in " + outDir + "\n" + Proc.tail(u.output()));
            }
        }
        return u;
    }

    /** The whole job as a user would run it: keyframe PNGs in, H.264 MP4 out. */
    public static Proc.Usage wholeCommand(Pair p, Variant v, Path work, Path mp4) {
        Path in = stage(p, work);
        List<String> cmd = new ArrayList<>(input(p, in));
        cmd.addAll(List.of("-vf", v.filter(), "-frames:v", String.valueOf(p.frameCount())));
        cmd.addAll(x264(p.frameCount()));
        cmd.add(mp4.toString());
        return Proc.timed(null, cmd);
    }

    /**
     * Encoding alone, for splitting the whole command's time: the frames a method produced ({@code 000.png ..}) are
     * first unpacked to raw RGB (not timed), then the timed command encodes them with the same settings, so the
     * figure is colour conversion + x264 + muxing without any PNG decoding.
     */
    public static Proc.Usage encodeOnly(Path framesDir, int frames, Path work, Path mp4) {
        int[] size = Rgb.size(framesDir.resolve("000.png"));
        Path raw = work.resolve("encode-only.rgb");
        try {
            Files.createDirectories(work);
            Proc.run(null, "ffmpeg", "-nostdin", "-y", "-v", "error", "-start_number", "0", "-i",
                    framesDir.resolve("%03d.png").toString(), "-frames:v", String.valueOf(frames), "-f", "rawvideo",
                    "-pix_fmt", "rgb24", raw.toString());
            List<String> cmd = new ArrayList<>(List.of("ffmpeg", "-nostdin", "-y", "-v", "error", "-f", "rawvideo",
                    "-pix_fmt", "rgb24", "-s", size[0] + "x" + size[1], "-framerate", String.valueOf(SceneRenderer.FPS),
                    "-i", raw.toString()));
            cmd.addAll(x264(frames));
            cmd.add(mp4.toString());
            return Proc.timed(null, cmd);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            try {
                Files.deleteIfExists(raw);
            } catch (IOException e) {
                System.err.println("bench: cannot delete " + raw + ": " + e.getMessage());
            }
        }
    }

    /**
     * A {@link BenchCase#sequence} case in one run: the input frames go in as one image sequence at {@code 24/gap}
     * fps (the last one repeated, see the class comment) and the filter writes every output frame
     * {@code 000.png ..} into {@code seqDir}; each pair's directory then gets its three frames for the scorer.
     */
    public static Proc.Usage interpolateSequence(BenchCase c, Variant v, Path work, Path seqDir, java.util.function.Function<Pair, Path> pairDirs) {
        Path in = stageSequence(c, work);
        int frames = c.sequenceFrameCount();
        try {
            Files.createDirectories(seqDir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<String> cmd = new ArrayList<>(sequenceInput(c, in));
        cmd.addAll(List.of("-vf", v.filter(), "-frames:v", String.valueOf(frames), "-start_number", "0",
                seqDir.resolve("%03d.png").toString()));
        Proc.Usage u = Proc.timed(null, cmd);
        int gap = c.pairs().getFirst().gap();
        try {
            for (int j = 0; j < c.pairs().size(); j++) {
                Path dir = pairDirs.apply(c.pairs().get(j));
                Files.createDirectories(dir);
                for (int i = 0; i <= gap; i++) {
                    Path f = seqDir.resolve(String.format("%03d.png", j * gap + i));
                    if (!Files.isRegularFile(f)) {
                        throw new IllegalStateException("minterpolate " + v.name() + " gave no frame " + (j * gap + i) + " of "
                                + frames + " in " + seqDir + "\n" + Proc.tail(u.output()));
                    }
                    Files.copy(f, dir.resolve(String.format("%03d.png", i)), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return u;
    }

    /** A {@link BenchCase#sequence} case as one user command: the image sequence in, the up-converted H.264 MP4 out. */
    public static Proc.Usage wholeSequenceCommand(BenchCase c, Variant v, Path work, Path mp4) {
        Path in = stageSequence(c, work);
        List<String> cmd = new ArrayList<>(sequenceInput(c, in));
        cmd.addAll(List.of("-vf", v.filter(), "-frames:v", String.valueOf(c.sequenceFrameCount())));
        cmd.addAll(x264(c.sequenceFrameCount()));
        cmd.add(mp4.toString());
        return Proc.timed(null, cmd);
    }

    /** Links the input frames of a sequence case as {@code 0.png ..}, the last one twice. */
    private static Path stageSequence(BenchCase c, Path work) {
        Path in = work.resolve("ffmpeg-in").resolve("sequence");
        List<Path> frames = new ArrayList<>(c.sequenceFrames());
        frames.add(frames.getLast());
        try {
            Files.createDirectories(in);
            for (int i = 0; i < frames.size(); i++) {
                Path link = in.resolve(i + ".png");
                Files.deleteIfExists(link);
                Files.createSymbolicLink(link, frames.get(i).toAbsolutePath());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot stage the sequence of " + c.name() + " in " + in, e);
        }
        return in;
    }

    private static List<String> sequenceInput(BenchCase c, Path in) {
        return List.of("ffmpeg", "-nostdin", "-y", "-v", "error", "-framerate", SceneRenderer.FPS + "/" + c.pairs().getFirst().gap(),
                "-start_number", "0", "-i", in.resolve("%d.png").toString());
    }

    private static List<String> input(Pair p, Path in) {
        return List.of("ffmpeg", "-nostdin", "-y", "-v", "error", "-framerate", SceneRenderer.FPS + "/" + p.gap(),
                "-start_number", "0", "-i", in.resolve("%d.png").toString());
    }

    /** Links {@code 0.png = first, 1.png = last, 2.png = last} into a directory of their own. */
    private static Path stage(Pair p, Path work) {
        Path in = work.resolve("ffmpeg-in").resolve(p.label());
        try {
            Files.createDirectories(in);
            Path[] src = {p.first(), p.last(), p.last()};
            for (int i = 0; i < src.length; i++) {
                Path link = in.resolve(i + ".png");
                Files.deleteIfExists(link);
                Files.createSymbolicLink(link, src[i].toAbsolutePath());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot stage " + p.label() + " in " + in, e);
        }
        return in;
    }

    public static String version() {
        String out = Proc.run(null, "ffmpeg", "-version");
        return out.lines().findFirst().orElse("ffmpeg").replace("Copyright", "").replaceAll("\\s+\\(c\\).*", "").trim();
    }
}
