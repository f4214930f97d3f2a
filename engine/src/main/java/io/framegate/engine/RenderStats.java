package io.framegate.engine;

import io.framegate.domain.VideoSize;

/**
 * What one {@link LocalEngine#render} produced and where the time went. Synthesis and encoding run concurrently,
 * so the stage times overlap and can add up to more than {@code totalMs}.
 *
 * @param frames      frames written
 * @param size        frame size
 * @param fps         frames per second
 * @param mode        {@code keyframes}, {@code loop} or {@code reference}
 * @param motion      the motion chosen: camera path, or how keyframes were joined (flow morph, dissolve, confidence)
 * @param decodeMs    decoding and fitting the input images
 * @param flowMs      global alignment and optical flow (keyframes), or building the camera canvas and layers
 * @param synthesisMs synthesising frames, summed over the worker threads
 * @param encodeMs    H.264 encoding and muxing on the encoder thread, plus previews
 * @param totalMs     wall time of the whole render
 */
public record RenderStats(int frames, VideoSize size, int fps, String mode, String motion,
                          long decodeMs, long flowMs, long synthesisMs, long encodeMs, long totalMs) {
}
