/**
 * The offline engine: a pipeline of small stages (decode, fit, estimate motion, synthesise, encode) that turns a
 * {@link io.framegate.domain.RenderPlan} into an H.264 MP4 plus thumbnail and spritesheet. No HTTP, no network.
 * <p>
 * It is also the one media toolkit that providers and server use: {@link io.framegate.engine.ImageHeader} (the image
 * sniffer and header check), {@link io.framegate.engine.ImageDecoder}, {@link io.framegate.engine.ImageFitter} (the
 * request's {@code fit}), {@link io.framegate.engine.H264} (the encoder set-up) and
 * {@link io.framegate.engine.Previews} (thumbnail and spritesheet of every result).
 */
package io.framegate.engine;
