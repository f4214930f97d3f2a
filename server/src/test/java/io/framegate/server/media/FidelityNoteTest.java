package io.framegate.server.media;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.framegate.engine.KeyframeFidelity;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The note is JSON whatever the scores: identical frames have an infinite PSNR, which "%.2f" would write as
 * {@code Infinity} (no JSON number); it is capped at 100 dB as fidelity.md says.
 */
class FidelityNoteTest {
    @Test
    void anIdenticalFrameIsCappedAt100DbAndTheNoteStaysJson() throws Exception {
        KeyframeFidelity.Score exact = new KeyframeFidelity.Score(Double.POSITIVE_INFINITY, 1.0, Double.POSITIVE_INFINITY);
        KeyframeFidelity.Score near = new KeyframeFidelity.Score(41.23456, 0.987654, 41.2);
        String note = FidelityNote.encode(new KeyframeFidelity.Result(exact, near, true));
        JsonNode n = new ObjectMapper().readTree(note);
        assertThat(n.at("/first_frame/psnr").isNumber()).as(note).isTrue();
        assertThat(n.at("/first_frame/psnr").asDouble()).isEqualTo(100.0);
        assertThat(n.at("/last_frame/psnr").asDouble()).isEqualTo(41.23);
        assertThat(n.at("/last_frame/ssim").asDouble()).isEqualTo(0.9877);
        assertThat(n.path("honoured").asBoolean()).isTrue();
        String firstOnly = FidelityNote.encode(new KeyframeFidelity.Result(near, null, false));
        assertThat(new ObjectMapper().readTree(firstOnly).has("last_frame")).as("an end without a keyframe is left out").isFalse();
    }
}
