package io.framegate.provider;

import java.time.Duration;

/**
 * A failed call to an upstream, classified so that the caller can decide between retrying on the same channel,
 * failing over to another channel, or giving up.
 */
public final class UpstreamException extends Exception {
    /** What kind of failure this is. */
    public enum Kind {
        /** 5xx, a timeout or a broken connection: worth retrying, then worth another channel. */
        TRANSIENT,
        /** 429: worth retrying after {@link #retryAfter()}, then worth another channel. */
        RATE_LIMITED,
        /** 401/403: this channel's credential is refused; another channel may work. */
        AUTH,
        /** 404: the upstream no longer has the job or its result. */
        NOT_FOUND,
        /** Any other 4xx: the upstream refuses the request itself; another channel would refuse it too. */
        REJECTED
    }

    private final Kind kind;
    private final int status;
    private final Duration retryAfter;

    public UpstreamException(Kind kind, int status, Duration retryAfter, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
        this.status = status;
        this.retryAfter = retryAfter;
    }

    public UpstreamException(Kind kind, int status, Duration retryAfter, String message) {
        this(kind, status, retryAfter, message, null);
    }

    /** Classifies an HTTP status (anything not 2xx). */
    public static Kind kindOf(int status) {
        if (status == 429) return Kind.RATE_LIMITED;
        if (status == 408 || status >= 500) return Kind.TRANSIENT;
        if (status == 401 || status == 403) return Kind.AUTH;
        if (status == 404 || status == 410) return Kind.NOT_FOUND;
        return Kind.REJECTED;
    }

    public Kind kind() {
        return kind;
    }

    /** The HTTP status, or 0 when no response arrived. */
    public int status() {
        return status;
    }

    /** The upstream's {@code Retry-After}, or null. */
    public Duration retryAfter() {
        return retryAfter;
    }

    /** Worth trying the same call again on the same channel. */
    public boolean retryable() {
        return kind == Kind.TRANSIENT || kind == Kind.RATE_LIMITED;
    }

    /** The channel (not the request) is the problem, so another channel may succeed. */
    public boolean channelProblem() {
        return kind == Kind.TRANSIENT || kind == Kind.RATE_LIMITED || kind == Kind.AUTH;
    }
}
