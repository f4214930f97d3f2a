package io.framegate.domain;

/**
 * A generation that failed for a reason the client should see, with a stable code
 * (e.g. {@code content_filtered}, {@code upstream_failed}, {@code bad_image}).
 */
public class GenerationException extends Exception {
    private final String code;

    public GenerationException(String code, String message) {
        super(message);
        this.code = code;
    }

    public GenerationException(String code, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    public String code() {
        return code;
    }
}
