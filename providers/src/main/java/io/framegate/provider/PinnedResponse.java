package io.framegate.provider;

import okhttp3.Call;
import okhttp3.Response;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;

/**
 * One answer of a {@link PinnedFetcher}: its status and headers, and its body as a stream the caller reads (into a
 * file, into memory) within the fetch's deadline. Close it.
 */
public final class PinnedResponse implements AutoCloseable {
    private final URI uri;
    private final String host;
    private final Call call;
    private final Response response;
    private final long maxBytes;

    PinnedResponse(URI uri, String host, Call call, Response response, long maxBytes) {
        this.uri = uri;
        this.host = host;
        this.call = call;
        this.response = response;
        this.maxBytes = maxBytes;
    }

    public int status() {
        return response.code();
    }

    /** The first value of a header, or null. */
    public String header(String name) {
        return response.header(name);
    }

    /** The URL that gave this answer (the last hop). */
    public URI uri() {
        return uri;
    }

    /**
     * The body, at most the fetch's cap: a larger {@code Content-Length} is refused before a byte is read, and a body
     * that keeps coming fails when it passes the cap, both {@link FetchFailure.Reason#TOO_LARGE}. A body that ends
     * before its {@code Content-Length} fails {@link FetchFailure.Reason#TRUNCATED}; the deadline,
     * {@link FetchFailure.Reason#TIMED_OUT}.
     */
    public InputStream body() throws FetchFailure {
        long declared = response.body().contentLength();
        if (declared > maxBytes) throw tooLarge();
        return new Capped(response.body().byteStream(), declared);
    }

    /** The first {@code max} bytes of the body or fewer (an error answer is read only for its code); empty if unread. */
    public byte[] prefix(int max) {
        try (InputStream in = response.body().byteStream()) {
            return in.readNBytes(max);
        } catch (IOException e) {
            return new byte[0];
        }
    }

    @Override
    public void close() {
        response.close();
    }

    private FetchFailure tooLarge() {
        return new FetchFailure(FetchFailure.Reason.TOO_LARGE, host, "the body is larger than " + maxBytes + " bytes");
    }

    /** Counts what is read against the cap and the declared length, and names why a read failed. */
    private final class Capped extends InputStream {
        private final InputStream in;
        private final long declared;
        private long seen;

        Capped(InputStream in, long declared) {
            this.in = in;
            this.declared = declared;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n;
            try {
                // one byte past the cap is enough to know the body is over it
                n = in.read(b, off, (int) Math.min(len, Math.max(1, maxBytes + 1 - seen)));
            } catch (IOException e) {
                IOException f = PinnedFetcher.failure(host, call, e);
                if (f instanceof FetchFailure || declared < 0 || seen >= declared) throw f;
                throw truncated(e);
            }
            if (n < 0) {
                if (declared >= 0 && seen < declared) throw truncated(null);
                return n;
            }
            seen += n;
            if (seen > maxBytes) throw tooLarge();
            return n;
        }

        private FetchFailure truncated(Throwable cause) {
            return new FetchFailure(FetchFailure.Reason.TRUNCATED, host, 0, "the body ended after " + seen + " of "
                    + declared + " bytes", cause);
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }
}
