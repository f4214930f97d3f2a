package io.framegate.server.webhooks;

import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * Sends due webhook deliveries; runs on every instance. Each round claims a batch of due rows
 * ({@code SELECT ... FOR UPDATE SKIP LOCKED}, then a claim that expires, so two instances never send one delivery at
 * once and a dead instance's claims are taken over), POSTs each signed (a fresh {@code webhook-timestamp} and
 * signature per attempt, the same {@code webhook-id} throughout, so receivers can drop duplicates), logs the attempt,
 * and marks the delivery {@code delivered} on a 2xx, else schedules the next attempt with exponential backoff and
 * jitter ({@link WebhookSettings#delayAfter}); past {@link WebhookSettings#giveUpAfter} it is {@code failed}. A
 * delivery whose endpoint was removed is {@code cancelled}.
 */
public final class WebhookDeliverer implements AutoCloseable {
    static final int BATCH = 20;
    private static final Logger LOG = LoggerFactory.getLogger(WebhookDeliverer.class);

    private final Jdbi jdbi;
    private final WebhookSettings settings;
    private final WebhookPoster poster;
    private final Clock clock;
    private final RandomGenerator random;
    private final String owner;
    private volatile boolean closed;
    private Thread thread;
    private final Object wake = new Object();

    public WebhookDeliverer(Jdbi jdbi, WebhookSettings settings, WebhookPoster poster, Clock clock, RandomGenerator random,
                            String owner) {
        this.jdbi = jdbi;
        this.settings = settings;
        this.poster = poster;
        this.clock = clock;
        this.random = random;
        this.owner = owner;
    }

    public synchronized void start() {
        if (thread != null) return;
        thread = new Thread(this::loop, "framegate-webhooks");
        thread.setDaemon(true);
        thread.start();
    }

    /** Looks for due deliveries now (e.g. right after a job ended on this instance). */
    public void wake() {
        synchronized (wake) {
            wake.notifyAll();
        }
    }

    private void loop() {
        while (!closed) {
            try {
                while (!closed && runOnce() == BATCH) {
                    // a full batch: more may be due
                }
            } catch (RuntimeException e) {
                LOG.warn("delivering webhooks failed; retrying", e);
            }
            synchronized (wake) {
                if (closed) return;
                try {
                    wake.wait(settings.poll().toMillis());
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    /** One round: claims the due deliveries (at most {@value #BATCH}) and attempts each; how many were attempted. */
    public int runOnce() {
        long now = clock.millis();
        List<String> ids = jdbi.inTransaction(h -> {
            List<String> due = h.createQuery("SELECT id FROM webhook_deliveries WHERE status = 'pending' AND "
                            + "next_attempt_at <= :now AND (claim_expires_at IS NULL OR claim_expires_at < :now) "
                            + "ORDER BY next_attempt_at, id LIMIT " + BATCH + " FOR UPDATE SKIP LOCKED")
                    .bind("now", now).mapTo(String.class).list();
            if (!due.isEmpty()) {
                h.createUpdate("UPDATE webhook_deliveries SET claimed_by = :me, claim_expires_at = :until WHERE id IN (<ids>)")
                        .bind("me", owner).bind("until", now + settings.claimFor().toMillis()).bindList("ids", due).execute();
            }
            return due;
        });
        for (String id : ids) {
            try {
                attempt(id);
            } catch (RuntimeException e) {
                LOG.warn("webhook delivery {} could not be attempted; it is retried when its claim expires", id, e);
            }
        }
        return ids.size();
    }

    private record Due(String id, String endpointId, String payload, int attempts, long createdAt, String url,
                       String secret, Long removedAt, String eventType, String jobId) {
    }

    private void attempt(String id) {
        Optional<Due> found = jdbi.withHandle(h -> h.createQuery("SELECT d.id, d.endpoint_id, d.payload, d.attempts, "
                        + "d.created_at, e.url, e.secret, e.removed_at, d.event_type, d.job_id FROM webhook_deliveries d "
                        + "LEFT JOIN webhook_endpoints e ON e.id = d.endpoint_id WHERE d.id = :id AND d.claimed_by = :me "
                        + "AND d.status = 'pending'")
                .bind("id", id).bind("me", owner)
                .map((rs, ctx) -> new Due(rs.getString(1), rs.getString(2), rs.getString(3), rs.getInt(4), rs.getLong(5),
                        rs.getString(6), rs.getString(7), (Long) rs.getObject(8, Long.class), rs.getString(9), rs.getString(10)))
                .findOne());
        if (found.isEmpty()) return;
        Due d = found.get();
        long now = clock.millis();
        if (d.url() == null || d.removedAt() != null) {
            end(d.id(), "cancelled", d.attempts(), null, "the endpoint was removed", now);
            return;
        }
        long timestamp = now / 1000;
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", "application/json");
        headers.put("User-Agent", "Framegate-Webhooks/1.0");
        headers.put("webhook-id", d.id());
        headers.put("webhook-timestamp", String.valueOf(timestamp));
        headers.put("webhook-signature", WebhookSigner.sign(d.secret(), d.id(), timestamp, d.payload()));
        Integer status = null;
        String error = null;
        long started = System.nanoTime();
        try {
            status = poster.post(URI.create(d.url()), headers, d.payload().getBytes(StandardCharsets.UTF_8), settings.timeout());
            if (status < 200 || status > 299) error = "HTTP " + status;
        } catch (IOException | IllegalArgumentException e) {
            error = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        }
        long millis = (System.nanoTime() - started) / 1_000_000;
        int attempt = d.attempts() + 1;
        Integer httpStatus = status;
        String err = error == null ? null : error.length() > 500 ? error.substring(0, 500) : error;
        jdbi.useHandle(h -> h.createUpdate("INSERT INTO webhook_attempts (delivery_id, attempt, attempted_at, http_status, "
                        + "error, millis) VALUES (:id, :n, :at, :status, :error, :ms)")
                .bind("id", d.id()).bind("n", attempt).bind("at", now).bind("status", httpStatus).bind("error", err)
                .bind("ms", millis).execute());
        if (error == null) {
            end(d.id(), "delivered", attempt, status, null, now);
            return;
        }
        long next = now + settings.delayAfter(attempt, random.nextDouble()).toMillis();
        if (next > d.createdAt() + settings.giveUpAfter().toMillis()) {
            LOG.warn("webhook {} ({} of {}) to endpoint {} given up after {} attempts: {}", d.id(), d.eventType(),
                    d.jobId(), d.endpointId(), attempt, err);
            end(d.id(), "failed", attempt, status, err, now);
            return;
        }
        jdbi.useHandle(h -> h.createUpdate("UPDATE webhook_deliveries SET attempts = :n, next_attempt_at = :next, "
                        + "last_status = :status, last_error = :error, claimed_by = NULL, claim_expires_at = NULL "
                        + "WHERE id = :id AND claimed_by = :me")
                .bind("n", attempt).bind("next", next).bind("status", httpStatus).bind("error", err).bind("id", d.id())
                .bind("me", owner).execute());
    }

    private void end(String id, String status, int attempts, Integer httpStatus, String error, long now) {
        jdbi.useHandle(h -> h.createUpdate("UPDATE webhook_deliveries SET status = :s, attempts = :n, last_status = :hs, "
                        + "last_error = :e, ended_at = :now, claimed_by = NULL, claim_expires_at = NULL "
                        + "WHERE id = :id AND claimed_by = :me")
                .bind("s", status).bind("n", attempts).bind("hs", httpStatus).bind("e", error).bind("now", now)
                .bind("id", id).bind("me", owner).execute());
    }

    @Override
    public void close() {
        closed = true;
        wake();
        Thread t = thread;
        if (t != null) {
            try {
                t.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
