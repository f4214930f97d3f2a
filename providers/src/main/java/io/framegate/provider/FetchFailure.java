package io.framegate.provider;

import java.io.IOException;

/**
 * Why a {@link PinnedFetcher} fetch ended without a usable answer. The message names the host at most, never an
 * address the name resolved to, a header or a body, so a caller may pass it on to a client.
 */
public final class FetchFailure extends IOException {
    public enum Reason {
        /** Not a URL the fetcher can send (no host, a scheme the rule does not take, unreadable). */
        BAD_URL,
        UNKNOWN_HOST,
        /** The host gave no addresses before the deadline (or {@link BoundedLookup#MAX_WAIT}). */
        LOOKUP_TIMED_OUT,
        /** The host resolved to an address the rule refuses; nothing was sent to it. */
        REFUSED_ADDRESS,
        /** A redirect's {@code Location} could not be read. */
        BAD_REDIRECT,
        TOO_MANY_REDIRECTS,
        /** The fetch's deadline passed (connecting, waiting for the answer or reading its body). */
        TIMED_OUT,
        /** The body is (or declared itself) larger than the fetch's cap. */
        TOO_LARGE,
        /** The body ended before the length it declared. */
        TRUNCATED
    }

    private final Reason reason;
    private final String host;
    private final int status;

    FetchFailure(Reason reason, String host, int status, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
        this.host = host;
        this.status = status;
    }

    FetchFailure(Reason reason, String host, String message) {
        this(reason, host, 0, message, null);
    }

    public Reason reason() {
        return reason;
    }

    /** The host of the hop that failed, as the URL wrote it (brackets of an IPv6 literal removed). */
    public String host() {
        return host;
    }

    /** The HTTP status of the answer that ended the fetch ({@link Reason#TOO_MANY_REDIRECTS}); 0 otherwise. */
    public int status() {
        return status;
    }
}
