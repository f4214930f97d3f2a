package io.framegate.domain;

/**
 * A request checked against its model and completed with the model's defaults: everything an engine or provider
 * needs to produce the video, in resolved form.
 *
 * @param model          the catalog entry
 * @param request        the request as given
 * @param size           output frame size
 * @param aspectRatio    e.g. {@code 16:9}
 * @param resolution     resolution class, e.g. {@code 720p}
 * @param seconds        duration in whole seconds as the API reports it (for {@code num_frames}: rounded up)
 * @param fps            frames per second
 * @param frameCount     frames to produce
 * @param numberOfVideos how many videos
 * @param audio          whether an audio track is produced
 * @param seed           the seed (0 when none was given, so a request without seed is repeatable too)
 */
public record RenderPlan(
        ModelSpec model,
        GenerationRequest request,
        VideoSize size,
        String aspectRatio,
        String resolution,
        int seconds,
        int fps,
        int frameCount,
        int numberOfVideos,
        boolean audio,
        long seed) {

    /** Exact duration in seconds: {@code frameCount / fps}. */
    public double durationSeconds() {
        return (double) frameCount / fps;
    }

    /** {@link #maxPrice()} in USD, for display only (money itself is never computed in floating point). */
    public java.util.Optional<Double> estimatedCostUsd() {
        return maxPrice().map(p -> p.micros() / 1_000_000.0);
    }

    /**
     * The most this plan can cost, in exact micro-dollars: catalog price per second (at this resolution class) x
     * duration x videos, rounded up to the micro-dollar, plus any price per video x videos; empty when the catalog has
     * no price. What a job reserves.
     */
    public java.util.Optional<Money> maxPrice() {
        return model.priceOf(resolution, frameCount, fps, numberOfVideos);
    }

    /** Seconds of video this plan renders, all videos together (rounded up): what a video-seconds limit counts. */
    public long videoSeconds() {
        return Math.ceilDiv((long) frameCount * numberOfVideos, (long) fps);
    }
}
