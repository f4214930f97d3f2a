package io.framegate.server.links;

import org.jdbi.v3.core.Jdbi;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;

/**
 * Secrets the server makes once and keeps in its database ({@code server_secrets}), so every instance sharing the
 * database uses the same one and a restart keeps it (an embedded database lives in the data directory). The first
 * instance to start inserts a random value; an instance that loses that race reads the winner's.
 */
public final class ServerSecrets {
    private static final SecureRandom RANDOM = new SecureRandom();

    private ServerSecrets() {
    }

    /** The secret named {@code name} (32 random bytes, base64url), made now if the database has none. */
    public static byte[] getOrCreate(Jdbi jdbi, String name, long nowMillis) {
        Optional<String> found = read(jdbi, name);
        if (found.isEmpty()) {
            byte[] b = new byte[32];
            RANDOM.nextBytes(b);
            String value = Base64.getUrlEncoder().withoutPadding().encodeToString(b);
            try {
                jdbi.useHandle(h -> h.createUpdate("INSERT INTO server_secrets (name, secret, created_at) "
                        + "VALUES (:name, :secret, :now)").bind("name", name).bind("secret", value).bind("now", nowMillis)
                        .execute());
            } catch (RuntimeException raced) {
                // another instance inserted it first (primary key): its value is read below
            }
            found = read(jdbi, name);
        }
        return Base64.getUrlDecoder().decode(found.orElseThrow(() ->
                new IllegalStateException("server secret " + name + " could neither be read nor stored")));
    }

    private static Optional<String> read(Jdbi jdbi, String name) {
        return jdbi.withHandle(h -> h.createQuery("SELECT secret FROM server_secrets WHERE name = :name")
                .bind("name", name).mapTo(String.class).findOne());
    }
}
