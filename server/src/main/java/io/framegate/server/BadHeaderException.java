package io.framegate.server;

/** A request header breaks a rule: a 400 naming the header, on every surface. */
public final class BadHeaderException extends RuntimeException implements ClientFacingException {
    private final String header;

    public BadHeaderException(String header, String message) {
        super(message);
        this.header = header;
    }

    @Override
    public int httpStatus() {
        return 400;
    }

    @Override
    public String code() {
        return "invalid_header";
    }

    @Override
    public String param() {
        return header;
    }
}
