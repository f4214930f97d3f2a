package io.framegate.provider;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;

import java.time.Instant;

/**
 * What a cloud job remembers across restarts: which channel (credential) it went to, and either that a submit is
 * under way ({@link Phase#SUBMITTING}: no handle yet, the upstream may or may not have the job) or the upstream's
 * handle ({@link Phase#SUBMITTED}), so that polling and download resume there and nothing is submitted twice.
 *
 * @param at             when the submit was sent ({@code submitting}) or answered ({@code submitted})
 * @param idempotencyKey the key sent with the submit, the same on every attempt of the job
 */
public record Checkpoint(Phase phase, String provider, String channel, String upstreamModel, String handle,
                         Instant at, String idempotencyKey) {
    /** Where a cloud job stands. */
    public enum Phase {
        /** A submit was (perhaps) sent and no answer is recorded: the upstream may already have the job. */
        SUBMITTING,
        /** The upstream accepted the job; {@link #handle} names it. */
        SUBMITTED,
        /** Every channel provably refused the submit: no upstream job exists, a new attempt may submit. */
        REFUSED
    }

    /** A job the upstream accepted (the checkpoint written before this phase existed). */
    public Checkpoint(String provider, String channel, String upstreamModel, String handle, Instant submittedAt) {
        this(Phase.SUBMITTED, provider, channel, upstreamModel, handle, submittedAt, null);
    }

    public static Checkpoint submitting(String provider, String channel, String upstreamModel, Instant sentAt,
                                        String idempotencyKey) {
        return new Checkpoint(Phase.SUBMITTING, provider, channel, upstreamModel, null, sentAt, idempotencyKey);
    }

    public Checkpoint submitted(String handle, Instant at) {
        return new Checkpoint(Phase.SUBMITTED, provider, channel, upstreamModel, handle, at, idempotencyKey);
    }

    public Checkpoint refused() {
        return new Checkpoint(Phase.REFUSED, provider, channel, upstreamModel, null, at, idempotencyKey);
    }

    public Instant submittedAt() {
        return at;
    }

    public String toJson() {
        try {
            return Http.JSON.writeValueAsString(new Wire(phase.name().toLowerCase(java.util.Locale.ROOT), provider,
                    channel, upstreamModel, handle, at.toString(), idempotencyKey));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Reads a checkpoint written by {@link #toJson}; null for anything else (e.g. a local engine's state). */
    public static Checkpoint parse(String json) {
        try {
            Wire w = Http.JSON.readValue(json, Wire.class);
            Phase phase = w.phase == null ? Phase.SUBMITTED : Phase.valueOf(w.phase.toUpperCase(java.util.Locale.ROOT));
            if (w.channel == null || (phase == Phase.SUBMITTED && w.handle == null)) return null;
            return new Checkpoint(phase, w.provider, w.channel, w.upstreamModel, w.handle,
                    w.submittedAt != null ? Instant.parse(w.submittedAt) : Instant.now(), w.idempotencyKey);
        } catch (Exception notOurs) {
            return null;
        }
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    private record Wire(@JsonProperty("phase") String phase, @JsonProperty("provider") String provider,
                        @JsonProperty("channel") String channel, @JsonProperty("upstream_model") String upstreamModel,
                        @JsonProperty("handle") String handle, @JsonProperty("submitted_at") String submittedAt,
                        @JsonProperty("idempotency_key") String idempotencyKey) { }
}
