package io.framegate.provider;

import java.time.Duration;

/**
 * A failed call to an upstream, classified so that the caller can decide between retrying on the same channel,
 * failing over to another channel, or giving up. Its message is safe to show and log: an HTTP status, at most a
 * short upstream error code ({@link SafeText#errorCode}) and Framegate's own words, never an upstream body; a
 * configured credential in it is blanked out, and so is an upstream's text in its cause ({@link SafeText#scrubbed}).
 */
public final class UpstreamException extends Exception {
    /** What kind of failure this is. */
    public enum Kind {
        /** 5xx, a timeout or a broken connection: an idempotent call is worth retrying. */
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
    private final boolean notSent;
    private final boolean contentFiltered;
    /**
     * Error codes of a submit refused for its content: fal {@code content_policy_violation}, Ark
     * {@code Input*SensitiveContentDetected}, DashScope {@code DataInspectionFailed}, OpenAI-style
     * {@code moderation_blocked}.
     */
    private static final java.util.regex.Pattern FILTER_CODE = java.util.regex.Pattern.compile(
            "content[_ ]?policy|moderation|sensitive|DataInspection|RiskDetection",
            java.util.regex.Pattern.CASE_INSENSITIVE);

    public UpstreamException(Kind kind, int status, Duration retryAfter, String message, Throwable cause) {
        this(kind, status, retryAfter, false, false, message, cause);
    }

    public UpstreamException(Kind kind, int status, Duration retryAfter, String message) {
        this(kind, status, retryAfter, false, false, message, null);
    }

    private UpstreamException(Kind kind, int status, Duration retryAfter, boolean notSent, boolean contentFiltered,
                              String message, Throwable cause) {
        super(SafeText.withoutSecrets(message), SafeText.scrubbed(cause));
        this.kind = kind;
        this.status = status;
        this.retryAfter = retryAfter;
        this.notSent = notSent;
        this.contentFiltered = contentFiltered;
    }

    /**
     * The upstream refused the request for what it shows (its content filter), before starting anything: final, like
     * any {@link Kind#REJECTED} request, but the job ends {@code content_filtered}.
     */
    public static UpstreamException filtered(int status, String message) {
        return new UpstreamException(Kind.REJECTED, status, null, false, true, message, null);
    }

    /**
     * A non-2xx answer, classified by its status ({@link #kindOf}); a request rejection whose upstream error code
     * ({@link SafeText#errorCode}) names a content filter is {@link #filtered}.
     */
    public static UpstreamException ofStatus(int status, Duration retryAfter, String code, String message) {
        Kind kind = kindOf(status);
        boolean filtered = kind == Kind.REJECTED && code != null && FILTER_CODE.matcher(code).find();
        return new UpstreamException(kind, status, retryAfter, false, filtered, message, null);
    }

    /** No connection was made (refused, unknown host, connect timeout): the request never reached the upstream. */
    public static UpstreamException notSent(String message, Throwable cause) {
        return new UpstreamException(Kind.TRANSIENT, 0, null, true, false, message, cause);
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

    /** True when the request provably never reached the upstream (no connection was made). */
    public boolean notSent() {
        return notSent;
    }

    /** The upstream refused the submit for its content (see {@link #filtered}). */
    public boolean contentFiltered() {
        return contentFiltered;
    }

    /** Worth trying the same idempotent call (poll, download, list) again on the same channel. */
    public boolean retryable() {
        return kind == Kind.TRANSIENT || kind == Kind.RATE_LIMITED;
    }

    /**
     * The upstream provably did not start a job for this submit, because it never got it or said it would not:
     * no connection, 429, 503, 401, 403. Only such a submit may be sent again (here or to another channel).
     * Every other failure of a submit (a timeout after sending, 500/502/504, an unreadable answer) is ambiguous:
     * the upstream may have accepted, and bill, the job.
     */
    public boolean refusedBeforeAcceptance() {
        return notSent || kind == Kind.RATE_LIMITED || kind == Kind.AUTH || status == 503;
    }

    /** A refused submit worth sending again to the same channel (the credential is fine, the channel is busy). */
    public boolean submitRetryable() {
        return notSent || kind == Kind.RATE_LIMITED || status == 503;
    }

    /**
     * A submit the upstream turned down for the request itself (400, 404, 422...): nothing was started, and another
     * channel would turn it down too. Not the channel's fault, so it never cools a channel down.
     */
    public boolean requestRejected() {
        return kind == Kind.REJECTED || kind == Kind.NOT_FOUND;
    }
}
