package io.framegate.cli;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.framegate.server.admin.AdminToken;
import io.framegate.server.admin.ServerFile;
import io.framegate.server.auth.KeyAdmin;
import io.framegate.server.tenancy.AdminException;
import io.framegate.server.tenancy.TenantAdmin;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Function;

/**
 * How the CLI reaches accounts, keys and usage of a data directory: through the admin API of the server running on
 * it ({@code <data>/server.json} names a live process whose URL answers; the admin token comes from
 * {@code FRAMEGATE_ADMIN_TOKEN} or {@code <data>/admin.token}), so a change takes effect at once and the locked
 * embedded database is not needed; otherwise by opening the database directly with the same rules.
 */
abstract class AdminLink implements AutoCloseable {
    static final ObjectMapper JSON = JsonMapper.builder().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS).build();

    /** A refused request, with the message the operator should read. */
    static final class Refused extends RuntimeException {
        Refused(String message) {
            super(message);
        }
    }

    abstract JsonNode send(String method, String path, JsonNode body);

    /** Where the requests go, for the operator ("the server at ..." or "the database in ..."). */
    abstract String where();

    @Override
    public void close() {
    }

    static AdminLink open(Path data, Path config) throws IOException {
        Optional<ServerFile.Entry> server = ServerFile.read(data);
        // the admin token goes only to a loopback URL whose server answers the nonce of server.json: a stale file
        // (pid reused, another service on the port, a rewritten URL) gets nothing, and the database is opened instead
        if (server.isPresent() && loopback(server.get().url()) && sameInstance(server.get())) {
            return new Remote(server.get().url(), token(data));
        }
        try {
            return new Direct(KeyAdmin.open(data, config), data);
        } catch (RuntimeException e) {
            if (server.isEmpty()) throw e;
            throw new Refused("cannot open the database in " + data + " (" + e.getMessage() + "), and "
                    + data.resolve(ServerFile.FILE) + " names " + server.get().url() + ", which did not prove to be this "
                    + "data directory's server (its instance nonce did not match, or it is not a loopback address); "
                    + "if a server runs on " + data + ", restart it so that it writes a fresh " + ServerFile.FILE);
        }
    }

    /** The admin API at a URL the operator gave explicitly ({@code --url}): no server.json check. */
    static AdminLink remote(String url, Path data) throws IOException {
        String base = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
        return new Remote(base, token(data));
    }

    static boolean loopback(String url) {
        try {
            String host = URI.create(url).getHost();
            if (host == null) return false;
            if (host.startsWith("[")) host = host.substring(1, host.length() - 1);
            // literal addresses only (no name lookup): 127.0.0.0/8, ::1
            return host.equalsIgnoreCase("localhost") || host.matches("127(\\.\\d{1,3}){3}")
                    || host.equals("::1") || host.equals("0:0:0:0:0:0:0:1");
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** Whether the URL's server answers {@code GET /admin/v1/instance} (no credential sent) with the file's nonce. */
    private static boolean sameInstance(ServerFile.Entry e) {
        if (e.nonce() == null) return false;
        try {
            HttpClient c = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
            HttpResponse<String> r = c.send(HttpRequest.newBuilder(URI.create(e.url() + "/admin/v1/instance"))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 && e.nonce().equals(JSON.readTree(r.body()).path("nonce").asText(null));
        } catch (IOException | RuntimeException ex) {
            return false;
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static String token(Path data) throws IOException {
        String env = System.getenv(AdminToken.ENV);
        if (env != null && !env.isBlank()) return env.trim();
        Path f = data.resolve(AdminToken.FILE);
        if (!Files.isReadable(f)) {
            throw new Refused("a server runs on " + data + " but its admin token is not readable in " + f
                    + "; set " + AdminToken.ENV + " to the token the server uses");
        }
        return Files.readString(f, StandardCharsets.UTF_8).trim();
    }

    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** Through the running server's admin API. */
    static final class Remote extends AdminLink {
        private final String base;
        private final String token;
        private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

        Remote(String base, String token) {
            this.base = base;
            this.token = token;
        }

        @Override
        String where() {
            return "the server at " + base;
        }

        @Override
        JsonNode send(String method, String path, JsonNode body) {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30))
                    .header("Authorization", "Bearer " + token).header("Accept", "application/json");
            try {
                if (body != null) {
                    b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
                } else {
                    b.method(method, HttpRequest.BodyPublishers.noBody());
                }
                HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
                JsonNode answer = r.body() == null || r.body().isBlank() ? JSON.createObjectNode() : JSON.readTree(r.body());
                if (r.statusCode() >= 400) {
                    String message = answer.path("error").path("message").asText("HTTP " + r.statusCode());
                    throw new Refused(message + (r.statusCode() == 401 ? " (is the admin token current?)" : ""));
                }
                return answer;
            } catch (IOException e) {
                throw new Refused("the server at " + base + " did not answer: " + e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new Refused("interrupted");
            }
        }
    }

    /** Straight to the database (no server runs on the data directory). */
    static final class Direct extends AdminLink {
        private final KeyAdmin admin;
        private final Path data;

        Direct(KeyAdmin admin, Path data) {
            this.admin = admin;
            this.data = data;
        }

        @Override
        String where() {
            return "the database of " + data;
        }

        @Override
        JsonNode send(String method, String path, JsonNode body) {
            try {
                return JSON.valueToTree(route(method, path, body, admin.tenants()));
            } catch (AdminException e) {
                throw new Refused(e.getMessage());
            }
        }

        /** The same paths as the admin API, answered in-process. */
        private Object route(String method, String path, JsonNode body, TenantAdmin t) {
            String[] parts = path.split("\\?", 2);
            String[] seg = parts[0].replaceFirst("^/admin/v1/", "").split("/");
            Function<Integer, String> at = i -> java.net.URLDecoder.decode(seg[i], StandardCharsets.UTF_8);
            String m = method + " " + seg[0] + "/" + (seg.length - 1);
            return switch (m) {
                case "POST accounts/0" -> t.createAccount(body);
                case "GET accounts/0" -> list(t.listAccounts());
                case "GET accounts/1" -> t.account(at.apply(1));
                case "PATCH accounts/1" -> t.updateAccount(at.apply(1), body);
                case "DELETE accounts/1" -> t.disableAccount(at.apply(1));
                case "POST keys/0" -> t.createKey(body);
                case "GET keys/0" -> list(t.listKeys());
                case "GET keys/1" -> t.key(at.apply(1));
                case "PATCH keys/1" -> t.updateKey(at.apply(1), body);
                case "POST keys/2" -> t.revokeKey(at.apply(1));
                case "GET usage/0" -> {
                    java.util.Map<String, String> q = new java.util.HashMap<>();
                    if (parts.length > 1) {
                        for (String kv : parts[1].split("&")) {
                            String[] p = kv.split("=", 2);
                            if (p.length == 2) q.put(p[0], java.net.URLDecoder.decode(p[1], StandardCharsets.UTF_8));
                        }
                    }
                    yield admin.usage().answer(q.get("by"), q.get("from"), q.get("to"));
                }
                case "POST webhooks/0" -> admin.webhooks().add(body);
                case "GET webhooks/0" -> list(admin.webhooks().list(query(parts).get("key")));
                case "DELETE webhooks/1" -> admin.webhooks().remove(at.apply(1));
                case "GET webhooks/1" -> list(admin.webhooks().deliveries(query(parts)));
                default -> throw new IllegalArgumentException("no admin path " + method + " " + path);
            };
        }

        private static java.util.Map<String, String> query(String[] parts) {
            java.util.Map<String, String> q = new java.util.HashMap<>();
            if (parts.length > 1) {
                for (String kv : parts[1].split("&")) {
                    String[] p = kv.split("=", 2);
                    if (p.length == 2) q.put(p[0], java.net.URLDecoder.decode(p[1], StandardCharsets.UTF_8));
                }
            }
            return q;
        }

        private static java.util.Map<String, Object> list(java.util.List<java.util.Map<String, Object>> data) {
            return java.util.Map.of("object", "list", "data", data);
        }

        @Override
        public void close() {
            admin.close();
        }
    }

    static ObjectNode object() {
        return JSON.createObjectNode();
    }
}
