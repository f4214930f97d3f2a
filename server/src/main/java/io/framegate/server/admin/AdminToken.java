package io.framegate.server.admin;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * The operator's credential for the admin API, separate from API keys: {@code FRAMEGATE_ADMIN_TOKEN} when set, else
 * the token in {@code <data>/admin.token}, created at the first start with a random value, readable by its owner only
 * (mode 0600). Only a SHA-256 digest is kept in memory; comparison takes constant time.
 */
public final class AdminToken {
    public static final String ENV = "FRAMEGATE_ADMIN_TOKEN";
    public static final String FILE = "admin.token";
    static final int MIN_LENGTH = 24;
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");
    private static final SecureRandom RANDOM = new SecureRandom();

    private final byte[] digest;
    private final Path file;
    private final boolean created;

    private AdminToken(String token, Path file, boolean created) {
        this.digest = sha256(token);
        this.file = file;
        this.created = created;
    }

    /**
     * The environment's token, else the data directory's file (made now if missing).
     *
     * @throws IllegalArgumentException the token given is shorter than {@value #MIN_LENGTH} characters
     */
    public static AdminToken load(Path dataDir, Function<String, String> env) throws IOException {
        String fromEnv = env.apply(ENV);
        if (fromEnv != null && !fromEnv.isBlank()) return new AdminToken(checked(fromEnv.trim(), ENV), null, false);
        Path f = dataDir.resolve(FILE);
        boolean created = false;
        if (!Files.exists(f)) {
            try {
                write(f, "fga_" + Base64.getUrlEncoder().withoutPadding().encodeToString(randomBytes()) + "\n");
                created = true;
            } catch (FileAlreadyExistsException raced) {
                // another start made it first: use that one
            }
        } else if (isPosix(f) && !Files.getPosixFilePermissions(f).equals(OWNER_ONLY)) {
            Files.setPosixFilePermissions(f, OWNER_ONLY);
        }
        return new AdminToken(checked(Files.readString(f, StandardCharsets.UTF_8).trim(), f.toString()), f, created);
    }

    /** Writes a temporary file (owner-only from its creation) and moves it in place, so no start sees half a token. */
    private static void write(Path f, String token) throws IOException {
        Path tmp = isPosix(f.getParent())
                ? Files.createTempFile(f.getParent(), FILE, ".tmp", PosixFilePermissions.asFileAttribute(OWNER_ONLY))
                : Files.createTempFile(f.getParent(), FILE, ".tmp");
        try {
            Files.writeString(tmp, token, StandardCharsets.UTF_8);
            Files.move(tmp, f, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static boolean isPosix(Path p) {
        return p.getFileSystem().supportedFileAttributeViews().contains("posix");
    }

    private static String checked(String token, String source) {
        if (token.length() < MIN_LENGTH) {
            throw new IllegalArgumentException("the admin token in " + source + " is too short: at least " + MIN_LENGTH
                    + " characters are required");
        }
        return token;
    }

    private static byte[] randomBytes() {
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        return b;
    }

    /** Whether {@code presented} is the admin token. */
    public boolean matches(String presented) {
        return presented != null && MessageDigest.isEqual(digest, sha256(presented));
    }

    /** The file holding the token, or empty when it came from the environment. */
    public Optional<Path> file() {
        return Optional.ofNullable(file);
    }

    /** Whether this start created the token file. */
    public boolean created() {
        return created;
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
