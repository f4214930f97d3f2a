package io.framegate.provider;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;

import java.time.Instant;

/**
 * What a cloud job remembers across restarts: which channel (credential) created the upstream job and its handle, so
 * that polling and download resume there and nothing is submitted twice.
 */
public record Checkpoint(@JsonProperty("provider") String provider,
                         @JsonProperty("channel") String channel,
                         @JsonProperty("upstream_model") String upstreamModel,
                         @JsonProperty("handle") String handle,
                         @JsonProperty("submitted_at") Instant submittedAt) {

    public String toJson() {
        try {
            return Http.JSON.writeValueAsString(new Wire(provider, channel, upstreamModel, handle, submittedAt.toString()));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Reads a checkpoint written by {@link #toJson}; null for anything else (e.g. a local engine's state). */
    public static Checkpoint parse(String json) {
        try {
            Wire w = Http.JSON.readValue(json, Wire.class);
            if (w.channel == null || w.handle == null) return null;
            return new Checkpoint(w.provider, w.channel, w.upstreamModel, w.handle,
                    w.submittedAt != null ? Instant.parse(w.submittedAt) : Instant.now());
        } catch (Exception notOurs) {
            return null;
        }
    }

    private record Wire(@JsonProperty("provider") String provider, @JsonProperty("channel") String channel,
                        @JsonProperty("upstream_model") String upstreamModel, @JsonProperty("handle") String handle,
                        @JsonProperty("submitted_at") String submittedAt) { }
}
