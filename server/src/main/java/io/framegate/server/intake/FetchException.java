package io.framegate.server.intake;

/** Why an image URL could not be fetched; the message reads after the name of the field that held the URL. */
public final class FetchException extends Exception {
    public enum Kind { INVALID_URL, FORBIDDEN_ADDRESS, UNREACHABLE, TIMEOUT, TOO_LARGE, BUSY }

    private final Kind kind;

    FetchException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
