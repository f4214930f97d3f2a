package io.framegate.server.ops;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * {@code GET /openapi.json}: the OpenAPI 3.1 description of every route (the OpenAI surface with Framegate's
 * extensions, the Veo surfaces, the admin API), written by hand in {@code io/framegate/server/openapi.json}; a test
 * checks that it names every registered route and nothing else, so it cannot drift.
 */
public final class OpenApiDocument {
    public static final String RESOURCE = "/io/framegate/server/openapi.json";
    private static volatile String text;

    private OpenApiDocument() {
    }

    public static String text() {
        String t = text;
        if (t == null) {
            try (InputStream in = OpenApiDocument.class.getResourceAsStream(RESOURCE)) {
                if (in == null) throw new IllegalStateException(RESOURCE + " is missing from the jar");
                t = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            text = t;
        }
        return t;
    }
}
