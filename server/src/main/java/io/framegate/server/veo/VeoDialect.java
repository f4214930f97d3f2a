package io.framegate.server.veo;

/** The two Google wire shapes for Veo: the Gemini Developer API ("mldev") and Vertex AI (Agent Platform). */
public enum VeoDialect {
    GEMINI, VERTEX
}
