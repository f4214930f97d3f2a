package io.framegate.server.admin;

import io.framegate.server.tenancy.TenantAdmin;
import io.javalin.Javalin;
import io.javalin.http.Context;

import java.util.function.Predicate;

/** {@code /admin/v1/accounts}: create, list, read, change and disable accounts (docs/admin.md). */
final class AccountsAdmin {
    private final TenantAdmin tenants;

    AccountsAdmin(TenantAdmin tenants) {
        this.tenants = tenants;
    }

    void register(Javalin app, Predicate<Context> authorized) {
        app.post("/admin/v1/accounts", AdminJson.guarded(authorized,
                ctx -> ctx.status(201).json(tenants.createAccount(AdminJson.body(ctx)))));
        app.get("/admin/v1/accounts", AdminJson.guarded(authorized, ctx -> AdminJson.list(ctx, tenants.listAccounts())));
        app.get("/admin/v1/accounts/{name}", AdminJson.guarded(authorized,
                ctx -> ctx.json(tenants.account(ctx.pathParam("name")))));
        app.patch("/admin/v1/accounts/{name}", AdminJson.guarded(authorized,
                ctx -> ctx.json(tenants.updateAccount(ctx.pathParam("name"), AdminJson.body(ctx)))));
        app.delete("/admin/v1/accounts/{name}", AdminJson.guarded(authorized,
                ctx -> ctx.json(tenants.disableAccount(ctx.pathParam("name")))));
    }
}
