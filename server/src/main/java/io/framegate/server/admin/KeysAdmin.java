package io.framegate.server.admin;

import io.framegate.server.tenancy.TenantAdmin;
import io.javalin.Javalin;
import io.javalin.http.Context;

import java.util.function.Predicate;

/**
 * {@code /admin/v1/keys}: create (the answer holds the secret, once), list, read, change and revoke API keys
 * (docs/admin.md). Changes are read by the next request that uses the key.
 */
final class KeysAdmin {
    private final TenantAdmin tenants;

    KeysAdmin(TenantAdmin tenants) {
        this.tenants = tenants;
    }

    void register(Javalin app, Predicate<Context> authorized) {
        app.post("/admin/v1/keys", AdminJson.guarded(authorized,
                ctx -> ctx.status(201).json(tenants.createKey(AdminJson.body(ctx)))));
        app.get("/admin/v1/keys", AdminJson.guarded(authorized, ctx -> AdminJson.list(ctx, tenants.listKeys())));
        app.get("/admin/v1/keys/{name}", AdminJson.guarded(authorized, ctx -> ctx.json(tenants.key(ctx.pathParam("name")))));
        app.patch("/admin/v1/keys/{name}", AdminJson.guarded(authorized,
                ctx -> ctx.json(tenants.updateKey(ctx.pathParam("name"), AdminJson.body(ctx)))));
        app.post("/admin/v1/keys/{name}/revoke", AdminJson.guarded(authorized,
                ctx -> ctx.json(tenants.revokeKey(ctx.pathParam("name")))));
    }
}
