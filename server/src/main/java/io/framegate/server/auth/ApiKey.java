package io.framegate.server.auth;

import java.time.Instant;

/**
 * A stored API key (the secret itself is never stored, only its SHA-256).
 *
 * @param id        stable id, e.g. {@code key_3f9a...}; jobs are owned by it
 * @param name      what the operator called it
 * @param hint      the first characters of the secret, to tell keys apart in listings
 * @param createdAt when it was made
 */
public record ApiKey(String id, String name, String hint, Instant createdAt) {
}
