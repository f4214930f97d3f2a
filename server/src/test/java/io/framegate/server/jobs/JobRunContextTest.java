package io.framegate.server.jobs;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class JobRunContextTest {
    @Test
    void engineStagesGetTheirShareAndNothingReaches100() {
        assertThat(JobRunContext.percent("decode", 1, 1)).isEqualTo(2);
        assertThat(JobRunContext.percent("motion", 1, 1)).isEqualTo(5);
        assertThat(JobRunContext.percent("frames", 0, 96)).isEqualTo(5);
        assertThat(JobRunContext.percent("frames", 48, 96)).isEqualTo(50);
        assertThat(JobRunContext.percent("frames", 96, 96)).isEqualTo(95);
        assertThat(JobRunContext.percent("previews", 1, 1)).isEqualTo(99);
        assertThat(JobRunContext.percent("upstream", 1, 2)).isEqualTo(49);
        assertThat(JobRunContext.percent("upstream", 5, 2)).isEqualTo(99);
    }
}
