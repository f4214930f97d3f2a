package io.framegate.server;

import java.util.Map;

/** An exception whose error answer carries headers too (e.g. {@code Retry-After} on a 429); {@link HttpErrors} sets them. */
public interface ResponseHeaders {
    Map<String, String> responseHeaders();
}
