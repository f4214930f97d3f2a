package io.framegate.bench;

import java.nio.file.Path;
import java.util.List;

/**
 * Two keyframes {@code gap} frame intervals apart and the true frames between them: every method gets
 * {@code first} and {@code last} and must produce the {@code gap - 1} in-betweens.
 *
 * @param label short name, unique within its case (e.g. {@code 08-10}, {@code Urban2})
 * @param first keyframe at t = 0
 * @param last  keyframe at t = 1
 * @param gap   frame intervals from first to last (2 = one in-between)
 * @param truth the true in-betweens at t = 1/gap .. (gap-1)/gap
 */
public record Pair(String label, Path first, Path last, int gap, List<Path> truth) {
    public Pair {
        truth = List.copyOf(truth);
        if (gap < 2 || truth.size() != gap - 1) {
            throw new IllegalArgumentException("pair " + label + ": gap " + gap + " needs " + (gap - 1) + " true frames, got " + truth.size());
        }
    }

    /** Frames of the whole clip, keyframes included. */
    public int frameCount() {
        return gap + 1;
    }
}
