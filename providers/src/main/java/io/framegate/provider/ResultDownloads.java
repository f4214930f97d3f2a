package io.framegate.provider;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Optional;

/**
 * {@link Http#download}: a result video fetched with {@link PinnedFetcher} under {@link ResultHosts} (at most
 * {@value #MAX_REDIRECTS} redirects, each hop checked; credentials only to the first origin; capped), every failure
 * an {@link UpstreamException} in the words the providers' errors always had.
 */
final class ResultDownloads {
    /** Redirects a result download follows at most. */
    static final int MAX_REDIRECTS = 5;
    /** How much of an error body is read, to find its error code. */
    private static final int ERROR_BODY_BYTES = 16 * 1024;

    private final PinnedFetcher fetcher;
    private final long maxResultBytes;

    ResultDownloads(PinnedFetcher fetcher, long maxResultBytes) {
        this.fetcher = fetcher;
        this.maxResultBytes = maxResultBytes;
    }

    /**
     * Writes the body to {@code target} (through a temporary file, so a broken download leaves nothing behind); the
     * whole download, body included, ends within {@code timeout}.
     */
    void download(HttpRequest req, ResultHosts hosts, Path target, String what, Duration timeout)
            throws UpstreamException {
        Path tmp;
        try {
            tmp = Files.createTempFile(target.toAbsolutePath().getParent(), ".download-", ".part");
        } catch (IOException e) {
            throw new IllegalStateException("cannot create a file next to " + target, e);
        }
        try {
            fetchResult(req, hosts, tmp, what, timeout);
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new IllegalStateException("cannot move the download to " + target, e);
        } finally {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // best effort: a leftover .part file is swept with the job's directory
            }
        }
    }

    /**
     * The result's body into {@code file}, following redirects hop by hop within {@code timeout}: each hop's host is
     * resolved once, checked by {@link ResultHosts} and connected to at the checked address ({@link PinnedFetcher}).
     */
    private void fetchResult(HttpRequest req, ResultHosts hosts, Path file, String what, Duration timeout)
            throws UpstreamException {
        long end = System.nanoTime() + timeout.toNanos();
        PinnedFetcher.Limits limits = new PinnedFetcher.Limits(MAX_REDIRECTS, maxResultBytes, PinnedFetcher.CREDENTIALS);
        try (PinnedResponse resp = fetcher.get(req.uri(), req.headers().map(), hosts, limits, end)) {
            int status = resp.status();
            if (status / 100 != 2) {
                String code = SafeText.errorCode(resp.prefix(ERROR_BODY_BYTES));
                throw UpstreamException.ofStatus(status, Http.retryAfter(Optional.ofNullable(resp.header("Retry-After"))),
                        code, SafeText.httpFailure(what, status, code));
            }
            try (InputStream in = resp.body(); OutputStream out = Files.newOutputStream(file)) {
                in.transferTo(out);
            }
        } catch (FetchFailure f) {
            throw resultFailure(what, timeout, f);
        } catch (IOException e) {
            throw Http.failure(what, e);
        }
    }

    /** A result download's failure in the words the providers' errors always had (a host name at most). */
    private UpstreamException resultFailure(String what, Duration timeout, FetchFailure f) {
        return switch (f.reason()) {
            case BAD_URL -> new UpstreamException(UpstreamException.Kind.REJECTED, 0, null,
                    what + ": the upstream named a result URL that is not https on a host", f);
            case REFUSED_ADDRESS -> new UpstreamException(UpstreamException.Kind.REJECTED, 0, null,
                    ResultHosts.refusal(what, f.host()), f);
            case BAD_REDIRECT -> new UpstreamException(UpstreamException.Kind.REJECTED, 0, null,
                    what + ": a redirect to an unreadable location", f);
            case TOO_MANY_REDIRECTS -> new UpstreamException(UpstreamException.Kind.REJECTED, f.status(), null,
                    what + ": more than " + MAX_REDIRECTS + " redirects", f);
            // a video over the cap will not shrink on a second try
            case TOO_LARGE -> new UpstreamException(UpstreamException.Kind.REJECTED, 200, null, what
                    + ": the result is larger than " + maxResultBytes + " bytes (the most Framegate downloads)",
                    new CappedBody.TooLarge(maxResultBytes));
            case UNKNOWN_HOST -> UpstreamException.notSent(what + ": upstream host not found", f);
            case LOOKUP_TIMED_OUT -> UpstreamException.notSent(what + ": timed out resolving the result's host", f);
            case TIMED_OUT -> new UpstreamException(UpstreamException.Kind.TRANSIENT, 0, null,
                    what + ": timed out after " + timeout.toMillis() + " ms", f);
            // as a connection closed early always was: fetched again within the deadline
            case TRUNCATED -> new UpstreamException(UpstreamException.Kind.TRANSIENT, 0, null,
                    what + ": connection broke off", f);
        };
    }
}
