package io.framegate.provider;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A host's addresses by a deadline. {@link InetAddress#getAllByName} waits on the nameserver and no interrupt ends
 * it, so the lookup runs on one of a few daemon threads and the caller waits only until its deadline (at most
 * {@link #MAX_WAIT}); a lookup still running then ends in the background. A literal address is parsed, not looked up.
 */
public final class BoundedLookup {
    /** The longest a lookup is waited for, whatever the caller's deadline (as a webhook target check's). */
    public static final Duration MAX_WAIT = Duration.ofSeconds(10);

    private static final ThreadPoolExecutor POOL = pool();
    private static final java.util.regex.Pattern DOTTED_QUAD = java.util.regex.Pattern.compile(
            "((25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)\\.){3}(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)");

    private final PinnedFetcher.Resolver resolver;

    public BoundedLookup(PinnedFetcher.Resolver resolver) {
        this.resolver = resolver;
    }

    /**
     * The addresses of {@code host} (no brackets), never empty.
     *
     * @param deadline {@link System#nanoTime} by which the answer is needed
     * @throws FetchFailure {@link FetchFailure.Reason#UNKNOWN_HOST} or {@link FetchFailure.Reason#LOOKUP_TIMED_OUT}
     */
    public List<InetAddress> resolve(String host, long deadline) throws IOException {
        if (isLiteral(host)) return List.of(InetAddress.getByName(host)); // parsed: no nameserver is asked
        long wait = Math.min(deadline - System.nanoTime(), MAX_WAIT.toNanos());
        if (wait <= 0) throw timedOut(host);
        Future<InetAddress[]> lookup;
        try {
            lookup = POOL.submit(() -> resolver.resolve(host));
        } catch (RejectedExecutionException e) {
            throw new FetchFailure(FetchFailure.Reason.LOOKUP_TIMED_OUT, host, 0,
                    "too many host lookups are waiting on the nameserver; " + host + " was not resolved", e);
        }
        InetAddress[] addresses;
        try {
            addresses = lookup.get(wait, TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            lookup.cancel(false); // one still queued never runs; one under way ends in the background
            throw timedOut(host);
        } catch (InterruptedException e) {
            lookup.cancel(false);
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted resolving " + host);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UnknownHostException) throw unknown(host, e.getCause());
            throw new IOException("resolving " + host + " failed", e.getCause());
        }
        if (addresses == null || addresses.length == 0) throw unknown(host, null);
        return List.of(addresses);
    }

    /**
     * An IPv6 literal or a dotted-quad IPv4 one, which {@link InetAddress#getByName} parses without a lookup (another
     * string of digits and dots may be sent to the nameserver, so it goes the bounded way).
     */
    static boolean isLiteral(String host) {
        return host.contains(":") || DOTTED_QUAD.matcher(host).matches();
    }

    private static FetchFailure unknown(String host, Throwable cause) {
        return new FetchFailure(FetchFailure.Reason.UNKNOWN_HOST, host, 0, "unknown host " + host, cause);
    }

    private static FetchFailure timedOut(String host) {
        return new FetchFailure(FetchFailure.Reason.LOOKUP_TIMED_OUT, host, "the host " + host
                + " gave no addresses in time");
    }

    private static ThreadPoolExecutor pool() {
        ThreadPoolExecutor p = new ThreadPoolExecutor(8, 8, 30, TimeUnit.SECONDS, new ArrayBlockingQueue<>(256),
                Thread.ofPlatform().daemon().name("framegate-host-lookup-", 1).factory());
        p.allowCoreThreadTimeOut(true);
        return p;
    }
}
