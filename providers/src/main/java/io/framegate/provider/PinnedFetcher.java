package io.framegate.provider;

import okhttp3.Call;
import okhttp3.ConnectionPool;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;

import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.X509TrustManager;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetAddress;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * GETs (or POSTs to) a URL the gateway does not trust (a client's image URL, an upstream's result URL, a webhook
 * target) without a DNS rebinding
 * window: each hop's host is resolved once ({@link BoundedLookup}, within the deadline), every address is checked
 * against the {@link Rule}, and the connection can only go to those checked addresses (OkHttp is handed them as its
 * {@code Dns}; a network interceptor refuses any other, e.g. an IP literal it parsed itself). TLS is OkHttp's: SNI
 * and certificate verification against the host name. No connection reuse (each fetch connects to what it checked).
 * Through a proxy (only when built {@code viaJvmProxies} and the JVM's {@link ProxySelector} names one) the name is
 * still checked here when it resolves, but the proxy resolves it again on its own network, as it always did: the
 * operator's proxy is the operator's to police. Redirects are followed hop by hop, each hop checked the
 * same way, credential headers dropped when a hop leaves the origin they were meant for. One deadline covers every
 * lookup, connection, answer and the whole body; the body is capped ({@link PinnedResponse#body}).
 */
public final class PinnedFetcher {
    /** Resolves a host name; {@link InetAddress#getAllByName} in production. */
    @FunctionalInterface
    public interface Resolver {
        InetAddress[] resolve(String host) throws UnknownHostException;
    }

    /** Where a fetch may go. */
    public interface Rule {
        /** Whether a URL of this scheme ({@code http} or {@code https}, lower case) may be fetched. */
        boolean allowsScheme(String scheme);

        /** Whether a connection to {@code address} may be made. */
        boolean allows(InetAddress address);

        /**
         * http(s) to public addresses ({@link AddressPolicy}), or to any address with {@code allowPrivate}: the rule
         * of clients' image URLs and of webhook targets.
         */
        static Rule publicHttp(boolean allowPrivate) {
            return new Rule() {
                @Override
                public boolean allowsScheme(String scheme) {
                    return scheme.equals("http") || scheme.equals("https");
                }

                @Override
                public boolean allows(InetAddress address) {
                    return allowPrivate || !AddressPolicy.isForbidden(address);
                }
            };
        }
    }

    /**
     * @param maxRedirects redirects followed at most; with 0 a redirect is the answer, returned as it is
     * @param maxBytes     the largest body {@link PinnedResponse#body} reads
     * @param credentials  header names (lower case) sent only to the first URL's origin
     */
    public record Limits(int maxRedirects, long maxBytes, Set<String> credentials) {
    }

    /** Headers that carry a channel's credential. */
    public static final Set<String> CREDENTIALS = Set.of("authorization", "x-goog-api-key", "proxy-authorization",
            "cookie");

    private final BoundedLookup lookup;
    private final boolean viaJvmProxies;
    private final OkHttpClient base;

    /** @param viaJvmProxies go through the proxy the JVM's {@link ProxySelector} names, if any; else always direct */
    public PinnedFetcher(Resolver resolver, boolean viaJvmProxies) {
        this(resolver, viaJvmProxies, null, null);
    }

    /** With a TLS trust of its own (tests: a stand-in's self-signed certificate); null for the JVM's. */
    PinnedFetcher(Resolver resolver, boolean viaJvmProxies, SSLSocketFactory tls, X509TrustManager trust) {
        this.lookup = new BoundedLookup(resolver);
        this.viaJvmProxies = viaJvmProxies;
        OkHttpClient.Builder b = new OkHttpClient.Builder()
                .followRedirects(false).followSslRedirects(false).proxy(Proxy.NO_PROXY) // each hop sets its own
                .connectionPool(new ConnectionPool(0, 1, TimeUnit.SECONDS))
                .connectTimeout(Duration.ofSeconds(30))
                .readTimeout(Duration.ZERO).writeTimeout(Duration.ZERO); // the call's deadline bounds them
        if (tls != null) b.sslSocketFactory(tls, trust);
        this.base = b.build();
    }

    /**
     * The answer to a GET of {@code uri}, after at most {@link Limits#maxRedirects} redirects; a status other than 2xx
     * is an answer too. The caller closes it.
     *
     * @param deadline {@link System#nanoTime} by which everything, the body included, is done
     * @throws FetchFailure the fetch was refused or ended early, in words fit for a client
     * @throws IOException  no answer: refused connection, TLS failure, not HTTP
     */
    public PinnedResponse get(URI uri, Map<String, List<String>> headers, Rule rule, Limits limits, long deadline)
            throws IOException {
        return send(uri, headers, null, rule, limits, deadline);
    }

    /**
     * The answer to a POST of {@code body} to {@code uri}, by the same rules as {@link #get}: the host resolved once
     * and checked, the connection to the checked addresses only, one deadline, a capped body. With
     * {@link Limits#maxRedirects} 0 a redirect is the answer (nothing is sent to its {@code Location}); past that, a
     * {@code 307} or {@code 308} sends the POST again to the next hop, any other redirect GETs it without the body.
     * The caller closes the answer.
     *
     * @param contentType the body's {@code Content-Type}, or null for none
     * @throws FetchFailure the fetch was refused or ended early, in words fit for a client
     * @throws IOException  no answer: refused connection, TLS failure, not HTTP
     */
    public PinnedResponse post(URI uri, Map<String, List<String>> headers, byte[] body, String contentType, Rule rule,
                               Limits limits, long deadline) throws IOException {
        return send(uri, headers, new Payload(body, contentType == null ? null : MediaType.get(contentType)), rule,
                limits, deadline);
    }

    /** A request's body and its type (null: none). */
    private record Payload(byte[] bytes, MediaType type) {
    }

    private PinnedResponse send(URI uri, Map<String, List<String>> headers, Payload payload, Rule rule, Limits limits,
                                long deadline) throws IOException {
        URI at = uri;
        Map<String, List<String>> sent = headers;
        for (int hops = 0; ; hops++) {
            PinnedResponse r = once(at, sent, payload, rule, limits, deadline);
            String location = r.header("Location");
            int status = r.status();
            if (status / 100 != 3 || status == 304 || location == null || limits.maxRedirects() == 0) return r;
            r.close();
            if (hops == limits.maxRedirects()) {
                throw new FetchFailure(FetchFailure.Reason.TOO_MANY_REDIRECTS, bare(at.getHost()), status,
                        "more than " + limits.maxRedirects() + " redirects", null);
            }
            URI next;
            try {
                next = at.resolve(location.trim());
            } catch (IllegalArgumentException e) {
                throw new FetchFailure(FetchFailure.Reason.BAD_REDIRECT, bare(at.getHost()), status,
                        "a redirect to an unreadable location", e);
            }
            if (!sameOrigin(at, next)) sent = without(sent, limits.credentials());
            if (status != 307 && status != 308) payload = null; // 301, 302, 303: the next hop is a GET
            at = next;
        }
    }

    private PinnedResponse once(URI uri, Map<String, List<String>> headers, Payload payload, Rule rule, Limits limits,
                                long deadline) throws IOException {
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        String host = bare(uri.getHost());
        HttpUrl url = host == null || !rule.allowsScheme(scheme) ? null : httpUrl(uri);
        if (url == null) throw new FetchFailure(FetchFailure.Reason.BAD_URL, host, "not a URL that is fetched");
        Proxy proxy = proxy(uri);
        List<InetAddress> checked = resolve(host, proxy.type() != Proxy.Type.DIRECT, deadline);
        for (InetAddress a : checked) {
            if (!rule.allows(a)) {
                throw new FetchFailure(FetchFailure.Reason.REFUSED_ADDRESS, host, "the host " + host
                        + " is on a private or reserved address");
            }
        }
        OkHttpClient client = base.newBuilder().proxy(proxy)
                .dns(name -> name.equalsIgnoreCase(url.host()) ? pinned(name, checked) : proxyHost(name, proxy, deadline))
                .addNetworkInterceptor(chain -> {
                    // through a proxy the connection is the proxy's
                    boolean direct = chain.connection().route().proxy().type() == Proxy.Type.DIRECT;
                    InetAddress connected = chain.connection().route().socketAddress().getAddress();
                    if (direct && !checked.contains(connected)) {
                        throw new FetchFailure(FetchFailure.Reason.REFUSED_ADDRESS, host, "the host " + host
                                + " connected to an address that was not checked");
                    }
                    return chain.proceed(chain.request());
                })
                .build();
        Request.Builder req = new Request.Builder().url(url);
        if (payload == null) req.get();
        else req.post(RequestBody.create(payload.bytes(), payload.type()));
        headers.forEach((name, values) -> values.forEach(v -> req.addHeader(name, v)));
        // identity: a Content-Length that means the bytes read, and no decompression past the cap
        if (!has(headers, "Accept-Encoding")) req.header("Accept-Encoding", "identity");
        if (!has(headers, "User-Agent")) req.header("User-Agent", "Framegate");
        long left = deadline - System.nanoTime();
        if (left <= 0) throw timedOut(host, null);
        Call call = client.newCall(req.build());
        call.timeout().timeout(left, TimeUnit.NANOSECONDS);
        try {
            return new PinnedResponse(uri, host, call, call.execute(), limits.maxBytes());
        } catch (IOException e) {
            throw failure(host, call, e);
        }
    }

    /** The proxy the JVM's selector names first for {@code uri} (asked with the whole URL, as java.net.http does). */
    private Proxy proxy(URI uri) {
        ProxySelector selector = viaJvmProxies ? ProxySelector.getDefault() : null;
        List<Proxy> named = selector == null ? List.of() : selector.select(uri);
        return named == null || named.isEmpty() ? Proxy.NO_PROXY : named.get(0);
    }

    private List<InetAddress> resolve(String host, boolean proxied, long deadline) throws IOException {
        try {
            return lookup.resolve(host, deadline);
        } catch (FetchFailure f) {
            // not resolvable here: the proxy resolves it on its own network (a direct route finds no address)
            if (!proxied || f.reason() != FetchFailure.Reason.UNKNOWN_HOST) throw f;
            return List.of();
        }
    }

    private static List<InetAddress> pinned(String name, List<InetAddress> checked) throws UnknownHostException {
        if (checked.isEmpty()) throw new UnknownHostException(name);
        return checked;
    }

    /** The addresses of a proxy OkHttp is to connect to: the operator's choice, not checked, but bounded. */
    private List<InetAddress> proxyHost(String name, Proxy proxy, long deadline) throws UnknownHostException {
        if (proxy.type() == Proxy.Type.DIRECT) throw new UnknownHostException(name); // direct: only the URL's host
        try {
            return lookup.resolve(name, deadline);
        } catch (IOException e) {
            throw (UnknownHostException) new UnknownHostException(name).initCause(e);
        }
    }

    /** A failure in words of the fetch: the deadline's cut shows as a timeout, a refusal as itself. */
    static IOException failure(String host, Call call, IOException e) {
        for (Throwable c = e; c != null; c = c.getCause()) if (c instanceof FetchFailure f) return f;
        if (call.isCanceled() || e instanceof InterruptedIOException && !(e instanceof java.net.SocketTimeoutException)) {
            return timedOut(host, e);
        }
        return e;
    }

    static FetchFailure timedOut(String host, Throwable cause) {
        return new FetchFailure(FetchFailure.Reason.TIMED_OUT, host, 0, "timed out", cause);
    }

    private static boolean has(Map<String, List<String>> headers, String name) {
        return headers.keySet().stream().anyMatch(name::equalsIgnoreCase);
    }

    private static HttpUrl httpUrl(URI uri) {
        try {
            return HttpUrl.get(uri);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static boolean sameOrigin(URI a, URI b) {
        return Objects.equals(lower(a.getScheme()), lower(b.getScheme())) && b.getHost() != null
                && b.getHost().equalsIgnoreCase(a.getHost()) && port(a) == port(b);
    }

    private static int port(URI u) {
        if (u.getPort() > 0) return u.getPort();
        return "https".equals(lower(u.getScheme())) ? 443 : 80;
    }

    private static String lower(String s) {
        return s == null ? null : s.toLowerCase(Locale.ROOT);
    }

    private static Map<String, List<String>> without(Map<String, List<String>> headers, Set<String> names) {
        Map<String, List<String>> kept = new LinkedHashMap<>();
        headers.forEach((n, v) -> {
            if (!names.contains(n.toLowerCase(Locale.ROOT))) kept.put(n, v);
        });
        return kept;
    }

    static String bare(String host) {
        return host != null && host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
    }
}
