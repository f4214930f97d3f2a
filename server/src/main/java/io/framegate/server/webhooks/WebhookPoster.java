package io.framegate.server.webhooks;

import io.framegate.provider.AddressPolicy;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * POSTs one webhook over HTTP/1.1 with the image-URL rules against SSRF: the host is resolved once, every address is
 * checked with {@link AddressPolicy} (unless private targets are allowed), and the connection goes to the checked
 * address (no second lookup a DNS rebinding could answer differently); no redirects; TLS verified against the host
 * name. Only the status line of the answer is read, and the whole attempt has one deadline (see {@link #post}).
 */
public final class WebhookPoster {
    /** Resolves a host name; {@link InetAddress#getAllByName} unless a test gives another. */
    @FunctionalInterface
    public interface Resolver {
        InetAddress[] resolve(String host) throws UnknownHostException;
    }

    /** A target the rules forbid, or a URL that is not http(s): never retried into success, but retried anyway. */
    public static final class RefusedTarget extends IOException {
        RefusedTarget(String message) {
            super(message);
        }
    }

    /** How long {@link #check} waits for the host's addresses (an admin request waits on it). */
    static final Duration CHECK_TIMEOUT = Duration.ofSeconds(10);

    private final boolean allowPrivate;
    private final Resolver resolver;
    private final Duration checkTimeout;

    WebhookPoster(boolean allowPrivate, Resolver resolver, Duration checkTimeout) {
        this.allowPrivate = allowPrivate;
        this.resolver = resolver;
        this.checkTimeout = checkTimeout;
    }

    public WebhookPoster(boolean allowPrivate, Resolver resolver) {
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
        long deadline = System.nanoTime() + checkTimeout.toNanos();
        try {
            return check(uri, host -> resolveBy(host, deadline, checkTimeout));
        } catch (SocketTimeoutException e) {
            throw new IOException("could not be checked: its host " + bare(uri.getHost()) + " gave no addresses within "
                    + checkTimeout.toMillis() + " ms; try again later", e);
        }
    }

    /** The lookup {@link #check} makes: the resolver itself, or the resolver bounded by an attempt's deadline. */
    @FunctionalInterface
    private interface Lookup {
        InetAddress[] resolve(String host) throws IOException;
    }

    private InetAddress check(URI uri, Lookup lookup) throws IOException {
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null) {
            throw new RefusedTarget("must be an http or https URL with a host");
        }
        if (uri.getRawUserInfo() != null) throw new RefusedTarget("must not carry a user name or password");
        String host = bare(uri.getHost());
        InetAddress[] addresses;
        try {
            addresses = lookup.resolve(host);
        } catch (UnknownHostException e) {
            throw new RefusedTarget("names an unknown host (" + host + ")");
        }
        if (addresses == null || addresses.length == 0) throw new RefusedTarget("names an unknown host (" + host + ")");
        if (!allowPrivate) {
            for (InetAddress a : addresses) {
                if (AddressPolicy.isForbidden(a)) {
                    throw new RefusedTarget("points to a private, loopback or reserved address (" + host + "); webhooks "
                            + "go to public hosts only unless " + WebhookSettings.ALLOW_PRIVATE_ENV + "=true is set "
                            + "where the check runs (the server's environment, or the CLI's own when it works on the "
                            + "database without a running server)");
                }
            }
        }
        return addresses[0];
    }

    /**
     * The resolver's answer for {@code host} by {@code deadline} (nanoTime): the lookup runs on one of
     * {@link Lookups}'s threads, since {@link InetAddress#getAllByName} waits on the nameserver and no interrupt ends
     * it. Past the deadline the attempt fails and the lookup is left to end in the background, its thread then free.
     */
    private InetAddress[] resolveBy(String host, long deadline, Duration timeout) throws IOException {
        Future<InetAddress[]> lookup;
        try {
            lookup = Lookups.POOL.submit(() -> resolver.resolve(host));
        } catch (RejectedExecutionException e) {
            throw new IOException("too many host lookups are waiting on the nameserver; not resolving " + host + " now");
        }
        try {
            return lookup.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            lookup.cancel(false); // one still queued never runs; one under way ends in the background
            throw new SocketTimeoutException("timed out resolving host " + host + ": no answer within " + timeout.toMillis()
                    + " ms (the whole attempt: lookup, connect, send and the status line)");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) throw io; // an UnknownHostException among them
            throw new IOException("resolving " + host + " failed", e.getCause());
        } catch (InterruptedException e) {
            lookup.cancel(false);
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted resolving " + host);
        }
    }

    /**
     * Sends {@code body} with {@code headers}; the HTTP status of the answer. {@code timeout} bounds the whole attempt,
     * not each read: the host's lookup, connecting, the TLS handshake, sending and the answer's status line. A watchdog
     * closes the socket at the deadline, so a receiver that trickles its answer a byte at a time cannot keep the
     * attempt open past it; a lookup still waiting on the nameserver at the deadline fails the attempt ("timed out
     * resolving host") and ends in the background.
     *
     * @throws IOException the target is refused, unreachable, not HTTP, or too slow ({@link SocketTimeoutException})
     */
    public int post(URI uri, Map<String, String> headers, byte[] body, Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        InetAddress pinned = check(uri, host -> resolveBy(host, deadline, timeout));
        boolean tls = uri.getScheme().equalsIgnoreCase("https");
        String host = bare(uri.getHost());
        int port = uri.getPort() > 0 ? uri.getPort() : tls ? 443 : 80;
        if (deadline - System.nanoTime() <= 0) throw timedOut(timeout);
        Socket plain = new Socket();
        AtomicBoolean expired = new AtomicBoolean();
        ScheduledFuture<?> watchdog = Watchdog.TIMER.schedule(() -> {
            expired.set(true);
            try {
                plain.close(); // fails a connect, handshake, write or read blocked on it, in any thread
            } catch (IOException ignored) {
                // closed anyway
            }
        }, deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
        try (plain) {
            plain.connect(new InetSocketAddress(pinned, port), remainingMillis(deadline));
            plain.setSoTimeout(remainingMillis(deadline));
            Socket socket = tls ? tls(plain, host, port) : plain;
            String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
            if (uri.getRawQuery() != null) path += "?" + uri.getRawQuery();
            StringBuilder head = new StringBuilder("POST ").append(path).append(" HTTP/1.1\r\nHost: ")
                    .append(host.contains(":") ? "[" + host + "]" : host).append(uri.getPort() > 0 ? ":" + port : "")
                    .append("\r\nContent-Length: ").append(body.length).append("\r\nConnection: close\r\n");
            headers.forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
            head.append("\r\n");
            OutputStream out = socket.getOutputStream();
            out.write(head.toString().getBytes(StandardCharsets.UTF_8));
            out.write(body);
            out.flush();
            String status = statusLine(new BufferedInputStream(socket.getInputStream()));
            String[] parts = status.split(" ", 3);
            if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) throw new IOException("the target did not answer HTTP");
            try {
                return Integer.parseInt(parts[1]);
            } catch (NumberFormatException e) {
                throw new IOException("the target did not answer HTTP");
            }
        } catch (IOException e) {
            if (expired.get()) throw timedOut(timeout);
            throw e;
        } finally {
            watchdog.cancel(false);
        }
    }

    private static SocketTimeoutException timedOut(Duration timeout) {
        return new SocketTimeoutException("timed out: no answer within " + timeout.toMillis()
                + " ms (the whole attempt: connect, send and the status line)");
    }

    /** What is left until {@code deadline} (nanoTime), in whole milliseconds, at least 1 (0 would mean no timeout). */
    private static int remainingMillis(long deadline) {
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
    }

    /** One daemon thread for every poster, closing the sockets of attempts that reached their deadline. */
    private static final class Watchdog {
        static final ScheduledThreadPoolExecutor TIMER = timer();

        private static ScheduledThreadPoolExecutor timer() {
            ScheduledThreadPoolExecutor t = new ScheduledThreadPoolExecutor(1,
                    Thread.ofPlatform().daemon().name("framegate-webhook-deadlines").factory());
            t.setRemoveOnCancelPolicy(true); // an attempt answered in time leaves nothing queued
            return t;
        }
    }

    /**
     * The threads host lookups run on, for every poster: a few daemon threads (a stalled nameserver holds them until
     * the system resolver gives up), each ended when idle, and a bounded queue; an attempt waits for its lookup only
     * until its deadline.
     */
    private static final class Lookups {
        static final int THREADS = 8;
        static final ThreadPoolExecutor POOL = pool();

        private static ThreadPoolExecutor pool() {
            ThreadPoolExecutor p = new ThreadPoolExecutor(THREADS, THREADS, 30, TimeUnit.SECONDS,
                    new ArrayBlockingQueue<>(256), Thread.ofPlatform().daemon().name("framegate-webhook-lookup-", 1).factory());
            p.allowCoreThreadTimeOut(true);
            return p;
        }
    }

    private static String bare(String host) {
        return host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
    }

    private static Socket tls(Socket plain, String host, int port) throws IOException {
        SSLSocket ssl;
        try {
            ssl = (SSLSocket) SSLContext.getDefault().getSocketFactory().createSocket(plain, host, port, false);
        } catch (NoSuchAlgorithmException e) {
            throw new IOException("no TLS", e);
        }
        SSLParameters p = ssl.getSSLParameters();
        p.setEndpointIdentificationAlgorithm("HTTPS");
        if (!host.contains(":") && !host.matches("[0-9.]+")) p.setServerNames(List.of(new SNIHostName(host)));
        ssl.setSSLParameters(p);
        ssl.startHandshake();
        return ssl;
    }

    private static String statusLine(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int c = in.read(); c >= 0 && c != '\n'; c = in.read()) {
            if (c != '\r') sb.append((char) c);
            if (sb.length() > 8192) throw new IOException("the status line is too long");
        }
        return sb.toString();
    }
}
