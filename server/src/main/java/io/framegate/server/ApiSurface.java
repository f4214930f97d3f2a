package io.framegate.server;

import io.javalin.Javalin;

/**
 * One wire format the server speaks (OpenAI Videos, Gemini API, Vertex AI): registers its routes and answers its
 * own errors in its own error shape. Found with {@link java.util.ServiceLoader} unless the server is given a list.
 */
public interface ApiSurface {
    /** Short name stored on the jobs it creates, e.g. {@code openai}. */
    String name();

    void register(Javalin app, ServerContext ctx);
}
