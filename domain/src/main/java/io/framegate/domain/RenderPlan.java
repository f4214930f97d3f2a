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

    /** Estimated cost in USD from the catalog's per-second price, for all videos; empty when the catalog has no price. */
    public java.util.Optional<Double> estimatedCostUsd() {
        return model.pricePerSecondAt(resolution).map(p -> p * durationSeconds() * numberOfVideos);
    }
}
