package io.framegate.provider;

import com.fasterxml.jackson.databind.JsonNode;

import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;

/** Small helpers the JSON-over-HTTP providers share: answers read into their wire records, images as data URIs. */
public final class WireRecords {
    private WireRecords() {
    }

    /** The answer as a wire record; an answer of another shape is as unclear as no answer (TRANSIENT, HTTP 200). */
    public static <T> T read(JsonNode answer, Class<T> type, String what) throws UpstreamException {
        try {
            return Http.JSON.treeToValue(answer, type);
        } catch (Exception e) {
            throw new UpstreamException(UpstreamException.Kind.TRANSIENT, 200, null,
                    what + ": the upstream answered in a shape Framegate cannot read", e);
        }
    }

    /**
     * What the model's field map cannot carry (an asked-for seed, negative prompt or audio setting, an image role), as
     * {@link WireInput#refuse}; null for a model without a map (its provider's whole request applies).
     *
     * @param urls whether the channel can give images other than as data URIs
     */
    public static String unsent(UpstreamJob job, boolean urls) {
        return job.plan().model().wire().fields().isEmpty() ? null : WireInput.refuse(job, urls);
    }

    /** Whether {@code url} is on the same host and port as {@code base}: only then may the channel's key go with it. */
    public static boolean sameHost(String url, String base) {
        try {
            URI u = URI.create(url), b = URI.create(base);
            return u.getHost() != null && u.getHost().equalsIgnoreCase(b.getHost()) && u.getPort() == b.getPort();
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** A wire record as JSON bytes. */
    public static byte[] json(Object body) {
        try {
            return Http.JSON.writeValueAsBytes(body);
        } catch (Exception e) {
            throw new IllegalStateException("cannot write " + body.getClass().getSimpleName(), e);
        }
    }

    /**
     * Whether the model's request field map (catalog {@code wire.fields}) names this Framegate parameter or role; a model
     * without a map takes every field its provider's request has.
     */
    public static boolean sends(io.framegate.domain.ModelSpec model, String name) {
        return model.wire().fields().isEmpty() || model.wire().field(name) != null;
    }

    /** The model's field for {@code name}, or {@code fallback} when its catalog entry has no map. */
    public static String field(io.framegate.domain.ModelSpec model, String name, String fallback) {
        return model.wire().fields().isEmpty() ? fallback : model.wire().field(name);
    }

    public static String stripSlash(String s) {
        return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
    }

    /**
     * POSTs {@code body} as JSON with the (authorised) request and reads the answer as {@code type}: the create call
     * of the task-style providers (Seedance, OpenRouter, MiniMax, Wan).
     */
    public static <T> T post(Http http, HttpRequest.Builder request, Object body, Class<T> type, String what,
                             Duration timeout) throws UpstreamException {
        HttpRequest req = request.header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(json(body))).build();
        return read(http.json(req, what, timeout), type, what);
    }

    /**
     * The id a create answered with; a 2xx create without one is TRANSIENT (it may have been made: the submit
     * reconciler looks for it rather than paying twice).
     */
    public static String createdId(String id, String what, String name) throws UpstreamException {
        if (id == null || id.isBlank()) throw answered(UpstreamException.Kind.TRANSIENT, what + " answered without a " + name);
        return id;
    }

    /** A 2xx answer that says the call failed (an error object in the body). */
    public static UpstreamException answered(UpstreamException.Kind kind, String message) {
        return new UpstreamException(kind, 200, null, message);
    }
}
