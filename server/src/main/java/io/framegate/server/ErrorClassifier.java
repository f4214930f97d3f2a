package io.framegate.server;

import io.framegate.domain.ValidationException;
import io.framegate.domain.Violation;
import io.framegate.server.jobs.ConcurrencyLimitException;
import io.framegate.server.jobs.ContentExpiredException;
import io.framegate.server.jobs.IdempotencyMismatchException;
import io.framegate.server.jobs.InsufficientStorageException;
import io.framegate.server.jobs.JobStateException;
import io.framegate.server.jobs.NoSuchJobException;
import io.framegate.server.jobs.QuotaExceededException;
import io.javalin.http.HttpResponseException;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The one place that decides which HTTP status and code an exception becomes, for every surface. The first mapping
 * whose type matches wins (so a subtype is mapped before its parent); anything unmapped is a 500 with a generic
 * message and the request id, its details only in the log.
 */
public final class ErrorClassifier {
    private record Mapping(Class<?> type, Function<Object, ApiError> map) {
    }

    /** The code of a create whose Idempotency-Key another create still holds: the one 409 a retry resolves. */
    public static final String IN_USE = "idempotency_key_in_use";

    private final List<Mapping> mappings = new ArrayList<>();

    /** The mappings both surfaces share; a new exception of the job core is one {@link #map} line here. */
    public static ErrorClassifier standard() {
        return new ErrorClassifier()
                .map(ClientFacingException.class, e -> new ApiError(e.httpStatus(),
                        e.code() != null ? e.code() : codeFor(e.httpStatus()), ((Throwable) e).getMessage(), e.param()))
                .map(IdempotencyMismatchException.class, e -> new ApiError(409, "idempotency_key_reused", e.getMessage(),
                        IdempotencyKeys.HEADER))
                .map(io.framegate.server.jobs.IdempotencyKeyInUseException.class, e -> new ApiError(409,
                        IN_USE, e.getMessage(), IdempotencyKeys.HEADER))
                .map(NoSuchJobException.class, e -> new ApiError(404, "not_found", "No video found with id '"
                        + e.jobId() + "'.", null))
                .map(ContentExpiredException.class, e -> new ApiError(410, "video_expired", e.getMessage(), null))
                .map(QuotaExceededException.class, e -> new ApiError(429, "insufficient_quota", e.getMessage(), null))
                .map(ConcurrencyLimitException.class, e -> new ApiError(429, "rate_limit_exceeded", e.getMessage(), null))
                .map(InsufficientStorageException.class, e -> new ApiError(507, "insufficient_storage", e.getMessage(), null))
                .map(io.framegate.server.limits.ModelNotAllowedException.class, e -> new ApiError(403, "model_not_allowed", e.getMessage(), "model"))
                .map(io.framegate.server.limits.RateLimitedException.class, e -> new ApiError(429, "rate_limit_exceeded", e.getMessage(), null))
                .map(io.framegate.server.limits.QueueFullException.class, e -> new ApiError(429, "queue_full", e.getMessage(), null))
                .map(JobStateException.class, e -> ApiError.invalid(null, "invalid_state", e.getMessage()))
                .map(ValidationException.class, ErrorClassifier::validation)
                .map(HttpResponseException.class, e -> new ApiError(e.getStatus(), codeFor(e.getStatus()), e.getMessage(), null));
    }

    /** Maps exceptions of {@code type} (a class or an interface) with {@code f}; earlier mappings win. */
    @SuppressWarnings("unchecked")
    public <E> ErrorClassifier map(Class<E> type, Function<? super E, ApiError> f) {
        mappings.add(new Mapping(type, o -> f.apply((E) o)));
        return this;
    }

    /** What {@code e} answers; {@code requestId} goes into the message of a 500. */
    public ApiError classify(Throwable e, String requestId) {
        Throwable inner = e instanceof java.io.UncheckedIOException u ? u.getCause() : e;
        if (inner instanceof io.framegate.server.storage.StorageException) {
            return new ApiError(503, "unavailable", "Video storage is unavailable right now; try again later"
                    + (requestId != null ? " (request id " + requestId + ")" : "") + ".", null);
        }
        for (Mapping m : mappings) {
            if (m.type().isInstance(e)) return m.map().apply(e);
        }
        if (databaseUnreachable(e)) {
            return new ApiError(503, "unavailable", "The service is unavailable right now; try again later"
                    + (requestId != null ? " (request id " + requestId + ")" : "") + ".", null);
        }
        return internal(requestId);
    }

    /**
     * Whether {@code e} (or what it wraps) says the database could not be reached: the pool timed out waiting for a
     * connection, or the server refused or closed it (SQLSTATE class 08, or 57P01-57P03 while it shuts down, crashed
     * or starts). A transient outage, not a fault of the request or of Framegate.
     */
    public static boolean databaseUnreachable(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof java.sql.SQLTransientConnectionException || t instanceof java.sql.SQLNonTransientConnectionException) {
                return true;
            }
            if (t instanceof java.sql.SQLException sql && sql.getSQLState() != null) {
                String state = sql.getSQLState();
                if (state.startsWith("08") || state.equals("57P01") || state.equals("57P02") || state.equals("57P03")) {
                    return true;
                }
            }
        }
        return false;
    }

    public static ApiError internal(String requestId) {
        return new ApiError(500, "server_error", "The server had an error while processing your request"
                + (requestId != null ? " (request id " + requestId + ")" : "") + ". Quote the request id when reporting it.",
                null);
    }

    private static ApiError validation(ValidationException e) {
        Violation v = e.first();
        String message = e.violations().stream().map(Violation::message).collect(Collectors.joining("; "));
        return ApiError.invalid(v.param(), v.value() == null ? "missing_required_parameter" : "invalid_value", message);
    }

    /** A code for a status when the exception names none. */
    public static String codeFor(int status) {
        return switch (status) {
            case 400 -> "invalid_request";
            case 401 -> "invalid_api_key";
            case 403 -> "permission_denied";
            case 404 -> "not_found";
            case 405 -> "method_not_allowed";
            case 409 -> "conflict";
            case 410 -> "gone";
            case 413 -> "request_too_large";
            case 414 -> "uri_too_long";
            case 415 -> "unsupported_media_type";
            case 429 -> "rate_limit_exceeded";
            case 431 -> "headers_too_large";
            case 501 -> "unsupported_endpoint";
            case 503 -> "unavailable";
            case 507 -> "insufficient_storage";
            default -> status >= 500 ? "server_error" : "invalid_request";
        };
    }
}
