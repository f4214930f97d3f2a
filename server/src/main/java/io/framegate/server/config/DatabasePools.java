package io.framegate.server.config;

/**
 * The {@code database_pools} section of {@code framegate.yaml}: how many database connections each pool of a server
 * holds. Request threads (authentication, creates, reads) take theirs from {@code requests}; the job core (workers,
 * pollers, lease heartbeats, retention, webhooks, metrics) from {@code background}, so background work can never
 * make a create wait for a connection. Several instances on one PostgreSQL each hold both pools: keep
 * {@code N x (requests + background)} under the server's {@code max_connections}.
 */
public record DatabasePools(int requests, int background) {
    public static final DatabasePools DEFAULTS = new DatabasePools(10, 10);
    static final int MAX = 200;
}
