package io.framegate.server.veo;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.List;

/**
 * An HTTP error in Google's shape: {@code {"error":{"code":400,"message":"...","status":"INVALID_ARGUMENT",
 * "details":[{"@type":"type.googleapis.com/google.rpc.BadRequest","fieldViolations":[...]}]}}}. The field
 * violations name the Veo request fields ({@code parameters.durationSeconds}, {@code instances[0].image}), so a
 * client sees which of its own fields was wrong.
 */
public final class GoogleApiException extends RuntimeException implements io.framegate.server.ClientFacingException {
    /** One wrong field, as {@code google.rpc.BadRequest.FieldViolation}. */
    public record FieldViolation(String field, String description) { }

    private final int httpStatus;
    private final String status;
    private final List<FieldViolation> fieldViolations;

    public GoogleApiException(int httpStatus, String status, String message, List<FieldViolation> fieldViolations) {
        super(message);
        this.httpStatus = httpStatus;
        this.status = status;
        this.fieldViolations = List.copyOf(fieldViolations);
    }

    public static GoogleApiException invalidArgument(List<FieldViolation> violations) {
        String message = String.join("; ", violations.stream().map(GoogleApiException::describe).toList());
        return new GoogleApiException(400, "INVALID_ARGUMENT", message, violations);
    }

    public static GoogleApiException invalidArgument(String field, String description) {
        return invalidArgument(List.of(new FieldViolation(field, description)));
    }

    public static GoogleApiException invalidArgument(String message) {
        return new GoogleApiException(400, "INVALID_ARGUMENT", message, List.of());
    }

    /** Google's own wording for a body over its limit, which names the limit. */
    /**
     * A body over the server's limit, answered as Google's API answers it: 400 {@code INVALID_ARGUMENT} with its
     * message, not a 413 {@code RESOURCE_EXHAUSTED}, which clients that retry on quota errors would send again as is.
     */
    public static GoogleApiException tooLarge(long limitBytes) {
        return new GoogleApiException(400, "INVALID_ARGUMENT", "Request payload size exceeds the limit: " + limitBytes
                + " bytes.", List.of());
    }

    public static GoogleApiException notFound(String message) {
        return new GoogleApiException(404, "NOT_FOUND", message, List.of());
    }

    public static GoogleApiException unauthenticated(String message) {
        return new GoogleApiException(401, "UNAUTHENTICATED", message, List.of());
    }

    private static String describe(FieldViolation v) {
        return v.description().startsWith(v.field()) ? v.description() : v.field() + ": " + v.description();
    }

    @Override
    public int httpStatus() {
        return httpStatus;
    }

    @Override
    public String param() {
        return fieldViolations.isEmpty() ? null : fieldViolations.get(0).field();
    }

    public String status() {
        return status;
    }

    public List<FieldViolation> fieldViolations() {
        return fieldViolations;
    }

    /** The response body. */
    public ObjectNode toJson() {
        JsonNodeFactory f = JsonNodeFactory.instance;
        ObjectNode error = f.objectNode();
        error.put("code", httpStatus);
        error.put("message", getMessage());
        error.put("status", status);
        if (!fieldViolations.isEmpty()) {
            ObjectNode badRequest = f.objectNode();
            badRequest.put("@type", "type.googleapis.com/google.rpc.BadRequest");
            ArrayNode list = badRequest.putArray("fieldViolations");
            for (FieldViolation v : fieldViolations) {
                list.addObject().put("field", v.field()).put("description", v.description());
            }
            error.putArray("details").add(badRequest);
        }
        ObjectNode root = f.objectNode();
        root.set("error", error);
        return root;
    }
}
