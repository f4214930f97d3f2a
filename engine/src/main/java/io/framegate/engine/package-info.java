/**
 * The offline engine: a pipeline of small stages (decode, fit, estimate motion, synthesise, encode) that turns a
 * {@link io.framegate.domain.RenderPlan} into an H.264 MP4 plus thumbnail and spritesheet. No HTTP, no network.
 */
package io.framegate.engine;
