package io.framegate.server.auth;

import io.framegate.server.db.Database;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * README: "keys are stored hashed". Keys made in a real embedded H2 file: no byte sequence of any secret (whole, or
 * its random part) is anywhere in the data directory once the database is closed, while the stored hash is, and the
 * secret still authenticates.
 */
class KeysStoredHashedTest {
    @TempDir
    Path dir;

    @Test
    void noSecretIsWrittenToTheDatabaseFileOnlyItsHash() throws Exception {
        List<String> secrets = new ArrayList<>();
        List<String> hashes = new ArrayList<>();
        try (Database db = Database.embedded(dir)) {
            KeyStore keys = new KeyStore(db.jdbi());
            for (String name : List.of("web", "batch", "ops")) {
                KeyStore.CreatedKey k = keys.create(name);
                secrets.add(k.secret());
                assertThat(keys.find(k.secret())).map(ApiKey::id).contains(k.key().id());
                hashes.add(db.jdbi().withHandle(h -> h.createQuery("SELECT key_hash FROM api_keys WHERE id = :id")
                        .bind("id", k.key().id()).mapTo(String.class).one()));
            }
        }
        byte[] all = everyFileUnder(dir);
        assertThat(all.length).as("the database wrote its file").isGreaterThan(0);
        for (int i = 0; i < secrets.size(); i++) {
            String secret = secrets.get(i);
            String randomPart = secret.substring(secret.length() - 40);
            assertThat(hashes.get(i)).doesNotContain(randomPart);
            assertThat(indexOf(all, hashes.get(i))).as("the hash is in the file (we read the right store)").isNotNegative();
            assertThat(indexOf(all, secret)).as("secret %d in the file", i).isNegative();
            assertThat(indexOf(all, randomPart)).as("the random part of secret %d in the file", i).isNegative();
        }
    }

    private static byte[] everyFileUnder(Path root) throws Exception {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path f : files.filter(Files::isRegularFile).sorted().toList()) out.writeBytes(Files.readAllBytes(f));
        }
        return out.toByteArray();
    }

    private static int indexOf(byte[] haystack, String needle) {
        byte[] n = needle.getBytes(StandardCharsets.UTF_8);
        outer:
        for (int i = 0; i + n.length <= haystack.length; i++) {
            for (int j = 0; j < n.length; j++) if (haystack[i + j] != n[j]) continue outer;
            return i;
        }
        return -1;
    }
}
