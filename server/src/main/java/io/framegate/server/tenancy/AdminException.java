package io.framegate.server.tenancy;

/**
 * A refused admin request (accounts, keys, usage), with the HTTP status it answers; its message is written for the
 * operator and names the field, value and rule.
 */
public final class AdminException extends RuntimeException {
    private final int status;
    private final String code;
    private final String param;

    public AdminException(int status, String code, String param, String message) {
        super(message);
        this.status = status;
        this.code = code;
        this.param = param;
    }

    public static AdminException invalid(String param, String message) {
        return new AdminException(400, "invalid_value", param, message);
    }

    public static AdminException notFound(String what, String name) {
        return new AdminException(404, "not_found", null, "no " + what + " named '" + name + "'");
    }

    public static AdminException conflict(String param, String message) {
        return new AdminException(409, "conflict", param, message);
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    public String param() {
        return param;
    }
}
