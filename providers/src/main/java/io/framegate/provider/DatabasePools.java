package io.framegate.provider;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * The {@code database_pools} section of {@code framegate.yaml}: how many database connections each pool of a server
 * holds. Request threads (authentication, creates, reads) take theirs from {@code requests}; the job core (workers,
 * pollers, lease heartbeats, retention, webhooks, metrics) from {@code background}, so background work can never
 * make a create wait for a connection. Several instances on one PostgreSQL each hold both pools: keep
 * {@code N x (requests + background)} under the server's {@code max_connections}.
 */
public record DatabasePools(int requests, int background) {
    public static final DatabasePools DEFAULTS = new DatabasePools(10, 10);
    private static final Set<String> KEYS = Set.of("requests", "background");
    private static final int MAX = 200;

    static DatabasePools parse(JsonNode node, List<String> problems) {
        if (node.isMissingNode() || node.isNull()) return DEFAULTS;
        if (!node.isObject()) {
            problems.add("database_pools: must be a mapping with requests and/or background (connections per pool)");
            return DEFAULTS;
        }
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!KEYS.contains(k)) problems.add("database_pools." + k + ": unknown key; allowed: background, requests");
        }
        return new DatabasePools(size(node, "requests", DEFAULTS.requests(), problems),
                size(node, "background", DEFAULTS.background(), problems));
    }

    private static int size(JsonNode node, String key, int dflt, List<String> problems) {
        JsonNode v = node.get(key);
        if (v == null || v.isNull()) return dflt;
        if (!v.canConvertToInt() || !v.isIntegralNumber() || v.asInt() < 1 || v.asInt() > MAX) {
            problems.add("database_pools." + key + ": " + v.asText() + " is not a whole number of connections from 1 to " + MAX);
            return dflt;
        }
        return v.asInt();
    }
}
