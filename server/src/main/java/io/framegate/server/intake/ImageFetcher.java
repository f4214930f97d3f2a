package io.framegate.server.intake;

import io.framegate.provider.AddressPolicy;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
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
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Downloads image URLs for requests on a small pool of its own threads, each download bounded by a deadline that
 * covers connecting, the headers and the whole body (a server trickling a byte a second is cut off at it) and by a
 * byte limit. The host is resolved once, every address it resolves to is checked against {@link AddressPolicy},
 * and the connection goes to that checked address (no second lookup a DNS rebinding could answer differently).
 * Plain HTTP/1.1 GET, no redirects, TLS verified against the URL's host name.
 */
public final class ImageFetcher {
    /** Resolves a host name; {@link InetAddress#getAllByName} unless a test gives another. */
    @FunctionalInterface
    public interface Resolver {
        InetAddress[] resolve(String host) throws UnknownHostException;
    }

    /** The environment variable that lifts the address rule when {@code true} (trusted networks, tests). */
    public static final String ALLOW_PRIVATE_ENV = "FRAMEGATE_ALLOW_PRIVATE_IMAGE_URLS";
    private static final int MAX_HEADER_BYTES = 64 * 1024;

    private final ThreadPoolExecutor pool;
    private final Resolver resolver;
    private final boolean allowPrivate;

    /**
     * @param concurrency  downloads at once (a few more may wait, within their deadline; beyond that, BUSY)
     * @param allowPrivate also fetch from private and local addresses (tests, trusted networks)
     */
    public ImageFetcher(int concurrency, boolean allowPrivate, Resolver resolver) {
        this.resolver = resolver;
        this.allowPrivate = allowPrivate;
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
        AtomicReference<Socket> socket = new AtomicReference<>();
        Future<byte[]> task;
        try {
            task = pool.submit(() -> download(uri, scheme.equals("https"), maxBytes, deadline, socket));
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
            task.cancel(true);
            closeQuietly(socket.get());
        }
    }

    private static FetchException timedOut(Duration timeout) {
        return new FetchException(FetchException.Kind.TIMEOUT, "was not downloaded within " + timeout.toMillis()
                + " ms (the limit for the whole download, body included)");
    }

    private byte[] download(URI uri, boolean tls, long maxBytes, long deadline, AtomicReference<Socket> holder)
            throws IOException, FetchException {
        String host = uri.getHost().startsWith("[") ? uri.getHost().substring(1, uri.getHost().length() - 1) : uri.getHost();
        InetAddress[] addresses;
        try {
            addresses = resolver.resolve(host);
        } catch (UnknownHostException e) {
            throw new FetchException(FetchException.Kind.UNREACHABLE, "names an unknown host (" + host + ")");
        }
        if (addresses.length == 0) throw new FetchException(FetchException.Kind.UNREACHABLE, "names an unknown host (" + host + ")");
        if (!allowPrivate) {
            for (InetAddress a : addresses) {
                if (AddressPolicy.isForbidden(a)) {
                    throw new FetchException(FetchException.Kind.FORBIDDEN_ADDRESS, "points to a private, local or reserved"
                            + " address (" + host + "); this server only downloads images from public hosts. Send the "
                            + "image as a file upload or a data: URL instead");
                }
            }
        }
        InetAddress pinned = addresses[0];
        int port = uri.getPort() > 0 ? uri.getPort() : tls ? 443 : 80;
        Socket socket = new Socket();
        holder.set(socket);
        socket.connect(new InetSocketAddress(pinned, port), remainingMillis(deadline));
        if (tls) socket = tls(socket, host, port, deadline);
        DeadlineInput in = new DeadlineInput(socket, deadline);
        OutputStream out = socket.getOutputStream();
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        if (uri.getRawQuery() != null) path += "?" + uri.getRawQuery();
        String hostHeader = (host.contains(":") ? "[" + host + "]" : host) + (uri.getPort() > 0 ? ":" + port : "");
        out.write(("GET " + path + " HTTP/1.1\r\nHost: " + hostHeader + "\r\nAccept: image/png, image/jpeg, image/webp"
                + "\r\nAccept-Encoding: identity\r\nUser-Agent: Framegate\r\nConnection: close\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        BufferedInputStream body = new BufferedInputStream(in, 16 * 1024);
        String status = line(body);
        String[] parts = status.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) {
            throw new FetchException(FetchException.Kind.UNREACHABLE, "could not be fetched: " + host + " did not answer HTTP");
        }
        int code;
        try {
            code = Integer.parseInt(parts[1]);
        } catch (NumberFormatException e) {
            throw new FetchException(FetchException.Kind.UNREACHABLE, "could not be fetched: " + host + " did not answer HTTP");
        }
        long length = -1;
        boolean chunked = false;
        int headerBytes = status.length();
        for (String h = line(body); !h.isEmpty(); h = line(body)) {
            headerBytes += h.length();
            if (headerBytes > MAX_HEADER_BYTES) throw new FetchException(FetchException.Kind.UNREACHABLE, "could not be fetched: its response headers are too long");
            int colon = h.indexOf(':');
            if (colon < 0) continue;
            String name = h.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            String value = h.substring(colon + 1).trim();
            if (name.equals("content-length")) {
                try {
                    length = Long.parseLong(value);
                } catch (NumberFormatException e) {
                    throw new FetchException(FetchException.Kind.UNREACHABLE, "could not be fetched: a bad Content-Length");
                }
            } else if (name.equals("transfer-encoding") && value.toLowerCase(Locale.ROOT).contains("chunked")) {
                chunked = true;
            }
        }
        if (code != 200) {
            throw new FetchException(FetchException.Kind.UNREACHABLE, "answered HTTP " + code
                    + "; the image must be directly downloadable (redirects are not followed)");
        }
        if (!chunked && length > maxBytes) throw tooLarge(maxBytes);
        ByteArrayOutputStream result = new ByteArrayOutputStream();
        if (chunked) {
            while (true) {
                String sizeLine = line(body);
                int semi = sizeLine.indexOf(';');
                long size;
                try {
                    size = Long.parseLong((semi < 0 ? sizeLine : sizeLine.substring(0, semi)).trim(), 16);
                } catch (NumberFormatException e) {
                    throw new FetchException(FetchException.Kind.UNREACHABLE, "could not be fetched: a broken chunked body");
                }
                if (size == 0) break;
                if (result.size() + size > maxBytes) throw tooLarge(maxBytes);
                copy(body, result, size);
                line(body);
            }
        } else {
            copy(body, result, length >= 0 ? length : maxBytes + 1);
            if (length < 0 && result.size() > maxBytes) throw tooLarge(maxBytes);
            if (length >= 0 && result.size() < length) {
                throw new FetchException(FetchException.Kind.UNREACHABLE, "could not be fetched: the body ended after "
                        + result.size() + " of " + length + " bytes");
            }
        }
        return result.toByteArray();
    }

    private static FetchException tooLarge(long maxBytes) {
        return new FetchException(FetchException.Kind.TOO_LARGE, "is larger than the " + maxBytes
                + " bytes left for images in this request");
    }

    private static Socket tls(Socket plain, String host, int port, long deadline) throws IOException {
        SSLSocket ssl;
        try {
            ssl = (SSLSocket) SSLContext.getDefault().getSocketFactory().createSocket(plain, host, port, true);
        } catch (NoSuchAlgorithmException e) {
            throw new IOException("no TLS", e);
        }
        SSLParameters p = ssl.getSSLParameters();
        p.setEndpointIdentificationAlgorithm("HTTPS");
        if (!host.contains(":") && !host.matches("[0-9.]+")) p.setServerNames(List.of(new SNIHostName(host)));
        ssl.setSSLParameters(p);
        ssl.setSoTimeout(remainingMillis(deadline));
        ssl.startHandshake();
        return ssl;
    }

    private static void copy(InputStream in, ByteArrayOutputStream out, long n) throws IOException {
        byte[] buf = new byte[16 * 1024];
        long left = n;
        while (left > 0) {
            int r = in.read(buf, 0, (int) Math.min(buf.length, left));
            if (r < 0) return;
            out.write(buf, 0, r);
            left -= r;
        }
    }

    /** One CRLF-terminated line (without it); an empty string at the end of the stream. */
    private static String line(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int c = in.read(); c >= 0 && c != '\n'; c = in.read()) {
            if (c != '\r') sb.append((char) c);
            if (sb.length() > MAX_HEADER_BYTES) throw new IOException("line too long");
        }
        return sb.toString();
    }

    private static int remainingMillis(long deadline) throws SocketTimeoutException {
        long ms = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        if (ms <= 0) throw new SocketTimeoutException("deadline passed");
        return (int) Math.min(Integer.MAX_VALUE, ms);
    }

    private static String describe(Throwable t) {
        if (t instanceof java.net.ConnectException) return "connection refused";
        if (t instanceof javax.net.ssl.SSLException) return "TLS failed";
        return "connection failed";
    }

    private static void closeQuietly(Socket s) {
        if (s == null) return;
        try {
            s.close();
        } catch (IOException ignored) {
            // already closed
        }
    }

    /** Every read waits at most until the deadline, so a slow body cannot outlive it. */
    private static final class DeadlineInput extends InputStream {
        private final Socket socket;
        private final InputStream in;
        private final long deadline;

        DeadlineInput(Socket socket, long deadline) throws IOException {
            this.socket = socket;
            this.in = socket.getInputStream();
            this.deadline = deadline;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            socket.setSoTimeout(remainingMillis(deadline));
            return in.read(b, off, len);
        }
    }
}
