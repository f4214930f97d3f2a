package io.framegate.server.admin;

import io.framegate.domain.Money;
import io.framegate.server.jobs.AdminJob;
import io.framegate.server.jobs.JobService;
import io.framegate.server.jobs.LedgerReader;
import io.javalin.Javalin;
import io.javalin.http.Context;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * The money part of the admin API (docs/admin.md, "Money"): {@code GET /admin/v1/usage} (grouped by key, account,
 * model or day), {@code GET /admin/v1/ledger} (entries, newest first) and {@code GET /admin/v1/jobs/{id}} (one job of
 * any key with its ledger entries). Each handler is called only after the admin token was checked.
 */
final class UsageApi {
    private final JobService jobs;
    /** Key and account names (or ids) -> ids, 404 when unknown; null without tenant administration (ids as given). */
    private final io.framegate.server.tenancy.TenantAdmin tenants;

    UsageApi(JobService jobs, io.framegate.server.tenancy.TenantAdmin tenants) {
        this.jobs = jobs;
        this.tenants = tenants;
    }

    void register(Javalin app, Predicate<Context> authorized) {
        app.get("/admin/v1/usage", AdminJson.guarded(authorized, ctx -> ctx.json(jobs.ledger()
                .usage(ctx.queryParam("by"), ctx.queryParam("from"), ctx.queryParam("to")))));
        app.get("/admin/v1/ledger", AdminJson.guarded(authorized, this::ledger));
        app.get("/admin/v1/jobs/{id}", ctx -> {
            if (authorized.test(ctx)) job(ctx);
        });
    }

    private void ledger(Context ctx) {
        int limit = AdminApi.DEFAULT_LIMIT;
        String l = ctx.queryParam("limit");
        if (l != null) {
            try {
                limit = Integer.parseInt(l.trim());
            } catch (NumberFormatException e) {
                limit = -1;
            }
            if (limit < 1 || limit > LedgerReader.MAX_LIMIT) {
                AdminApi.error(ctx, 400, "invalid_value", "limit=" + l + " is out of range; allowed: 1.." + LedgerReader.MAX_LIMIT,
                        "limit");
                return;
            }
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("object", "list");
        // by name or id, as the keys and accounts routes take them: a name that filtered on ids would list nothing
        String key = blankToNull(ctx.queryParam("key")), account = blankToNull(ctx.queryParam("account"));
        if (tenants != null) {
            if (key != null) key = tenants.keyIdOf(key);
            if (account != null) account = tenants.accountIdOf(account);
        }
        body.put("data", jobs.ledger().entries(key, account, limit));
        ctx.json(body);
    }

    private void job(Context ctx) {
        Optional<AdminJob> found = jobs.findAny(ctx.pathParam("id"));
        if (found.isEmpty()) {
            AdminApi.error(ctx, 404, "not_found", "no job with id '" + ctx.pathParam("id") + "'", null);
            return;
        }
        Map<String, Object> view = AdminApi.view(found.get());
        view.put("ledger", jobs.ledger().ofJob(found.get().job().id()));
        ctx.json(view);
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }
}
