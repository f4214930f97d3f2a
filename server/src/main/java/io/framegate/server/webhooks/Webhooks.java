package io.framegate.server.webhooks;

import org.jdbi.v3.core.Jdbi;

import java.time.Clock;
import java.util.function.Function;
import java.util.random.RandomGenerator;

/** A server's webhooks: the outbox its job store writes, the admin rules, and this instance's deliverer. */
public final class Webhooks implements AutoCloseable {
    private final Outbox outbox = Outbox.enabled();
    private final WebhookSettings settings;
    private final WebhookAdmin admin;
    private final WebhookDeliverer deliverer;

    public Webhooks(Jdbi jdbi, WebhookSettings settings, Clock clock, String instance) {
        this.settings = settings;
        WebhookPoster poster = new WebhookPoster(settings.allowPrivate());
        this.admin = new WebhookAdmin(jdbi, poster, clock);
        this.deliverer = new WebhookDeliverer(jdbi, settings, poster, clock, RandomGenerator.getDefault(), instance);
    }

    /** The default settings, private targets allowed when the environment says {@value WebhookSettings#ALLOW_PRIVATE_ENV}=true. */
    public static WebhookSettings settingsFrom(Function<String, String> env) {
        return WebhookSettings.DEFAULTS.withAllowPrivate(Boolean.parseBoolean(env.apply(WebhookSettings.ALLOW_PRIVATE_ENV)));
    }

    public Outbox outbox() {
        return outbox;
    }

    public WebhookAdmin admin() {
        return admin;
    }

    public WebhookDeliverer deliverer() {
        return deliverer;
    }

    public WebhookSettings settings() {
        return settings;
    }

    public void start() {
        deliverer.start();
    }

    @Override
    public void close() {
        deliverer.close();
    }
}
