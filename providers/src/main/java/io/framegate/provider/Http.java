package io.framegate.provider;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/**
 * Plain HTTP for the upstreams that no official SDK serves (see docs/config.md): one call each, every failure
 * turned into a classified {@link UpstreamException} with the upstream's {@code Retry-After}. Redirects are
 * followed (the Gemini file download redirects).
 */
public final class Http {
    public static final ObjectMapper JSON = JsonMapper.builder().build();
    private static final int ERROR_BODY_CHARS = 500;

    private final HttpClient client;
    private final Duration requestTimeout;

    public Http(Duration requestTimeout) {
        this.client = HttpClient.newBuilder()
                .followRedirects(HttpClient.Redirect.NORMAL)
                .connectTimeout(Duration.ofSeconds(Math.min(30, Math.max(1, requestTimeout.toSeconds()))))
                .build();
        this.requestTimeout = requestTimeout;
    }

    public HttpRequest.Builder request(String url) {
        return HttpRequest.newBuilder(java.net.URI.create(url)).timeout(requestTimeout);
    }

    /** Sends and parses a JSON answer. */
    public JsonNode json(HttpRequest req, String what) throws UpstreamException {
        HttpResponse<byte[]> resp = send(req, HttpResponse.BodyHandlers.ofByteArray(), what);
        try {
            return JSON.readTree(resp.body());
        } catch (IOException e) {
            throw new UpstreamException(UpstreamException.Kind.TRANSIENT, resp.statusCode(), null,
                    what + ": the upstream answered with something that is not JSON: " + snippet(resp.body()), e);
        }
    }

    /** Streams the body into {@code target} (through a temporary file, so a broken download leaves nothing behind). */
    public void download(HttpRequest req, Path target, String what) throws UpstreamException {
        HttpResponse<InputStream> resp = send(req, HttpResponse.BodyHandlers.ofInputStream(), what);
        try (InputStream in = resp.body()) {
            Path tmp = Files.createTempFile(target.toAbsolutePath().getParent(), ".download-", ".part");
            try {
                Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new UpstreamException(UpstreamException.Kind.TRANSIENT, resp.statusCode(), null,
                    what + ": download broke off: " + e.getMessage(), e);
        }
    }

    private <T> HttpResponse<T> send(HttpRequest req, HttpResponse.BodyHandler<T> handler, String what)
            throws UpstreamException {
        HttpResponse<T> resp;
        try {
            resp = client.send(req, handler);
        } catch (HttpTimeoutException e) {
            throw new UpstreamException(UpstreamException.Kind.TRANSIENT, 0, null, what + ": timed out", e);
        } catch (IOException e) {
            throw new UpstreamException(UpstreamException.Kind.TRANSIENT, 0, null,
                    what + ": connection failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UpstreamException(UpstreamException.Kind.TRANSIENT, 0, null, what + ": interrupted", e);
        }
        int status = resp.statusCode();
        if (status / 100 == 2) return resp;
        String body = bodyText(resp.body());
        throw new UpstreamException(UpstreamException.kindOf(status), status,
                retryAfter(resp.headers().firstValue("Retry-After")),
                what + ": HTTP " + status + (body.isEmpty() ? "" : " " + body));
    }

    private static String bodyText(Object body) {
        if (body instanceof byte[] b) return snippet(b);
        if (body instanceof InputStream in) {
            try (in) {
                return snippet(in.readNBytes(ERROR_BODY_CHARS));
            } catch (IOException e) {
                return "";
            }
        }
        return "";
    }

    private static String snippet(byte[] b) {
        String s = new String(b, 0, Math.min(b.length, ERROR_BODY_CHARS), StandardCharsets.UTF_8).strip();
        return s.replaceAll("\\s+", " ");
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
