package io.framegate.server.webhooks;

import io.framegate.domain.JobStatus;
import org.jdbi.v3.core.Handle;

import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

/**
 * Writes a job's webhook deliveries in the caller's transaction: the one that writes the job's final state (or its
 * expiry), so an event is stored exactly when the state it announces is, and survives any crash after the commit.
 * One row per endpoint of the job's key that subscribed to the event; the payload is OpenAI's event object
 * {@code {"id": "evt_...", "object": "event", "created_at", "type", "data": {"id": "video_..."}}}. Writing the same
 * event twice for a job and endpoint is a no-op.
 */
public final class Outbox {
    /** No webhooks (stores without a server). */
    public static final Outbox NONE = new Outbox(false);

    private final boolean enabled;
    private final java.util.List<EndListener> listeners = new java.util.concurrent.CopyOnWriteArrayList<>();

    /** Something else a job's end writes or counts in the same transaction (e.g. the job metrics). */
    @FunctionalInterface
    public interface EndListener {
        void ended(Handle h, String jobId, JobStatus status);
    }

    public void listen(EndListener l) {
        listeners.add(l);
    }

    private Outbox(boolean enabled) {
        this.enabled = enabled;
    }

    public static Outbox enabled() {
        return new Outbox(true);
    }

    /** The event of a job that just reached {@code status}, in the transaction of {@code h}. */
    public void jobEnded(Handle h, String jobId, JobStatus status, long nowMillis) {
        for (EndListener l : listeners) l.ended(h, jobId, status);
        WebhookEvents.of(status).ifPresent(type -> enqueue(h, jobId, type, nowMillis));
    }

    /** {@code video.expired} for a job whose files were just deleted, in the transaction of {@code h}. */
    public void jobExpired(Handle h, String jobId, long nowMillis) {
        enqueue(h, jobId, WebhookEvents.EXPIRED, nowMillis);
    }

    void enqueue(Handle h, String jobId, String type, long now) {
        if (!enabled) return;
        List<String[]> endpoints = h.createQuery("SELECT e.id, e.events FROM webhook_endpoints e JOIN jobs j "
                        + "ON j.owner_key_id = e.key_id WHERE j.id = :job AND e.removed_at IS NULL ORDER BY e.id")
                .bind("job", jobId).map((rs, ctx) -> new String[] {rs.getString(1), rs.getString(2)}).list();
        if (endpoints.isEmpty()) return;
        String eventId = "evt_" + hex();
        String payload = "{\"id\":\"" + eventId + "\",\"object\":\"event\",\"created_at\":" + now / 1000
                + ",\"type\":\"" + type + "\",\"data\":{\"id\":\"" + jobId + "\"}}";
        for (String[] e : endpoints) {
            if (!List.of(e[1].toLowerCase(Locale.ROOT).split(",")).contains(type)) continue;
            boolean exists = h.createQuery("SELECT COUNT(*) FROM webhook_deliveries WHERE endpoint_id = :e AND job_id = :j "
                    + "AND event_type = :t").bind("e", e[0]).bind("j", jobId).bind("t", type).mapTo(Integer.class).one() > 0;
            if (exists) continue;
            h.createUpdate("INSERT INTO webhook_deliveries (id, endpoint_id, event_id, event_type, job_id, payload, status, "
                            + "attempts, next_attempt_at, created_at) VALUES (:id, :e, :evt, :t, :j, :p, 'pending', 0, :now, :now)")
                    .bind("id", "wh_" + hex()).bind("e", e[0]).bind("evt", eventId).bind("t", type).bind("j", jobId)
                    .bind("p", payload).bind("now", now).execute();
        }
    }

    static String hex() {
        UUID u = UUID.randomUUID();
        return HexFormat.of().toHexDigits(u.getMostSignificantBits()) + HexFormat.of().toHexDigits(u.getLeastSignificantBits());
    }
}
