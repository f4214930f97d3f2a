package io.framegate.server;

/**
 * An exception whose message is written for the client and whose status is decided where it is thrown (a surface's
 * own error types, and {@link BadHeaderException}); the classifier keeps both.
 */
public interface ClientFacingException {
    int httpStatus();

    /** A stable code, or null to let the classifier name one from the status. */
    default String code() {
        return null;
    }

    /** The field or header the error is about, or null. */
    default String param() {
        return null;
    }
}
