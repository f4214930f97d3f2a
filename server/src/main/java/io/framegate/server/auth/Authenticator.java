package io.framegate.server.auth;

import io.javalin.http.Context;

import java.util.Locale;
import java.util.Optional;

/**
 * Finds the API key of a request, the way each surface's clients send it. A surface calls the method for its
 * scheme and answers 401 in its own error shape when the result is empty.
 */
public final class Authenticator {
    private final KeyStore keys;

    public Authenticator(KeyStore keys) {
        this.keys = keys;
    }

    /** OpenAI: {@code Authorization: Bearer <key>}. */
    public Optional<ApiKey> bearer(Context ctx) {
        return bearerToken(ctx).flatMap(keys::find);
    }

    /** Gemini API: header {@code x-goog-api-key}, else query {@code ?key=}. */
    public Optional<ApiKey> googleApiKey(Context ctx) {
        String header = ctx.header("x-goog-api-key");
        if (header != null && !header.isBlank()) return keys.find(header.trim());
        String query = ctx.queryParam("key");
        return query == null ? Optional.empty() : keys.find(query.trim());
    }

    /** Vertex AI: {@code Authorization: Bearer <key>}, or {@code x-goog-api-key} in express mode. */
    public Optional<ApiKey> bearerOrGoogleApiKey(Context ctx) {
        Optional<String> token = bearerToken(ctx);
        if (token.isPresent()) return keys.find(token.get());
        String header = ctx.header("x-goog-api-key");
        return header == null || header.isBlank() ? Optional.empty() : keys.find(header.trim());
    }

    /** Looks up a key given as plain text. */
    public Optional<ApiKey> find(String secret) {
        return keys.find(secret);
    }

    private static Optional<String> bearerToken(Context ctx) {
        String auth = ctx.header("Authorization");
        if (auth == null) return Optional.empty();
        String trimmed = auth.trim();
        if (trimmed.length() <= 7 || !trimmed.substring(0, 7).toLowerCase(Locale.ROOT).equals("bearer ")) {
            return Optional.empty();
        }
        return Optional.of(trimmed.substring(7).trim());
    }
}
