package io.framegate.server.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The server's part of {@code framegate.yaml}: which backend serves each model ({@code routes}), worker slots
 * ({@code workers}) and the database ({@code database}). Other top-level sections (providers, channels) belong to
 * other modules and are left alone here; unknown keys inside these three sections are errors.
 *
 * <pre>
 * routes:            # model id or alias -> backend name; "default" covers every other model
 *   default: local
 *   sora-2: local
 * workers:
 *   local: 1         # local renders at once (CPU-bound)
 *   cloud: 8         # cloud jobs at once
 * database:          # optional; default: embedded H2 file in the data directory
 *   url: jdbc:postgresql://db/framegate
 *   user: framegate
 *   password: secret
 * </pre>
 *
 * @param routes       model -> backend name, with the key {@code default} for every model not listed
 * @param localWorkers local renders at once
 * @param cloudWorkers cloud jobs at once
 * @param databaseUrl  JDBC URL, or null for the embedded database
 */
public record ServerConfig(Map<String, String> routes, int localWorkers, int cloudWorkers, String databaseUrl,
                           String databaseUser, String databasePassword) {
    public static final String DEFAULT_ROUTE = "default";
    public static final String LOCAL_BACKEND = "local";
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    public ServerConfig {
        routes = Map.copyOf(routes);
    }

    /** No file: every model goes to the offline engine, one local render at a time, embedded database. */
    public static ServerConfig defaults() {
        return new ServerConfig(Map.of(DEFAULT_ROUTE, LOCAL_BACKEND), 1, 8, null, null, null);
    }

    /** Reads the file if it exists, else the defaults. */
    public static ServerConfig load(Path file) throws IOException {
        if (file == null || !Files.exists(file)) return defaults();
        JsonNode root = YAML.readTree(Files.readAllBytes(file));
        if (root == null || root.isNull() || root.isMissingNode()) return defaults();
        if (!root.isObject()) throw new IOException(file + ": the config must be a mapping of sections");
        Map<String, String> routes = new LinkedHashMap<>();
        routes.put(DEFAULT_ROUTE, LOCAL_BACKEND);
        JsonNode r = root.path("routes");
        if (!r.isMissingNode() && !r.isNull()) {
            if (!r.isObject()) throw new IOException(file + ": routes must map model names to backend names");
            for (Iterator<Map.Entry<String, JsonNode>> it = r.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (!e.getValue().isTextual() || e.getValue().asText().isBlank()) {
                    throw new IOException(file + ": routes." + e.getKey() + " must name a backend, e.g. local");
                }
                routes.put(e.getKey(), e.getValue().asText().trim());
            }
        }
        JsonNode w = root.path("workers");
        checkKeys(file, "workers", w, Set.of("local", "cloud"));
        int local = positiveInt(file, "workers.local", w.path("local"), 1);
        int cloud = positiveInt(file, "workers.cloud", w.path("cloud"), 8);
        JsonNode db = root.path("database");
        checkKeys(file, "database", db, Set.of("url", "user", "password"));
        String url = db.path("url").isTextual() ? db.path("url").asText() : null;
        return new ServerConfig(routes, local, cloud, url, db.path("user").asText(null), db.path("password").asText(null));
    }

    private static void checkKeys(Path file, String section, JsonNode node, Set<String> allowed) throws IOException {
        if (node.isMissingNode() || node.isNull()) return;
        if (!node.isObject()) throw new IOException(file + ": " + section + " must be a mapping");
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!allowed.contains(k)) {
                throw new IOException(file + ": unknown key " + section + "." + k + "; known: " + String.join(", ", allowed));
            }
        }
    }

    private static int positiveInt(Path file, String name, JsonNode n, int dflt) throws IOException {
        if (n.isMissingNode() || n.isNull()) return dflt;
        if (!n.canConvertToInt() || !n.isIntegralNumber() || n.asInt() < 1) {
            throw new IOException(file + ": " + name + " must be a whole number >= 1, got " + n);
        }
        return n.asInt();
    }

    public ServerConfig withWorkers(int local, int cloud) {
        return new ServerConfig(routes, local, cloud, databaseUrl, databaseUser, databasePassword);
    }
}
