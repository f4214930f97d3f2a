package io.framegate.server.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * {@code <data>/server.json}: the base URL and process id of the server running on a data directory, written at start
 * and removed at a clean stop. The CLI reads it to reach the running server's admin API (the embedded database is
 * locked while the server runs); a stale file (dead process, no answer) is ignored.
 */
public final class ServerFile {
    public static final String FILE = "server.json";
    private static final ObjectMapper JSON = JsonMapper.builder().build();

    /**
     * @param url       base URL such as {@code http://127.0.0.1:8080}
     * @param pid       the server's process id
     * @param nonce     random per server start, answered by {@code GET /admin/v1/instance}; null in an old file
     * @param startedAt the process's start instant (epoch ms), to tell a reused pid; -1 when unknown
     */
    public record Entry(String url, long pid, String nonce, long startedAt) {
    }

    /** A random instance nonce (128 bits, hex). */
    public static String newNonce() {
        byte[] b = new byte[16];
        new java.security.SecureRandom().nextBytes(b);
        return java.util.HexFormat.of().formatHex(b);
    }

    private static long startOf(ProcessHandle p) {
        return p.info().startInstant().map(java.time.Instant::toEpochMilli).orElse(-1L);
    }

    private ServerFile() {
    }

    /** Writes the file (a temporary file moved in place, so a reader never sees half of it). */
    public static void write(Path dataDir, String host, int port, String nonce) throws IOException {
        String h = host == null || host.isBlank() || host.equals("0.0.0.0") || host.equals("::") ? "127.0.0.1" : host;
        if (h.contains(":") && !h.startsWith("[")) h = "[" + h + "]";
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("url", "http://" + h + ":" + port);
        m.put("pid", ProcessHandle.current().pid());
        m.put("nonce", nonce);
        m.put("started_at", startOf(ProcessHandle.current()));
        Path tmp = Files.createTempFile(dataDir, FILE, ".tmp");
        try {
            Files.writeString(tmp, JSON.writeValueAsString(m));
            Files.move(tmp, dataDir.resolve(FILE), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Removes the file if this process wrote it (another server may have taken the directory over since). */
    public static void remove(Path dataDir) {
        try {
            Optional<Entry> e = read(dataDir);
            if (e.isPresent() && e.get().pid() == ProcessHandle.current().pid()) Files.deleteIfExists(dataDir.resolve(FILE));
        } catch (IOException ignored) {
            // a stale file is harmless: readers check the process and the URL
        }
    }

    /**
     * The entry, if the file exists and names a process that is alive and started when the file says (a pid reused
     * after a reboot by another program does not count). The caller still checks the nonce before trusting the URL.
     */
    public static Optional<Entry> read(Path dataDir) {
        Path f = dataDir.resolve(FILE);
        if (!Files.isRegularFile(f)) return Optional.empty();
        try {
            JsonNode n = JSON.readTree(Files.readString(f));
            Entry e = new Entry(n.path("url").asText(null), n.path("pid").asLong(-1), n.path("nonce").asText(null),
                    n.path("started_at").asLong(-1));
            if (e.url() == null || e.pid() <= 0) return Optional.empty();
            return ProcessHandle.of(e.pid()).filter(ProcessHandle::isAlive)
                    .filter(p -> e.startedAt() < 0 || startOf(p) < 0 || startOf(p) == e.startedAt()).map(p -> e);
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }
}
