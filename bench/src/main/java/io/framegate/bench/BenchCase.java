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
 */
public record BenchCase(String name, String description, List<Pair> pairs, boolean wideSearch, boolean timed,
                        boolean middlebury) {
    public BenchCase {
        pairs = List.copyOf(pairs);
    }

    public int inBetweens() {
        return pairs.stream().mapToInt(p -> p.gap() - 1).sum();
    }

    public int frames() {
        return pairs.stream().mapToInt(Pair::frameCount).sum();
    }
}
