package io.framegate.server.admin;

import io.framegate.domain.JobStatus;
import io.framegate.domain.ValidationException;
import io.framegate.server.auth.Authenticator;
import io.framegate.server.jobs.AdminJob;
import io.framegate.server.jobs.Job;
import io.framegate.server.jobs.JobService;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.javalin.Javalin;
import io.javalin.http.Context;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The operator's API, authenticated with the {@link AdminToken} only ({@code Authorization: Bearer <admin token>};
 * an API key gets 403, anything else 401): {@code GET /admin/v1/jobs} lists jobs of every key (e.g. those that ended
 * {@code upstream_submit_uncertain}), {@code GET /metrics} serves the counters as Prometheus text. Documented in
 * docs/admin.md.
 */
public final class AdminApi {
    static final int DEFAULT_LIMIT = 100;

    private final AdminToken token;
    private final Authenticator apiKeys;
    private final JobService jobs;
    private final PrometheusMeterRegistry metrics;
    private io.framegate.server.tenancy.TenantAdmin tenants;
    private io.framegate.server.webhooks.WebhookAdmin webhooks;
    private Runnable beforeScrape = () -> { };

    public AdminApi(AdminToken token, Authenticator apiKeys, JobService jobs, PrometheusMeterRegistry metrics) {
        this.token = token;
        this.apiKeys = apiKeys;
        this.jobs = jobs;
        this.metrics = metrics;
    }

    /** Serves {@code /admin/v1/accounts} and {@code /admin/v1/keys} from {@code tenants}. */
    public AdminApi tenants(io.framegate.server.tenancy.TenantAdmin tenants) {
        this.tenants = tenants;
        return this;
    }

    /** Serves {@code /admin/v1/webhooks} (endpoints and the delivery log) from {@code webhooks}. */
    public AdminApi webhooks(io.framegate.server.webhooks.WebhookAdmin webhooks) {
        this.webhooks = webhooks;
        return this;
    }

    /** Runs before each {@code /metrics} scrape (gauges read from the database). */
    public AdminApi beforeScrape(Runnable r) {
        this.beforeScrape = r;
        return this;
    }

    public void register(Javalin app) {
        if (webhooks != null) new WebhooksAdmin(webhooks).register(app, this::authorized);
        if (tenants != null) {
            new AccountsAdmin(tenants).register(app, this::authorized);
            new KeysAdmin(tenants).register(app, this::authorized);
        }
        app.get("/admin/v1/jobs", ctx -> {
            if (authorized(ctx)) listJobs(ctx);
        });
        new UsageApi(jobs, tenants).register(app, this::authorized);
        app.get("/metrics", ctx -> {
            if (!authorized(ctx)) return;
            beforeScrape.run();
            ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(metrics.scrape());
        });
    }

    private boolean authorized(Context ctx) {
        String auth = ctx.header("Authorization");
        String presented = auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7) ? auth.substring(7).trim() : null;
        if (presented != null && token.matches(presented)) return true;
        if (presented != null && apiKeys.find(presented).isPresent()) {
            error(ctx, 403, "permission_denied", "API keys cannot use the admin API; send the admin token "
                    + "(FRAMEGATE_ADMIN_TOKEN or <data>/admin.token)");
        } else {
            ctx.header("WWW-Authenticate", "Bearer realm=\"framegate-admin\"");
            error(ctx, 401, "unauthenticated", "the admin API needs Authorization: Bearer <admin token>");
        }
        return false;
    }

    private void listJobs(Context ctx) {
        JobStatus status = null;
        String s = ctx.queryParam("status");
        if (s != null && !s.isBlank()) {
            try {
                status = JobStatus.valueOf(s.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                invalid(ctx, "status", "status=" + s + " is not a job status; allowed: "
                        + String.join(", ", java.util.Arrays.stream(JobStatus.values()).map(v -> v.name().toLowerCase(Locale.ROOT)).toList()));
                return;
            }
        }
        String code = ctx.queryParam("error_code");
        if (code != null && code.isBlank()) code = null;
        int limit = DEFAULT_LIMIT;
        String l = ctx.queryParam("limit");
        if (l != null) {
            try {
                limit = Integer.parseInt(l.trim());
            } catch (NumberFormatException e) {
                invalid(ctx, "limit", "limit=" + l + " is not a whole number; allowed: 1.." + JobService.MAX_ADMIN_LIST_LIMIT);
                return;
            }
        }
        List<AdminJob> found;
        try {
            found = jobs.listAll(status, code, limit);
        } catch (ValidationException e) {
            invalid(ctx, "limit", e.getMessage());
            return;
        }
        List<Map<String, Object>> data = new ArrayList<>();
        for (AdminJob a : found) data.add(view(a));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("object", "list");
        body.put("data", data);
        ctx.json(body);
    }

    static Map<String, Object> view(AdminJob a) {
        Job j = a.job();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", j.id());
        m.put("owner_key_id", j.ownerKeyId());
        m.put("surface", j.surface());
        m.put("model", j.model());
        m.put("status", j.status().name().toLowerCase(Locale.ROOT));
        m.put("error_code", j.errorCode());
        m.put("error_message", j.errorMessage());
        m.put("attempts", a.attempts());
        m.put("download_attempts", a.downloadAttempts());
        m.put("backend", j.backend());
        m.put("created_at", j.createdAt() == null ? null : j.createdAt().getEpochSecond());
        m.put("started_at", j.startedAt() == null ? null : j.startedAt().getEpochSecond());
        m.put("completed_at", j.completedAt() == null ? null : j.completedAt().getEpochSecond());
        // the operator's view: every note (upstream id, channel, submit time) to find the job at the provider
        m.put("notes", j.notes());
        return m;
    }

    private static void invalid(Context ctx, String param, String message) {
        error(ctx, 400, "invalid_value", message, param);
    }

    private static void error(Context ctx, int status, String code, String message) {
        error(ctx, status, code, message, null);
    }

    static void error(Context ctx, int status, String code, String message, String param) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("message", message);
        e.put("type", status == 401 || status == 403 ? "authentication_error" : "invalid_request_error");
        e.put("param", param);
        e.put("code", code);
        ctx.status(status).json(Map.of("error", e));
    }
}
