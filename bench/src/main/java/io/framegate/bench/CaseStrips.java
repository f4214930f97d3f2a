package io.framegate.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/** The strips a person looks at per case: the middle in-between of each method next to the ground truth. */
final class CaseStrips {
    private CaseStrips() {
    }

    /** Writes the side-by-side strips of a case (ground truth, engine, peer, cross-fade, error maps). */
    static void write(BenchCase c, Path dir, Function<String, Function<Pair, Path>> dirs, FfmpegPeer.Variant peer,
                                    boolean withEngine) {
        // scene cases: the middle in-between of the first pair; Middlebury: every triplet (they are small)
        List<Pair> pairs = c.middlebury() ? c.pairs() : List.of(c.pairs().getFirst());
        for (Pair p : pairs) {
            int i = p.gap() / 2;
            Rgb truth = Rgb.read(p.truth().get(i - 1));
            Rgb peerImg = Rgb.read(Scorer.frame(dirs.apply(Main.slug(peer)).apply(p), i));
            Rgb blend = Rgb.read(Scorer.frame(dirs.apply(Main.slug(FfmpegPeer.BLEND)).apply(p), i));
            List<Strips.Panel> panels = new ArrayList<>();
            panels.add(new Strips.Panel("ground truth, frame " + i + "/" + p.gap(), truth.toImage()));
            Rgb eng = withEngine ? Rgb.read(Scorer.frame(dirs.apply("engine").apply(p), i)) : null;
            if (eng != null) panels.add(new Strips.Panel(label("engine", eng, truth), eng.toImage()));
            panels.add(new Strips.Panel(label("minterpolate " + peer.name(), peerImg, truth), peerImg.toImage()));
            panels.add(new Strips.Panel(label("cross-fade", blend, truth), blend.toImage()));
            if (eng != null) panels.add(new Strips.Panel("engine error x" + Strips.ERROR_GAIN, Strips.errorMap(eng, truth)));
            panels.add(new Strips.Panel("minterpolate error x" + Strips.ERROR_GAIN, Strips.errorMap(peerImg, truth)));
            Path file = dir.resolve("strip-" + p.label() + ".png");
            Strips.write(file, panels, 3, 640);
        }
        System.out.printf("  strip%s: %s%n", pairs.size() > 1 ? "s" : "", dir.resolve("strip-" + pairs.getFirst().label() + ".png"));
    }

    private static String label(String name, Rgb img, Rgb truth) {
        return String.format(Locale.ROOT, "%s  %.2f dB", name, Metrics.psnr(img, truth));
    }
}
