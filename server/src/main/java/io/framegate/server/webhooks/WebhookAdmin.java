package io.framegate.server.webhooks;

import com.fasterxml.jackson.databind.JsonNode;
import io.framegate.server.tenancy.AdminException;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Webhook endpoints and their delivery log, with the admin API's rules (the server's {@code /admin/v1/webhooks} and
 * the CLI without a server). An endpoint belongs to one API key and receives the events of that key's jobs. Its URL
 * is checked when added as a delivery checks it ({@link WebhookPoster#check}): http(s), a host that resolves, and no
 * private, loopback or reserved address unless allowed.
 */
public final class WebhookAdmin {
    static final Set<String> ADD_FIELDS = Set.of("key", "url", "events");
    static final int MAX_URL = 2048;
    static final int MAX_ENDPOINTS_PER_KEY = 20;

    private final Jdbi jdbi;
    private final WebhookPoster poster;
    private final Clock clock;

    public WebhookAdmin(Jdbi jdbi, WebhookPoster poster, Clock clock) {
        this.jdbi = jdbi;
        this.poster = poster;
        this.clock = clock;
    }

    /** Adds an endpoint: {@code {"key": name or id, "url", "events": [...] or "a,b"}}; the answer holds its secret. */
    public Map<String, Object> add(JsonNode body) {
        for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!ADD_FIELDS.contains(f)) throw AdminException.invalid(f, "unknown field '" + f + "'; allowed: key, url, events");
        }
        String keyRef = text(body, "key");
        String url = text(body, "url");
        if (keyRef == null) throw AdminException.invalid("key", "key is required: the name or id of the API key whose jobs' events this endpoint receives");
        if (url == null) throw AdminException.invalid("url", "url is required: where the events are POSTed");
        if (url.length() > MAX_URL) throw AdminException.invalid("url", "url is longer than " + MAX_URL + " characters");
        List<String> events = events(body.get("events")); // before the URL's name lookup: cheap checks first
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw AdminException.invalid("url", "url=" + url + " is not a valid URL: " + e.getReason());
        }
        try {
            poster.check(uri);
        } catch (IOException e) {
            throw AdminException.invalid("url", "url=" + url + " " + e.getMessage());
        }
        String secret = WebhookSigner.newSecret();
        String id = "whep_" + Outbox.hex().substring(0, 24);
        long now = clock.millis();
        return jdbi.inTransaction(h -> {
            String keyId = keyId(h, keyRef);
            int count = h.createQuery("SELECT COUNT(*) FROM webhook_endpoints WHERE key_id = :k AND removed_at IS NULL")
                    .bind("k", keyId).mapTo(Integer.class).one();
            if (count >= MAX_ENDPOINTS_PER_KEY) {
                throw AdminException.conflict("key", "key '" + keyRef + "' already has " + count + " webhook endpoints (at most "
                        + MAX_ENDPOINTS_PER_KEY + "); remove one first");
            }
            h.createUpdate("INSERT INTO webhook_endpoints (id, key_id, url, secret, events, created_at) "
                            + "VALUES (:id, :k, :url, :secret, :events, :now)")
                    .bind("id", id).bind("k", keyId).bind("url", url).bind("secret", secret)
                    .bind("events", String.join(",", events)).bind("now", now).execute();
            Map<String, Object> view = endpoint(h, id);
            view.put("secret", secret);
            return view;
        });
    }

    /** Endpoints, newest first, of one key (name or id) or of every key; removed ones included ({@code removed_at}). */
    public List<Map<String, Object>> list(String keyRef) {
        return jdbi.withHandle(h -> {
            String keyId = keyRef == null || keyRef.isBlank() ? null : keyId(h, keyRef);
            List<String> ids = h.createQuery("SELECT id FROM webhook_endpoints" + (keyId == null ? "" : " WHERE key_id = :k")
                            + " ORDER BY created_at DESC, id").bindMap(keyId == null ? Map.of() : Map.of("k", keyId))
                    .mapTo(String.class).list();
            List<Map<String, Object>> out = new ArrayList<>();
            for (String id : ids) out.add(endpoint(h, id));
            return out;
        });
    }

    /** Removes an endpoint: nothing more is sent to it (pending deliveries end {@code cancelled}); its log stays. */
    public Map<String, Object> remove(String id) {
        return jdbi.inTransaction(h -> {
            h.createUpdate("UPDATE webhook_endpoints SET removed_at = :now WHERE id = :id AND removed_at IS NULL")
                    .bind("now", clock.millis()).bind("id", id).execute();
            return endpoint(h, id);
        });
    }

    /**
     * The delivery log, newest first: each delivery with its attempts. Filters: {@code endpoint}, {@code job},
     * {@code status} ({@code pending}, {@code delivered}, {@code failed}, {@code cancelled}), {@code limit} (1..1000).
     */
    public List<Map<String, Object>> deliveries(Map<String, String> query) {
        StringBuilder sql = new StringBuilder("SELECT id, endpoint_id, event_id, event_type, job_id, status, attempts, "
                + "next_attempt_at, last_status, last_error, created_at, ended_at FROM webhook_deliveries WHERE 1 = 1");
        Map<String, Object> binds = new LinkedHashMap<>();
        for (String f : List.of("endpoint", "job", "status")) {
            String v = query.get(f);
            if (v == null || v.isBlank()) continue;
            if (f.equals("status") && !List.of("pending", "delivered", "failed", "cancelled").contains(v)) {
                throw AdminException.invalid("status", "status=" + v + " is not a delivery status; allowed: pending, "
                        + "delivered, failed, cancelled");
            }
            sql.append(" AND ").append(f.equals("endpoint") ? "endpoint_id" : f.equals("job") ? "job_id" : "status")
                    .append(" = :").append(f);
            binds.put(f, v);
        }
        int limit = 100;
        String l = query.get("limit");
        if (l != null) {
            try {
                limit = Integer.parseInt(l.strip());
            } catch (NumberFormatException e) {
                limit = -1;
            }
            if (limit < 1 || limit > 1000) throw AdminException.invalid("limit", "limit=" + l + " is not allowed; allowed: 1..1000");
        }
        sql.append(" ORDER BY created_at DESC, id LIMIT ").append(limit);
        return jdbi.withHandle(h -> {
            List<Map<String, Object>> rows = h.createQuery(sql.toString()).bindMap(binds).mapToMap().list();
            List<Map<String, Object>> out = new ArrayList<>();
            for (Map<String, Object> r : rows) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("object", "webhook_delivery");
                for (String c : List.of("id", "endpoint_id", "event_id", "event_type", "job_id", "status", "attempts")) {
                    m.put(c, r.get(c));
                }
                m.put("next_attempt_at", "pending".equals(r.get("status")) ? seconds(r.get("next_attempt_at")) : null);
                m.put("last_http_status", r.get("last_status"));
                m.put("last_error", r.get("last_error"));
                m.put("created_at", seconds(r.get("created_at")));
                m.put("ended_at", seconds(r.get("ended_at")));
                m.put("attempt_log", h.createQuery("SELECT attempt, attempted_at, http_status, error, millis FROM "
                                + "webhook_attempts WHERE delivery_id = :id ORDER BY attempt").bind("id", r.get("id"))
                        .map((rs, ctx) -> {
                            Map<String, Object> a = new LinkedHashMap<>();
                            a.put("attempt", rs.getInt(1));
                            a.put("at", rs.getLong(2) / 1000);
                            a.put("http_status", rs.getObject(3, Integer.class));
                            a.put("error", rs.getString(4));
                            a.put("ms", rs.getLong(5));
                            return a;
                        }).list());
                out.add(m);
            }
            return out;
        });
    }

    private static Object seconds(Object millis) {
        return millis == null ? null : ((Number) millis).longValue() / 1000;
    }

    private static Map<String, Object> endpoint(Handle h, String id) {
        return h.createQuery("SELECT e.id, e.key_id, k.name AS key_name, e.url, e.events, e.created_at, e.removed_at "
                        + "FROM webhook_endpoints e LEFT JOIN api_keys k ON k.id = e.key_id WHERE e.id = :id")
                .bind("id", id).map((rs, ctx) -> {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("object", "webhook_endpoint");
                    m.put("id", rs.getString("id"));
                    m.put("key_id", rs.getString("key_id"));
                    m.put("key_name", rs.getString("key_name"));
                    m.put("url", rs.getString("url"));
                    m.put("events", List.of(rs.getString("events").split(",")));
                    m.put("created_at", rs.getLong("created_at") / 1000);
                    Long removed = rs.getObject("removed_at", Long.class);
                    m.put("removed_at", removed == null ? null : removed / 1000);
                    return m;
                }).findOne().orElseThrow(() -> AdminException.notFound("webhook endpoint", id));
    }

    /** An active key by id ({@code key_...}) or name. */
    private static String keyId(Handle h, String ref) {
        List<String> ids = h.createQuery("SELECT id FROM api_keys WHERE (id = :r OR name = :r) AND revoked_at IS NULL "
                + "ORDER BY created_at, id").bind("r", ref).mapTo(String.class).list();
        if (ids.isEmpty()) throw AdminException.notFound("active key", ref);
        if (ids.size() > 1) {
            throw AdminException.conflict("key", ids.size() + " active keys are named '" + ref + "'; address one by its id: " + ids);
        }
        return ids.getFirst();
    }

    private static List<String> events(JsonNode node) {
        if (node == null || node.isNull()) return WebhookEvents.ALL;
        List<String> raw = new ArrayList<>();
        if (node.isArray()) node.forEach(n -> raw.add(n.asText()));
        else if (node.isTextual()) raw.addAll(List.of(node.asText().split(",")));
        else throw AdminException.invalid("events", "events must be an array of event names or a comma-separated string");
        Set<String> out = new LinkedHashSet<>();
        for (String e : raw) {
            String name = e.strip().toLowerCase(Locale.ROOT);
            if (name.isEmpty()) continue;
            if (!WebhookEvents.ALL.contains(name)) {
                throw AdminException.invalid("events", "events: '" + e.strip() + "' is not an event; allowed: "
                        + String.join(", ", WebhookEvents.ALL));
            }
            out.add(name);
        }
        if (out.isEmpty()) throw AdminException.invalid("events", "events is empty; allowed: " + String.join(", ", WebhookEvents.ALL));
        return List.copyOf(out);
    }

    private static String text(JsonNode body, String field) {
        JsonNode n = body.get(field);
        if (n == null || n.isNull()) return null;
        if (!n.isTextual()) throw AdminException.invalid(field, field + " must be a string");
        String s = n.asText().strip();
        return s.isEmpty() ? null : s;
    }
}
