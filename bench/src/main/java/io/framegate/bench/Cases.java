package io.framegate.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** Builds the benchmark cases from the rendered scenes and the Middlebury "Other" triplets. */
public final class Cases {
    private Cases() {
    }

    /**
     * Small gap: the orbit's even frames 0, 2, .., 24 as one image sequence, doubled in frame rate by one command per
     * method; the in-betweens are scored against the true odd frames 1, 3, .., 23 (12 triplets k, k+2 -> k+1).
     */
    public static BenchCase smallGap(List<Path> orbit) {
        List<Pair> pairs = new ArrayList<>();
        for (int k = 0; k + 2 < orbit.size(); k += 2) {
            pairs.add(new Pair(String.format("%02d-%02d", k, k + 2), orbit.get(k), orbit.get(k + 2), 2, List.of(orbit.get(k + 1))));
        }
        return new BenchCase("small-gap", "orbit+dolly, frames 0,2,..,24 doubled in one command -> 1,3,..,23 ("
                + pairs.size() + " triplets)", pairs, false, true, false, true);
    }

    /** Keyframe gap: first and last frame one second apart, all 23 in-betweens (orbit, dolly, occlusion, spin). */
    public static BenchCase keyframeGap(List<Path> orbit) {
        return new BenchCase("keyframe-gap", "orbit+dolly, frames 0,24 -> 1..23",
                List.of(span("00-24", orbit)), true, true, false, false);
    }

    /** Large shift: a 240 px pan (at 1280 wide) between keyframes one second apart. */
    public static BenchCase largeShift(List<Path> pan, int width) {
        int shift = Math.round(240f * width / 1280f);
        return new BenchCase("large-shift", "pan ~" + shift + " px, frames 0,24 -> 1..23",
                List.of(span("00-24", pan)), true, true, false, false);
    }

    private static Pair span(String label, List<Path> frames) {
        return new Pair(label, frames.getFirst(), frames.getLast(), frames.size() - 1, frames.subList(1, frames.size() - 1));
    }

    /** The 12 Middlebury "Other" triplets: frame10, frame11 -> frame10i11. */
    public static BenchCase middlebury(Path dir) {
        List<Pair> pairs = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path seq : s.filter(Files::isDirectory).sorted().toList()) {
                Path a = seq.resolve("frame10.png"), b = seq.resolve("frame11.png"), gt = seq.resolve("frame10i11.png");
                if (Files.isRegularFile(a) && Files.isRegularFile(b) && Files.isRegularFile(gt)) {
                    pairs.add(new Pair(seq.getFileName().toString(), a, b, 2, List.of(gt)));
                }
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot list " + dir, e);
        }
        if (pairs.isEmpty()) throw new IllegalStateException("no Middlebury triplets (frame10/frame11/frame10i11.png) under " + dir);
        return new BenchCase("middlebury", "Middlebury Other, " + pairs.size() + " real triplets", pairs, false, false, true, false);
    }

    /**
     * Where the Middlebury data lives: {@code $FRAMEGATE_DATA/middlebury-other}, else {@code shared/data} beside the
     * repository (how CI and the other checkouts lay it out), else {@code /work/shared/data}.
     */
    public static Path findMiddlebury(Path repoRoot) {
        List<Path> candidates = new ArrayList<>();
        String env = System.getenv("FRAMEGATE_DATA");
        if (env != null && !env.isBlank()) candidates.add(Path.of(env).resolve("middlebury-other"));
        candidates.add(repoRoot.toAbsolutePath().normalize().resolveSibling("shared").resolve("data").resolve("middlebury-other"));
        candidates.add(repoRoot.toAbsolutePath().normalize().resolve("..").resolve("..").resolve("shared").resolve("data")
                .resolve("middlebury-other").normalize());
        candidates.add(Path.of("/work/shared/data/middlebury-other"));
        return candidates.stream().filter(Files::isDirectory).findFirst().orElse(null);
    }
}
