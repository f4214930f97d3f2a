package io.framegate.server;

import java.util.Map;

/**
 * A {@code Range} header no byte of the file satisfies: a 416 naming the header, its value and the file's size, in the
 * surface's error shape, with {@code Content-Range: bytes *}{@code /SIZE} as RFC 9110 (15.5.17) asks.
 */
public final class RangeNotSatisfiableException extends RuntimeException implements ClientFacingException, ResponseHeaders {
    private final long size;

    public RangeNotSatisfiableException(String message, long size) {
        super(message);
        this.size = size;
    }

    @Override
    public int httpStatus() {
        return 416;
    }

    @Override
    public String code() {
        return "range_not_satisfiable";
    }

    @Override
    public String param() {
        return "Range";
    }

    @Override
    public Map<String, String> responseHeaders() {
        return Map.of("Content-Range", "bytes */" + size);
    }
}
