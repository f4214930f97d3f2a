package io.framegate.bench;

import java.util.List;

/**
 * One row group of the table.
 *
 * @param name        short id ({@code small-gap}, {@code keyframe-gap}, {@code large-shift}, {@code middlebury})
 * @param description what the case shows
 * @param pairs       the keyframe pairs scored together (means over all their in-betweens)
 * @param wideSearch  whether minterpolate also runs with {@code search_param=96} (long gaps)
 * @param timed       whether whole-command timings are taken (scene cases at the benchmark size)
 * @param middlebury  whether IE is the headline figure and the published numbers are printed next to it
 * @param sequence    whether the pairs are consecutive pairs of one image sequence (pair j's last frame is pair
 *                    j+1's first): every method then up-converts the whole sequence in one command
 * @param split       whether the engine's parameters were chosen on this case or it is held out
 */
public record BenchCase(String name, String description, List<Pair> pairs, boolean wideSearch, boolean timed,
                        boolean middlebury, boolean sequence, Cases.Split split) {
    public BenchCase {
        pairs = List.copyOf(pairs);
        if (sequence) {
            for (int j = 1; j < pairs.size(); j++) {
                if (!pairs.get(j).first().equals(pairs.get(j - 1).last()) || pairs.get(j).gap() != pairs.getFirst().gap()) {
                    throw new IllegalArgumentException(name + ": pair " + pairs.get(j).label() + " does not continue the sequence");
                }
            }
        }
    }

    /** Frame width of the case's images. */
    public int width() {
        return Rgb.size(pairs.getFirst().first())[0];
    }

    /** The input frames of a {@link #sequence} case, in order. */
    public List<java.nio.file.Path> sequenceFrames() {
        List<java.nio.file.Path> frames = new java.util.ArrayList<>();
        frames.add(pairs.getFirst().first());
        for (Pair p : pairs) frames.add(p.last());
        return frames;
    }

    /** Output frames of a {@link #sequence} case: (inputs - 1) * gap + 1. */
    public int sequenceFrameCount() {
        return pairs.size() * pairs.getFirst().gap() + 1;
    }

    public int inBetweens() {
        return pairs.stream().mapToInt(p -> p.gap() - 1).sum();
    }

    public int frames() {
        return pairs.stream().mapToInt(Pair::frameCount).sum();
    }
}
