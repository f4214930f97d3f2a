package io.framegate.server;

/** An exception after which the client may try again: the error answer carries {@code Retry-After} (seconds). */
public interface RetryAfter {
    long retryAfterSeconds();
}
