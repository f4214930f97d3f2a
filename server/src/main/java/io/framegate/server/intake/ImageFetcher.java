package io.framegate.server.intake;

import io.framegate.provider.AddressPolicy;
import io.framegate.provider.FetchFailure;
import io.framegate.provider.PinnedFetcher;
import io.framegate.provider.PinnedResponse;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ProtocolException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Downloads image URLs for requests on a small pool of its own threads, each download bounded by a deadline that
 * covers the lookup, connecting, the headers and the whole body (a server trickling a byte a second is cut off at
 * it) and by a byte limit. The fetch itself is {@link PinnedFetcher}'s: the host is resolved once, every address it
 * resolves to is checked against {@link AddressPolicy}, and the connection goes to that checked address (no second
 * lookup a DNS rebinding could answer differently). A GET, no redirects, TLS verified against the URL's host name.
 */
public final class ImageFetcher {
    /** The environment variable that lifts the address rule when {@code true} (trusted networks, tests). */
    public static final String ALLOW_PRIVATE_ENV = "FRAMEGATE_ALLOW_PRIVATE_IMAGE_URLS";
    private static final Map<String, List<String>> ACCEPT = Map.of("Accept", List.of("image/png, image/jpeg, image/webp"));

    private final ThreadPoolExecutor pool;
    private final PinnedFetcher fetcher;
    private final PinnedFetcher.Rule rule;

    /**
     * @param concurrency  downloads at once (a few more may wait, within their deadline; beyond that, BUSY)
     * @param allowPrivate also fetch from private and local addresses (tests, trusted networks)
     */
    public ImageFetcher(int concurrency, boolean allowPrivate, PinnedFetcher.Resolver resolver) {
        this.fetcher = new PinnedFetcher(resolver, false);
        this.rule = PinnedFetcher.Rule.publicHttp(allowPrivate);
        this.pool = new ThreadPoolExecutor(concurrency, concurrency, 30, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(concurrency * 8), r -> {
                    Thread t = new Thread(r, "framegate-image-fetch");
                    t.setDaemon(true);
                    return t;
                });
        pool.allowCoreThreadTimeOut(true);
    }

    public ImageFetcher(int concurrency, boolean allowPrivate) {
        this(concurrency, allowPrivate, InetAddress::getAllByName);
    }

    /** Whether {@code env} (the server's environment) says {@value #ALLOW_PRIVATE_ENV}=true. */
    public static boolean allowPrivateFrom(java.util.function.Function<String, String> env) {
        return Boolean.parseBoolean(env.apply(ALLOW_PRIVATE_ENV));
    }

    /**
     * The body of {@code url} (http or https), at most {@code maxBytes}, within {@code timeout}.
     *
     * @throws FetchException every failure, with a message fit for the client
     */
    public byte[] fetch(String url, long maxBytes, Duration timeout) throws FetchException {
        URI uri;
        try {
            uri = new URI(url);
        } catch (java.net.URISyntaxException e) {
            throw new FetchException(FetchException.Kind.INVALID_URL, "is not a valid URL: " + e.getReason());
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null) {
            throw new FetchException(FetchException.Kind.INVALID_URL, "must be a data: URL or an http(s) URL");
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        Future<byte[]> task;
        try {
            task = pool.submit(() -> download(uri, maxBytes, deadline));
        } catch (RejectedExecutionException e) {
            throw new FetchException(FetchException.Kind.BUSY, "could not be fetched: the server is downloading too "
                    + "many images right now; try again shortly or send the image as an upload");
        }
        try {
            return task.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw timedOut(timeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FetchException(FetchException.Kind.UNREACHABLE, "could not be fetched: interrupted");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof FetchException fe) throw fe;
            if (e.getCause() instanceof SocketTimeoutException) throw timedOut(timeout);
            throw new FetchException(FetchException.Kind.UNREACHABLE, "could not be fetched from " + uri.getHost()
                    + " (" + describe(e.getCause()) + ")");
        } finally {
            task.cancel(true); // the fetch's own deadline ends its call; this only drops a task still queued
        }
    }

    private static FetchException timedOut(Duration timeout) {
        return new FetchException(FetchException.Kind.TIMEOUT, "was not downloaded within " + timeout.toMillis()
                + " ms (the limit for the whole download, body included)");
    }

    private byte[] download(URI uri, long maxBytes, long deadline) throws IOException, FetchException {
        String host = uri.getHost().startsWith("[") ? uri.getHost().substring(1, uri.getHost().length() - 1) : uri.getHost();
        try (PinnedResponse r = fetcher.get(uri, ACCEPT, rule, new PinnedFetcher.Limits(0, maxBytes, Set.of()), deadline)) {
            if (r.status() != 200) {
                throw new FetchException(FetchException.Kind.UNREACHABLE, "answered HTTP " + r.status()
                        + "; the image must be directly downloadable (redirects are not followed)");
            }
            try (InputStream in = r.body()) {
                return in.readAllBytes();
            }
        } catch (FetchFailure f) {
            if (f.reason() == FetchFailure.Reason.TIMED_OUT) throw new SocketTimeoutException("deadline passed");
            throw switch (f.reason()) {
                case UNKNOWN_HOST -> new FetchException(FetchException.Kind.UNREACHABLE, "names an unknown host (" + host + ")");
                case REFUSED_ADDRESS -> new FetchException(FetchException.Kind.FORBIDDEN_ADDRESS, "points to a private, "
                        + "local or reserved address (" + host + "); this server only downloads images from public hosts. "
                        + "Send the image as a file upload or a data: URL instead");
                case TOO_LARGE -> tooLarge(maxBytes);
                case LOOKUP_TIMED_OUT -> new FetchException(FetchException.Kind.TIMEOUT, "could not be fetched: its host ("
                        + host + ") gave no addresses in time");
                case TRUNCATED -> new FetchException(FetchException.Kind.UNREACHABLE, "could not be fetched: " + f.getMessage());
                case BAD_URL -> new FetchException(FetchException.Kind.INVALID_URL, "is not a URL that can be fetched");
                default -> new FetchException(FetchException.Kind.UNREACHABLE, "could not be fetched from " + host
                        + " (" + describe(f) + ")");
            };
        } catch (ProtocolException e) {
            throw new FetchException(FetchException.Kind.UNREACHABLE, "could not be fetched: " + host + " did not answer HTTP");
        }
    }

    private static FetchException tooLarge(long maxBytes) {
        return new FetchException(FetchException.Kind.TOO_LARGE, "is larger than the " + maxBytes
                + " bytes left for images in this request");
    }

    private static String describe(Throwable t) {
        if (t instanceof java.net.ConnectException) return "connection refused";
        if (t instanceof javax.net.ssl.SSLException) return "TLS failed";
        return "connection failed";
    }
}
