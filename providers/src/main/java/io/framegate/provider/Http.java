package io.framegate.provider;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.UnresolvedAddressException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Plain HTTP for the upstreams that no official SDK serves (see docs/config.md): one call each, every failure
 * turned into a classified {@link UpstreamException} with the upstream's {@code Retry-After}. Each call is bounded as
 * a whole, body included, by the timeout its caller gives (java.net.http's own timeout ends at the headers, so a
 * trickling body would otherwise hold a job past its deadline). Error bodies are read only for a safe error code
 * ({@link SafeText#errorCode}). Redirects are followed (the Gemini file download redirects); a result download goes
 * through {@link PinnedFetcher}: hop by hop, each hop's host resolved once, checked by {@link ResultHosts} and
 * connected to at the checked address, credentials sent only to the first origin.
 */
public final class Http {
    /** The largest JSON answer read (a poll, a create, a job list); a larger one is cut and counts as unreadable. */
    public static final long MAX_JSON_BYTES = 16L * 1024 * 1024;
    /**
     * The largest JSON answer of a Veo operation poll, whose videos may come inline as base64 (Vertex without
     * {@code storageUri}): up to four samples of up to {@link #MAX_RESULT_BYTES} / 4 each, base64 a third larger.
     */
    public static final long MAX_INLINE_VIDEOS_JSON_BYTES = 1024L * 1024 * 1024;
    /** The largest result video downloaded; a larger one fails the job (see docs/limits.md). */
    public static final long MAX_RESULT_BYTES = 2L * 1024 * 1024 * 1024;
    /**
     * Jackson's default caps a string at 20 million characters, less than the base64 of one inline 1080p Veo video;
     * the answer's byte cap ({@link #MAX_INLINE_VIDEOS_JSON_BYTES} at most) bounds it instead.
     */
    public static final ObjectMapper JSON = JsonMapper.builder(com.fasterxml.jackson.core.JsonFactory.builder()
            .streamReadConstraints(com.fasterxml.jackson.core.StreamReadConstraints.builder()
                    .maxStringLength((int) MAX_INLINE_VIDEOS_JSON_BYTES).build()).build()).build();
    /** How much of an error body is read, to find its error code; the rest is dropped unread. */
    private static final int ERROR_BODY_BYTES = 16 * 1024;

    private final HttpClient client;
    /** Result downloads: every hop checked and connected to at its checked address. */
    private final ResultDownloads downloads;
    private final PinnedFetcher.Resolver resolver;
    private final Duration requestTimeout;
    private volatile ResultHosts resultHosts = new ResultHosts(List.of());

    public Http(Duration requestTimeout) {
        this(requestTimeout, MAX_RESULT_BYTES);
    }

    /** @param maxResultBytes the largest result download (tests use a small one) */
    Http(Duration requestTimeout, long maxResultBytes) {
        this(requestTimeout, maxResultBytes, java.net.InetAddress::getAllByName);
    }

    /** @param resolver how a result URL's host is resolved (tests: a nameserver that rebinds) */
    Http(Duration requestTimeout, long maxResultBytes, PinnedFetcher.Resolver resolver) {
        this.resolver = resolver;
        // as java.net.http did, through a proxy the JVM names
        this.downloads = new ResultDownloads(new PinnedFetcher(resolver, true), maxResultBytes);
        this.client = HttpClient.newBuilder()
                .followRedirects(HttpClient.Redirect.NORMAL)
                .connectTimeout(Duration.ofSeconds(Math.min(30, Math.max(1, requestTimeout.toSeconds()))))
                .build();
        this.requestTimeout = requestTimeout;
    }

    /**
     * The channel's own base URLs: a result download may reach their addresses even when private (see
     * {@link ResultHosts}); every other private or reserved address is refused.
     */
    public Http trusting(String... baseUrls) {
        List<java.net.URI> bases = new java.util.ArrayList<>();
        for (String b : baseUrls) if (b != null) bases.add(java.net.URI.create(b));
        this.resultHosts = new ResultHosts(bases, resolver);
        return this;
    }

    public HttpRequest.Builder request(String url) {
        return HttpRequest.newBuilder(java.net.URI.create(url)).timeout(requestTimeout);
    }

    /** Sends and parses a JSON answer, all within {@code timeout}. */
    public JsonNode json(HttpRequest req, String what, Duration timeout) throws UpstreamException {
        return json(req, what, timeout, MAX_JSON_BYTES);
    }

    /** As {@link #json(HttpRequest, String, Duration)}, for an answer that may be up to {@code maxBytes}. */
    public JsonNode json(HttpRequest req, String what, Duration timeout, long maxBytes) throws UpstreamException {
        byte[] body = checked(call(client, req, HttpResponse.BodyHandlers.ofByteArray(), what, timeout, maxBytes), what);
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            throw new UpstreamException(UpstreamException.Kind.TRANSIENT, 200, null,
                    what + ": the upstream answered with something that is not JSON", e);
        }
    }

    /**
     * Writes the body to {@code target} (through a temporary file, so a broken download leaves nothing behind); the
     * whole download, body included, ends within {@code timeout}. See {@link ResultDownloads}.
     */
    public void download(HttpRequest req, Path target, String what, Duration timeout) throws UpstreamException {
        downloads.download(req, resultHosts, target, what, timeout);
    }

    /**
     * An answer of any status, for upstreams that report a job's outcome as an HTTP error (fal's result fetch): a 2xx
     * body whole, another status's first 16 KB. Only a call that got no answer throws.
     */
    public record Answer(int status, byte[] body, Duration retryAfter) {
        public boolean ok() {
            return status / 100 == 2;
        }
    }

    public Answer exchange(HttpRequest req, String what, Duration timeout) throws UpstreamException {
        HttpResponse<Object> resp = call(client, req, HttpResponse.BodyHandlers.ofByteArray(), what, timeout,
                MAX_JSON_BYTES);
        byte[] body = resp.body() instanceof ErrorBody eb ? eb.bytes() : (byte[]) resp.body();
        return new Answer(resp.statusCode(), body, retryAfter(resp.headers().firstValue("Retry-After")));
    }

    /** A 2xx answer's body, else the classified failure. */
    private static <T> T checked(HttpResponse<Object> resp, String what) throws UpstreamException {
        int status = resp.statusCode();
        if (status / 100 == 2) {
            @SuppressWarnings("unchecked") T body = (T) resp.body();
            return body;
        }
        String code = resp.body() instanceof ErrorBody eb ? SafeText.errorCode(eb.bytes()) : null;
        throw UpstreamException.ofStatus(status, retryAfter(resp.headers().firstValue("Retry-After")), code,
                SafeText.httpFailure(what, status, code));
    }

    private static <T> HttpResponse<Object> call(HttpClient client, HttpRequest req, HttpResponse.BodyHandler<T> ok,
                                                 String what, Duration timeout, long maxBytes)
            throws UpstreamException {
        Duration t = timeout.compareTo(Duration.ofMillis(1)) < 0 ? Duration.ofMillis(1) : timeout;
        HttpRequest timed = HttpRequest.newBuilder(req, (n, v) -> true).timeout(t).build();
        java.util.concurrent.atomic.AtomicBoolean over = new java.util.concurrent.atomic.AtomicBoolean();
        HttpResponse.BodyHandler<Object> handler = info -> info.statusCode() / 100 == 2
                ? HttpResponse.BodySubscribers.mapping(new CappedBody<>(ok.apply(info), maxBytes,
                        info.headers().firstValueAsLong("Content-Length").orElse(-1), over), b -> (Object) b)
                : HttpResponse.BodySubscribers.mapping(new Prefix(ERROR_BODY_BYTES), ErrorBody::new);
        CompletableFuture<HttpResponse<Object>> call = client.sendAsync(timed, handler);
        HttpResponse<Object> resp;
        try {
            resp = call.get(t.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            call.cancel(true);
            throw new UpstreamException(UpstreamException.Kind.TRANSIENT, 0, null,
                    what + ": timed out after " + t.toMillis() + " ms", e);
        } catch (InterruptedException e) {
            call.cancel(true);
            Thread.currentThread().interrupt();
            throw new UpstreamException(UpstreamException.Kind.TRANSIENT, 0, null, what + ": interrupted", e);
        } catch (ExecutionException e) {
            if (over.get()) {
                // as unclear as an unreadable answer (a create's may have made the job); a download makes it final
                throw new UpstreamException(UpstreamException.Kind.TRANSIENT, 200, null,
                        what + ": the answer is larger than " + maxBytes + " bytes", new CappedBody.TooLarge(maxBytes));
            }
            throw failure(what, e.getCause() != null ? e.getCause() : e);
        }
        return resp;
    }

    /**
     * A call that got no answer, in words that carry no host name or upstream text; a failure to connect at all is
     * marked {@link UpstreamException#notSent} (the request never left).
     */
    public static UpstreamException failure(String what, Throwable e) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof HttpConnectTimeoutException) return UpstreamException.notSent(what + ": connect timed out", e);
            if (c instanceof UnknownHostException || c instanceof UnresolvedAddressException) {
                return UpstreamException.notSent(what + ": upstream host not found", e);
            }
            if (c instanceof ConnectException || c instanceof NoRouteToHostException) {
                return UpstreamException.notSent(what + ": connection refused", e);
            }
            // a plain socket's connect timeout (OkHttp); a read timeout says "Read timed out" or "timeout"
            if (c instanceof SocketTimeoutException && c.getMessage() != null
                    && c.getMessage().toLowerCase(java.util.Locale.ROOT).startsWith("connect")) {
                return UpstreamException.notSent(what + ": connect timed out", e);
            }
        }
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof HttpTimeoutException || c instanceof java.io.InterruptedIOException) {
                return new UpstreamException(UpstreamException.Kind.TRANSIENT, 0, null, what + ": timed out", e);
            }
        }
        return new UpstreamException(UpstreamException.Kind.TRANSIENT, 0, null, what + ": connection broke off", e);
    }

    private record ErrorBody(byte[] bytes) { }

    /** Keeps the first bytes of a body and drops the rest (an error body is only read for its code). */
    private static final class Prefix implements HttpResponse.BodySubscriber<byte[]> {
        private final int max;
        private final ByteArrayOutputStream buf = new ByteArrayOutputStream();
        private final CompletableFuture<byte[]> result = new CompletableFuture<>();
        private Flow.Subscription subscription;

        Prefix(int max) {
            this.max = max;
        }

        @Override
        public CompletionStage<byte[]> getBody() {
            return result;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            s.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(List<ByteBuffer> items) {
            for (ByteBuffer b : items) {
                int n = Math.min(b.remaining(), max - buf.size());
                byte[] a = new byte[n];
                b.get(a);
                buf.write(a, 0, n);
            }
            if (buf.size() >= max) {
                subscription.cancel();
                result.complete(buf.toByteArray());
            }
        }

        @Override
        public void onError(Throwable t) {
            result.complete(buf.toByteArray());
        }

        @Override
        public void onComplete() {
            result.complete(buf.toByteArray());
        }
    }

    /** {@code Retry-After} as delta-seconds or an HTTP date; null when absent or unreadable. */
    public static Duration retryAfter(Optional<String> header) {
        if (header.isEmpty()) return null;
        String v = header.get().trim();
        try {
            return Duration.ofSeconds(Math.max(0, Long.parseLong(v)));
        } catch (NumberFormatException notSeconds) {
            try {
                Duration d = Duration.between(ZonedDateTime.now(), ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME));
                return d.isNegative() ? Duration.ZERO : d;
            } catch (DateTimeParseException notDate) {
                return null;
            }
        }
    }
}
