package io.framegate.server.auth;

import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/** API keys in the database, hashed with SHA-256 (the secret has 256 random bits, so a plain hash is enough). */
public final class KeyStore {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String PREFIX = "fg-";
    /** The account of keys made without one (and of every key made before accounts existed). */
    public static final String DEFAULT_ACCOUNT = "acct_default";

    private final Jdbi jdbi;

    public KeyStore(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    /** A new key and its secret; the secret is shown once and cannot be recovered later. */
    public record CreatedKey(ApiKey key, String secret) {
    }

    public CreatedKey create(String name) {
        return jdbi.withHandle(h -> create(h, name, DEFAULT_ACCOUNT));
    }

    /** Inserts a new key of {@code accountId} on {@code h} (the caller's transaction). */
    public static CreatedKey create(Handle h, String name, String accountId) {
        if (name == null || name.isBlank()) throw new IllegalArgumentException("a key needs a name");
        if (name.length() > 200) throw new IllegalArgumentException("a key name has at most 200 characters");
        byte[] raw = new byte[32];
        RANDOM.nextBytes(raw);
        String secret = PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
        byte[] idBytes = new byte[8];
        RANDOM.nextBytes(idBytes);
        ApiKey key = new ApiKey("key_" + HexFormat.of().formatHex(idBytes), name.trim(),
                secret.substring(0, PREFIX.length() + 4), Instant.ofEpochMilli(System.currentTimeMillis()));
        h.createUpdate("INSERT INTO api_keys (id, name, key_hash, key_hint, created_at, account_id) "
                        + "VALUES (:id, :name, :hash, :hint, :created, :account)")
                .bind("id", key.id()).bind("name", key.name()).bind("hash", hash(secret)).bind("hint", key.hint())
                .bind("created", key.createdAt().toEpochMilli()).bind("account", accountId).execute();
        return new CreatedKey(key, secret);
    }

    /**
     * The key whose secret this is, if it exists, is not revoked or expired and its account is not disabled. Read
     * from the database on every call (no cache), so a revocation or expiry counts from the next request on.
     */
    public Optional<ApiKey> find(String secret) {
        if (secret == null || secret.isBlank() || secret.length() > 512) return Optional.empty();
        return jdbi.withHandle(h -> h.createQuery("SELECT k.id, k.name, k.key_hint, k.created_at FROM api_keys k "
                        + "JOIN accounts a ON a.id = k.account_id WHERE k.key_hash = :hash AND k.revoked_at IS NULL "
                        + "AND (k.expires_at IS NULL OR k.expires_at > :now) AND a.disabled_at IS NULL")
                .bind("hash", hash(secret.trim())).bind("now", System.currentTimeMillis())
                .map((rs, ctx) -> new ApiKey(rs.getString(1), rs.getString(2), rs.getString(3),
                        Instant.ofEpochMilli(rs.getLong(4))))
                .findOne());
    }

    public List<ApiKey> list() {
        return jdbi.withHandle(h -> h.createQuery("SELECT id, name, key_hint, created_at FROM api_keys "
                        + "WHERE revoked_at IS NULL ORDER BY created_at, id")
                .map((rs, ctx) -> new ApiKey(rs.getString(1), rs.getString(2), rs.getString(3),
                        Instant.ofEpochMilli(rs.getLong(4))))
                .list());
    }

    public int count() {
        return jdbi.withHandle(h -> h.createQuery("SELECT COUNT(*) FROM api_keys WHERE revoked_at IS NULL")
                .mapTo(Integer.class).one());
    }

    static String hash(String secret) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(md.digest(secret.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
