package io.framegate.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** Scores a method's in-betweens against the true frames (keyframes excluded) with {@link Metrics}. */
public final class Scorer {
    /**
     * Means over frames.
     *
     * @param psnr   dB
     * @param ssim   FFmpeg-style SSIM over R, G, B
     * @param ie     mean absolute RGB error (Middlebury IE)
     * @param frames how many in-betweens were scored
     */
    public record Score(double psnr, double ssim, double ie, int frames) {
        static Score mean(List<Score> perFrame) {
            double p = 0, s = 0, e = 0;
            int n = 0;
            for (Score f : perFrame) {
                p += f.psnr * f.frames;
                s += f.ssim * f.frames;
                e += f.ie * f.frames;
                n += f.frames;
            }
            return new Score(p / n, s / n, e / n, n);
        }
    }

    /**
     * A case's score for one method.
     *
     * @param all     mean over every in-between of every pair
     * @param perPair mean per pair, by pair label, in case order
     */
    public record CaseScore(Score all, Map<String, Score> perPair) {
    }

    private Scorer() {
    }

    /** In-between {@code i} (1..gap-1) of a method's output directory. */
    public static Path frame(Path dir, int i) {
        return dir.resolve(String.format("%03d.png", i));
    }

    public static CaseScore score(BenchCase c, Function<Pair, Path> outputDir) {
        List<Score> frames = new ArrayList<>();
        Map<String, Score> perPair = new LinkedHashMap<>();
        for (Pair p : c.pairs()) {
            Path dir = outputDir.apply(p);
            List<Score> pairFrames = new ArrayList<>();
            for (int i = 1; i < p.gap(); i++) {
                Path out = frame(dir, i);
                if (!Files.isRegularFile(out)) throw new IllegalStateException("missing output frame " + out);
                Rgb truth = Rgb.read(p.truth().get(i - 1)), got = Rgb.read(out);
                if (!got.sameSize(truth)) {
                    throw new IllegalStateException(out + " is " + got.width() + "x" + got.height() + " but the true frame is "
                            + truth.width() + "x" + truth.height());
                }
                pairFrames.add(new Score(Metrics.psnr(got, truth), Metrics.ssim(got, truth),
                        Metrics.interpolationError(got, truth), 1));
            }
            perPair.put(p.label(), Score.mean(pairFrames));
            frames.addAll(pairFrames);
        }
        return new CaseScore(Score.mean(frames), perPair);
    }
}
