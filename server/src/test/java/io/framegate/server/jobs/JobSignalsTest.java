package io.framegate.server.jobs;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The dispatcher's wake-up remembers which lanes were rung, so a create wakes only the lane its job was routed to. */
class JobSignalsTest {
    @Test
    void aLaneBellAnswersTheLanesRungAndClearsThem() throws Exception {
        JobSignals.LaneBell bell = new JobSignals.LaneBell();
        bell.ring("cloud");
        assertThat(bell.await(1000)).isEqualTo(new JobSignals.Rung(false, true));
        bell.ring("local");
        bell.ring("local");
        assertThat(bell.await(1000)).isEqualTo(new JobSignals.Rung(true, false));
        bell.ring(null); // a job no router placed: every lane
        assertThat(bell.await(1000)).isEqualTo(new JobSignals.Rung(true, true));
        bell.ring("cloud");
        bell.ring();
        assertThat(bell.await(1000)).isEqualTo(new JobSignals.Rung(true, true));
        assertThat(bell.await(1)).as("nothing rang since: a timeout").isEqualTo(new JobSignals.Rung(false, false));
    }
}
