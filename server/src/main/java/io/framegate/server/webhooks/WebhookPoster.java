package io.framegate.server.webhooks;

import io.framegate.provider.AddressPolicy;
import io.framegate.provider.BoundedLookup;
import io.framegate.provider.FetchFailure;
import io.framegate.provider.PinnedFetcher;
import io.framegate.provider.PinnedResponse;

import java.io.EOFException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ProtocolException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.RejectedExecutionException;

/**
 * POSTs one webhook through {@link PinnedFetcher}, the project's one way to a URL it does not trust, with the image-URL
 * rules against SSRF: the host is resolved once ({@link BoundedLookup}), every address is checked with
 * {@link AddressPolicy} (unless private targets are allowed), and the connection goes to the checked addresses only
 * (no second lookup a DNS rebinding could answer differently); no redirects (a 3xx is the answer); TLS verified
 * against the host name. Only the answer's status line and headers are read, never its body, and the whole attempt
 * has one deadline (see {@link #post}).
 */
public final class WebhookPoster {
    /** A target the rules forbid, or a URL that is not http(s): never retried into success, but retried anyway. */
    public static final class RefusedTarget extends IOException {
        RefusedTarget(String message) {
            super(message);
        }
    }

    /** How long {@link #check} waits for the host's addresses (an admin request waits on it). */
    static final Duration CHECK_TIMEOUT = Duration.ofSeconds(10);

    /** No redirect followed, no byte of a body read, no credential header to keep from another origin. */
    private static final PinnedFetcher.Limits LIMITS = new PinnedFetcher.Limits(0, 0, Set.of());

    private final boolean allowPrivate;
    private final BoundedLookup lookup;
    private final PinnedFetcher fetcher;
    private final Duration checkTimeout;
    private final PinnedFetcher.Rule rule;

    WebhookPoster(boolean allowPrivate, PinnedFetcher.Resolver resolver, Duration checkTimeout) {
        this.allowPrivate = allowPrivate;
        this.rule = PinnedFetcher.Rule.publicHttp(allowPrivate);
        this.lookup = new BoundedLookup(resolver);
        this.fetcher = new PinnedFetcher(resolver, false); // always direct, as webhooks have always gone
        this.checkTimeout = checkTimeout;
    }

    /** @param resolver resolves a target's host; {@link InetAddress#getAllByName} unless a test gives another */
    public WebhookPoster(boolean allowPrivate, PinnedFetcher.Resolver resolver) {
        this(allowPrivate, resolver, CHECK_TIMEOUT);
    }

    public WebhookPoster(boolean allowPrivate) {
        this(allowPrivate, InetAddress::getAllByName);
    }

    /**
     * Checks a URL as a delivery would (scheme, host, addresses); the message says what is wrong. The host's lookup is
     * bounded as a delivery's is: a nameserver that never answers fails the check after {@link #CHECK_TIMEOUT}
     * instead of holding the caller (an admin request) as long as the system's resolver retries.
     */
    public InetAddress check(URI uri) throws IOException {
        String host = target(uri);
        List<InetAddress> addresses;
        try {
            addresses = lookup.resolve(host, System.nanoTime() + checkTimeout.toNanos());
        } catch (FetchFailure f) {
            if (f.reason() == FetchFailure.Reason.LOOKUP_TIMED_OUT && !busy(f)) {
                throw new IOException("could not be checked: its host " + host + " gave no addresses within "
                        + Math.min(checkTimeout.toMillis(), BoundedLookup.MAX_WAIT.toMillis()) + " ms; try again later", f);
            }
            throw inWebhookWords(f, host, checkTimeout);
        }
        for (InetAddress a : addresses) {
            if (!rule.allows(a)) throw privateTarget(host);
        }
        return addresses.get(0);
    }

    /**
     * Sends {@code body} with {@code headers} (a {@code Content-Type} among them is the body's); the HTTP status of the
     * answer, a redirect's included. {@code timeout} bounds the whole attempt, not each read: the host's lookup (at
     * most {@link BoundedLookup#MAX_WAIT} of it), connecting, the TLS handshake, sending and the answer's status line
     * and headers, however slowly they trickle in; the body of the answer is not read. A lookup still waiting on the
     * nameserver at its deadline fails the attempt ("timed out resolving host") and ends in the background.
     *
     * @throws IOException the target is refused, unreachable, not HTTP, or too slow ({@link SocketTimeoutException})
     */
    public int post(URI uri, Map<String, String> headers, byte[] body, Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        String host = target(uri);
        Map<String, List<String>> sent = new LinkedHashMap<>();
        String contentType = null;
        for (Map.Entry<String, String> h : headers.entrySet()) {
            if (h.getKey().equalsIgnoreCase("Content-Type")) contentType = h.getValue();
            else sent.put(h.getKey(), List.of(h.getValue()));
        }
        sent.put("Connection", List.of("close"));
        try (PinnedResponse answer = fetcher.post(uri, sent, body, contentType, rule, LIMITS, deadline)) {
            return answer.status();
        } catch (FetchFailure f) {
            throw inWebhookWords(f, host, timeout);
        } catch (ProtocolException e) {
            throw new IOException("the target did not answer HTTP", e);
        } catch (ConnectException e) {
            // OkHttp names the address it tried; the log names the host only, as it always has
            Throwable why = e.getCause() != null && e.getCause().getMessage() != null ? e.getCause() : e;
            throw (ConnectException) new ConnectException(why == e ? "could not connect to " + host
                    : why.getMessage()).initCause(e);
        } catch (IOException e) {
            if (e.getCause() instanceof EOFException) throw new IOException("the target did not answer HTTP", e);
            throw e;
        }
    }

    /** The host of an http(s) URL without user info, or why the URL is refused. */
    private static String target(URI uri) throws RefusedTarget {
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null) {
            throw new RefusedTarget("must be an http or https URL with a host");
        }
        if (uri.getRawUserInfo() != null) throw new RefusedTarget("must not carry a user name or password");
        String host = uri.getHost();
        return host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
    }

    /** A failure of the fetcher in the words webhook logs and the admin API have always used. */
    private static IOException inWebhookWords(FetchFailure f, String host, Duration timeout) {
        return switch (f.reason()) {
            case BAD_URL -> new RefusedTarget("must be an http or https URL with a host");
            case UNKNOWN_HOST -> new RefusedTarget("names an unknown host (" + host + ")");
            // the interceptor's refusal (a connection to an address not checked) keeps its own words
            case REFUSED_ADDRESS -> f.getMessage().contains("private") ? privateTarget(host) : f;
            case LOOKUP_TIMED_OUT -> busy(f) ? f : timedOut("timed out resolving host " + host + ": no answer within "
                    + Math.min(timeout.toMillis(), BoundedLookup.MAX_WAIT.toMillis()) + " ms", f);
            case TIMED_OUT -> timedOut("timed out: no answer within " + timeout.toMillis() + " ms", f);
            default -> f;
        };
    }

    /** The lookup was not made: too many were waiting on the nameserver. */
    private static boolean busy(FetchFailure f) {
        return f.getCause() instanceof RejectedExecutionException;
    }

    private static SocketTimeoutException timedOut(String what, FetchFailure cause) {
        SocketTimeoutException e = new SocketTimeoutException(what + " (the whole attempt: lookup, connect, send and "
                + "the answer's status line and headers)");
        e.initCause(cause);
        return e;
    }

    private static RefusedTarget privateTarget(String host) {
        return new RefusedTarget("points to a private, loopback or reserved address (" + host + "); webhooks "
                + "go to public hosts only unless " + WebhookSettings.ALLOW_PRIVATE_ENV + "=true is set "
                + "where the check runs (the server's environment, or the CLI's own when it works on the "
                + "database without a running server)");
    }
}
