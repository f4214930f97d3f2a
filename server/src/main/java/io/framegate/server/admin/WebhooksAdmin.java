package io.framegate.server.admin;

import io.framegate.server.webhooks.WebhookAdmin;
import io.javalin.Javalin;
import io.javalin.http.Context;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Predicate;

/**
 * {@code /admin/v1/webhooks}: add (the answer holds the endpoint's {@code whsec_} secret, once), list and remove the
 * webhook endpoints of API keys, and read the delivery log (docs/webhooks.md).
 */
final class WebhooksAdmin {
    private final WebhookAdmin webhooks;

    WebhooksAdmin(WebhookAdmin webhooks) {
        this.webhooks = webhooks;
    }

    void register(Javalin app, Predicate<Context> authorized) {
        // the fixed path before the {id} pattern
        app.get("/admin/v1/webhooks/deliveries", AdminJson.guarded(authorized,
                ctx -> AdminJson.list(ctx, webhooks.deliveries(query(ctx)))));
        app.post("/admin/v1/webhooks", AdminJson.guarded(authorized,
                ctx -> ctx.status(201).json(webhooks.add(AdminJson.body(ctx)))));
        app.get("/admin/v1/webhooks", AdminJson.guarded(authorized,
                ctx -> AdminJson.list(ctx, webhooks.list(ctx.queryParam("key")))));
        app.delete("/admin/v1/webhooks/{id}", AdminJson.guarded(authorized,
                ctx -> ctx.json(webhooks.remove(ctx.pathParam("id")))));
    }

    private static Map<String, String> query(Context ctx) {
        Map<String, String> q = new HashMap<>();
        ctx.queryParamMap().forEach((k, v) -> {
            if (!v.isEmpty()) q.put(k, v.getFirst());
        });
        return q;
    }
}
