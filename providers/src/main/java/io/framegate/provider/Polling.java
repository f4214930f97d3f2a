package io.framegate.provider;

import io.framegate.domain.GenerationContext;
import io.framegate.domain.GenerationException;

import java.time.Duration;
import java.time.Instant;

/**
 * How one target reads its upstream job's state: the blocking loop ({@link #untilDone}, sleeping between polls on
 * the job's thread) and the single step the job core schedules from the database ({@link #once}, no thread waits
 * between polls). Both keep the same cadence: the first look {@code poll_initial} after the submit, the interval
 * growing by {@code poll_factor} up to {@code poll_max}, the upstream's hint honoured up to {@code poll_max}, a wait
 * that would pass the deadline cut to end {@link CallGuard#lastCallMargin} before it for one last look.
 */
final class Polling {
    private final UpstreamBackend target;
    private final Retrier retrier;
    private final ProviderSettings settings;

    Polling(UpstreamBackend target, Retrier retrier) {
        this.target = target;
        this.retrier = retrier;
        this.settings = target.settings();
    }

    /** A job the upstream itself ended (failed, filtered, expired, unknown): there is nothing left to cancel there. */
    static final class UpstreamEnded extends GenerationException {
        UpstreamEnded(String code, String message, Throwable cause) {
            super(code, message, cause);
        }
    }

    Poll.Done untilDone(String handle, GenerationContext ctx, CallGuard guard) throws Exception {
        Duration interval = settings.pollInitial();
        Duration wait = interval;
        int polls = 0;
        while (true) {
            guard.sleep(guard.clampWait(wait), "polling " + handle);
            Poll p = call(handle, ctx, guard);
            polls++;
            if (p instanceof Poll.Running r) {
                ctx.progress().onProgress("upstream", Math.max(0, r.progressPercent()), 100);
                wait = hinted(r, interval);
                interval = grown(interval);
                if (guard.atLastCall()) throw pastDeadline(handle, guard.deadline());
            } else {
                return ended(p, handle, ctx, polls);
            }
        }
    }

    /**
     * One poll, no retry and no sleep: a transient failure (5xx, 429, timeout) is another {@link PollStep.Wait}
     * ({@code Retry-After} or the interval), so an upstream outage costs no thread either.
     *
     * @param deadline the job's deadline (submit + {@code timing.deadline})
     */
    PollStep once(String handle, GenerationContext ctx, Instant deadline, Duration interval, int polls)
            throws GenerationException {
        Duration margin = margin();
        Instant now = target.ticker().now();
        Duration remaining = Duration.between(now, deadline);
        boolean last = remaining.compareTo(margin) <= 0;
        // the deadline bounds the call; one that is due late (the server was down) still gets its last look
        Duration timeout = min(settings.requestTimeout(), last ? max(remaining, margin) : remaining);
        Poll p;
        try {
            p = read(handle, timeout);
        } catch (UpstreamException e) {
            if (!e.retryable()) throw failed(handle, e);
            String msg = "poll " + handle + " failed (" + e.getMessage() + ")";
            if (last) {
                throw new GenerationException("timeout", "job deadline passed during poll " + handle + " (deadline "
                        + deadline + "; last try: " + e.getMessage() + ")", e);
            }
            Duration want = e.retryAfter() != null && !e.retryAfter().isNegative() ? e.retryAfter() : interval;
            Duration wait = clamp(want, deadline, margin);
            ctx.note("retry", msg + "; retrying in " + wait.toMillis() + " ms"
                    + (e.retryAfter() != null ? " (Retry-After)" : ""));
            return new PollStep.Wait(wait, grown(interval), polls);
        }
        int n = polls + 1;
        if (p instanceof Poll.Running r) {
            ctx.progress().onProgress("upstream", Math.max(0, r.progressPercent()), 100);
            if (last) throw pastDeadline(handle, deadline);
            return new PollStep.Wait(clamp(hinted(r, interval), deadline, margin), grown(interval), n);
        }
        ended(p, handle, ctx, n);
        return new PollStep.Ready(n);
    }

    /** One poll, retried (sleeping) on transient failures until the deadline: downloads and the blocking loop. */
    Poll call(String handle, GenerationContext ctx, CallGuard guard) throws GenerationException {
        try {
            return retrier.idempotent("poll " + handle, guard,
                    () -> read(handle, guard.callTimeout(settings.requestTimeout())),
                    msg -> ctx.note("retry", msg));
        } catch (UpstreamException e) {
            throw failed(handle, e);
        }
    }

    /**
     * One poll call. A provider that cannot read an answer (inline bytes that are not base64, a field of another type)
     * may throw: that answer is as unreadable as one that is not JSON, so it is looked at again until the deadline,
     * instead of escaping as an internal error that the server's poller would retry for ever.
     */
    private Poll read(String handle, Duration timeout) throws UpstreamException {
        try {
            return target.channel().upstream().poll(handle, timeout);
        } catch (RuntimeException e) {
            throw new UpstreamException(UpstreamException.Kind.TRANSIENT, 200, null,
                    "poll " + handle + ": the upstream's answer could not be read", e);
        }
    }

    /** The wait after a "still running" answer, cut to the deadline. */
    Duration nextWait(Poll.Running r, Duration interval, CallGuard guard) {
        return guard.clampWait(hinted(r, interval));
    }

    /** A finished poll: the videos, or the job's end (filtered, failed, expired) as an exception. */
    Poll.Done ended(Poll p, String handle, GenerationContext ctx, int polls) throws GenerationException {
        String id = target.id();
        switch (p) {
            case Poll.Done d -> {
                ctx.note("polls", String.valueOf(polls));
                if (d.videos().isEmpty()) {
                    throw new UpstreamEnded("upstream_failed", id + " reported " + handle + " done without any video", null);
                }
                return d;
            }
            case Poll.Filtered f -> {
                String reason = SafeText.redact(f.reason());
                ctx.note("content_filtered", reason);
                throw new UpstreamEnded("content_filtered", reason, null);
            }
            case Poll.Failed f when "expired".equals(f.code()) -> throw new UpstreamEnded("upstream_expired",
                    id + " job " + handle + " expired before download: " + SafeText.redact(f.message()), null);
            case Poll.Failed f -> throw new UpstreamEnded("upstream_failed", id + " job " + handle + " failed"
                    + (f.code() != null ? " (" + SafeText.redact(f.code()) + ")" : "") + ": " + SafeText.redact(f.message()), null);
            case Poll.Running r -> throw new IllegalStateException("still running");
        }
    }

    private GenerationException failed(String handle, UpstreamException e) {
        if (e.kind() == UpstreamException.Kind.NOT_FOUND) {
            return new UpstreamEnded("upstream_expired", target.id() + " no longer knows job " + handle + ": "
                    + e.getMessage(), e);
        }
        return new GenerationException("upstream_failed", "polling " + handle + " on " + target.id() + " failed: "
                + e.getMessage(), e);
    }

    GenerationException pastDeadline(String handle, Instant deadline) {
        // waits are cut to end just before the deadline: that was the last look
        return new GenerationException("timeout", "job deadline passed while " + handle + " was still running on "
                + target.id() + " (deadline " + deadline + ")");
    }

    /** A hint is honoured up to poll_max: an hour-long (or garbage) hint must not outwait the job. */
    private Duration hinted(Poll.Running r, Duration interval) {
        return min(settings.pollMax(), r.pollAfter() != null && r.pollAfter().compareTo(interval) > 0 ? r.pollAfter() : interval);
    }

    private Duration grown(Duration interval) {
        return min(settings.pollMax(), Duration.ofMillis((long) (interval.toMillis() * settings.pollFactor())));
    }

    /** Kept free before the deadline for the last look: a tenth of the job's time, at most 2 s (as {@link CallGuard}). */
    Duration margin() {
        Duration tenth = settings.deadline().dividedBy(10);
        return min(tenth, CallGuard.MAX_LAST_CALL_MARGIN);
    }

    private Duration clamp(Duration want, Instant deadline, Duration margin) {
        Duration room = Duration.between(target.ticker().now(), deadline.minus(margin));
        if (!room.isPositive()) return Duration.ZERO;
        return min(want, room);
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }
}
