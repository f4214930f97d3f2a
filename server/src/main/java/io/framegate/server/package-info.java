/**
 * The HTTP server: {@link io.framegate.server.FramegateServer} wires the job store, workers, storage and keys,
 * and each {@link io.framegate.server.ApiSurface} (OpenAI, Gemini, Vertex) registers its routes over them.
 */
package io.framegate.server;
