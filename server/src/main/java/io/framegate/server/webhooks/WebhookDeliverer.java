package io.framegate.server.webhooks;

import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;

/**
 * Sends due webhook deliveries; runs on every instance. Each round claims due rows for the free sending slots
 * ({@link WebhookSettings#concurrency}): {@code SELECT ... FOR UPDATE SKIP LOCKED}, then a claim that expires, so two
 * instances never send one delivery at once and a dead instance's claims are taken over. A round takes at most one
 * delivery per endpoint, and none for an endpoint this instance is already sending to, so an endpoint's deliveries go
 * out one at a time from this instance (another instance may have one open to it too) in the order they fell due and
 * a slow endpoint holds back only its own, never the other endpoints' slots. Each claimed delivery is sent at once on the sending pool, so a claim (60 s) outlasts its attempt
 * ({@link WebhookSettings#timeout}, 15 s for connect, send and answer together, see {@link WebhookPoster#post}).
 * Each attempt is signed afresh (a new {@code webhook-timestamp} and signature, the same {@code webhook-id}
 * throughout, so receivers can drop duplicates) and logged; a 2xx marks the delivery {@code delivered}, anything else
 * schedules the next attempt with exponential backoff and jitter ({@link WebhookSettings#delayAfter}); past
 * {@link WebhookSettings#giveUpAfter} it is {@code failed}. A delivery whose endpoint was removed is {@code cancelled}.
 */
public final class WebhookDeliverer implements AutoCloseable {
    /** Due rows one claim looks at (in due order); it takes the first of each endpoint, up to the free slots. */
    static final int CANDIDATES = 20;
    private static final Logger LOG = LoggerFactory.getLogger(WebhookDeliverer.class);
    /** What closing waits beyond an attempt's timeout: for an attempt that just ended to record itself. */
    static final java.time.Duration CLOSE_MARGIN = java.time.Duration.ofSeconds(5);

    private final Jdbi jdbi;
    private final WebhookSettings settings;
    private final WebhookPoster poster;
    private final Clock clock;
    private final RandomGenerator random;
    private final String owner;
    /** Sends the claimed deliveries: as many threads as slots, each started (and ended when idle) as needed. */
    private final ThreadPoolExecutor pool;
    /** Guards {@link #inFlight} and {@link #sending}; a claim is made under it, so it never overbooks the slots. */
    private final Object slots = new Object();
    private int inFlight;
    /** The endpoints this instance has an attempt in flight to. */
    private final Set<String> sending = new HashSet<>();
    private volatile boolean closed;
    private Thread thread;
    private final Object wake = new Object();
    /** Guarded by {@link #wake}: a wake-up came while the loop was not waiting. */
    private boolean woken;

    public WebhookDeliverer(Jdbi jdbi, WebhookSettings settings, WebhookPoster poster, Clock clock, RandomGenerator random,
                            String owner) {
        this.jdbi = jdbi;
        this.settings = settings;
        this.poster = poster;
        this.clock = clock;
        this.random = random;
        this.owner = owner;
        this.pool = new ThreadPoolExecutor(settings.concurrency(), settings.concurrency(), 30, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), Thread.ofPlatform().daemon().name("framegate-webhook-send-", 1).factory());
        pool.allowCoreThreadTimeOut(true);
    }

    public synchronized void start() {
        if (thread != null) return;
        thread = new Thread(this::loop, "framegate-webhooks");
        thread.setDaemon(true);
        thread.start();
    }

    /** Looks for due deliveries now (e.g. right after a job ended on this instance, or a slot came free). */
    public void wake() {
        synchronized (wake) {
            woken = true;
            wake.notifyAll();
        }
    }

    private void loop() {
        while (!closed) {
            try {
                // claims for the free slots and returns; each attempt that ends wakes the loop to fill its slot again
                send(claim(), true);
            } catch (RuntimeException e) {
                LOG.warn("delivering webhooks failed; retrying", e);
            }
            synchronized (wake) {
                if (closed) return;
                try {
                    if (!woken) wake.wait(settings.poll().toMillis());
                } catch (InterruptedException e) {
                    return;
                }
                woken = false;
            }
        }
    }

    /**
     * One round, waited for: claims due deliveries for the free slots (at most one per endpoint, none for an endpoint
     * an attempt is already under way to) and attempts them at once, concurrently; how many were attempted.
     */
    public int runOnce() {
        List<Claim> claimed = claim();
        for (Future<?> f : send(claimed, false)) {
            try {
                f.get();
            } catch (ExecutionException e) {
                LOG.warn("a webhook attempt failed", e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return claimed.size();
    }

    private record Claim(String id, String endpointId) {
    }

    /** Claims as many due deliveries as there are free slots, each counted in flight until {@link #done}. */
    private List<Claim> claim() {
        synchronized (slots) {
            List<Claim> claimed = new ArrayList<>();
            try {
                while (inFlight < settings.concurrency()) {
                    List<Claim> more = claimDue(settings.concurrency() - inFlight, List.copyOf(sending));
                    if (more.isEmpty()) break;
                    for (Claim c : more) {
                        inFlight++;
                        sending.add(c.endpointId());
                    }
                    claimed.addAll(more);
                }
            } catch (RuntimeException e) {
                if (claimed.isEmpty()) throw e;
                LOG.warn("claiming more webhook deliveries failed; sending the {} claimed", claimed.size(), e);
            }
            return claimed;
        }
    }

    /** One claim transaction: the first due delivery of each endpoint not in {@code busy}, at most {@code free}. */
    private List<Claim> claimDue(int free, List<String> busy) {
        long now = clock.millis();
        return jdbi.inTransaction(h -> {
            var query = h.createQuery("SELECT id, endpoint_id FROM webhook_deliveries WHERE status = 'pending' AND "
                            + "next_attempt_at <= :now AND (claim_expires_at IS NULL OR claim_expires_at < :now)"
                            + (busy.isEmpty() ? "" : " AND endpoint_id NOT IN (<busy>)")
                            + " ORDER BY next_attempt_at, id LIMIT " + CANDIDATES + " FOR UPDATE SKIP LOCKED")
                    .bind("now", now);
            if (!busy.isEmpty()) query.bindList("busy", busy);
            List<Claim> due = query.map((rs, ctx) -> new Claim(rs.getString(1), rs.getString(2))).list();
            Set<String> endpoints = new HashSet<>();
            List<Claim> mine = new ArrayList<>();
            for (Claim c : due) {
                if (mine.size() < free && endpoints.add(c.endpointId())) mine.add(c);
            }
            if (!mine.isEmpty()) {
                h.createUpdate("UPDATE webhook_deliveries SET claimed_by = :me, claim_expires_at = :until WHERE id IN (<ids>)")
                        .bind("me", owner).bind("until", now + settings.claimFor().toMillis())
                        .bindList("ids", mine.stream().map(Claim::id).toList()).execute();
            }
            return mine;
        });
    }

    /** Starts the attempts of {@code claimed} on the pool (they have their slots); {@code refill}: wake when each ends. */
    private List<Future<?>> send(List<Claim> claimed, boolean refill) {
        List<Future<?>> running = new ArrayList<>();
        for (Claim c : claimed) {
            try {
                running.add(pool.submit(() -> {
                    try {
                        attempt(c.id());
                    } catch (RuntimeException e) {
                        LOG.warn("webhook delivery {} could not be attempted; it is retried when its claim expires", c.id(), e);
                    } finally {
                        done(c);
                        if (refill) wake();
                    }
                }));
            } catch (RejectedExecutionException closing) {
                done(c); // shutting down: the claim expires and another instance (or the next start) sends it
            }
        }
        return running;
    }

    private void done(Claim c) {
        synchronized (slots) {
            inFlight--;
            sending.remove(c.endpointId());
        }
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
        pool.shutdown();
        try {
            if (t != null) t.join(2000);
            // attempts under way end within their timeout: wait for that (and the writes recording them) before the
            // database closes, so an accepted POST is marked delivered rather than left claimed and sent again once
            // the claim expires; what still has not ended (a stuck database) is retried then
            if (!pool.awaitTermination(settings.timeout().plus(CLOSE_MARGIN).toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.warn("webhook attempts still under way at shutdown; they are retried once their claims expire");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
