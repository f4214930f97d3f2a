package io.framegate.engine;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class CameraMotionTest {
    @Test
    void readsMovesSpeedsAndCombinations() {
        CameraMotion slowPan = CameraMotion.fromPrompt("A slow pan left across the harbour at dusk");
        assertThat(slowPan.yawDeg()).isEqualTo(-CameraMotion.YAW * 0.5);
        assertThat(slowPan.zoom()).isZero();
        assertThat(slowPan.description()).isEqualTo("pan left (slow)");

        CameraMotion combo = CameraMotion.fromPrompt("Fast zoom-out while the camera tilts up");
        assertThat(combo.zoom()).isEqualTo(-CameraMotion.ZOOM * 2);
        assertThat(combo.pitchDeg()).isEqualTo(CameraMotion.PITCH * 2);

        assertThat(CameraMotion.fromPrompt("dolly in toward the door").dolly()).isPositive();
        assertThat(CameraMotion.fromPrompt("dolly in toward the door").layered()).isTrue();
        assertThat(CameraMotion.fromPrompt("orbit left around the car").orbitDeg()).isNegative();
        assertThat(CameraMotion.fromPrompt("static shot of a lake").still()).isTrue();
        assertThat(CameraMotion.fromPrompt("parallax").truck()).isPositive();
    }

    @Test
    void noKeywordMeansAGentlePushIn() {
        for (String prompt : new String[]{null, "", "a cat sleeping on a sofa"}) {
            CameraMotion m = CameraMotion.fromPrompt(prompt);
            assertThat(m.zoom()).isEqualTo(CameraMotion.PUSH_IN);
            assertThat(m.yawDeg()).isZero();
            assertThat(m.layered()).isFalse();
            assertThat(m.description()).isEqualTo("push in (default)");
        }
    }
}
