package io.framegate.bench;

import java.util.List;

/**
 * Time and memory of one method over all pairs of a case, each pair run as its own whole command.
 *
 * @param wallSeconds   summed wall time of the whole commands (keyframe PNGs in, MP4 out)
 * @param cpuSeconds    summed user + system CPU time
 * @param peakRssMb     largest peak resident set size of any of the commands
 * @param frames        frames written to the MP4s (keyframes included)
 * @param synthSeconds  time spent making frames (NaN when unknown)
 * @param encodeSeconds time spent encoding (NaN when unknown)
 */
public record Timing(double wallSeconds, double cpuSeconds, double peakRssMb, int frames, double synthSeconds,
                     double encodeSeconds) {
    public double fps() {
        return frames / wallSeconds;
    }

    static Timing sum(List<Timing> parts) {
        double wall = 0, cpu = 0, rss = 0, synth = 0, enc = 0;
        int frames = 0;
        for (Timing t : parts) {
            wall += t.wallSeconds;
            cpu += t.cpuSeconds;
            rss = Math.max(rss, t.peakRssMb);
            frames += t.frames;
            synth += t.synthSeconds;
            enc += t.encodeSeconds;
        }
        return new Timing(wall, cpu, rss, frames, synth, enc);
    }
}
