package io.framegate.server.events;

import io.framegate.domain.JobStatus;
import io.framegate.server.jobs.Job;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** events.md: ids only grow over a job's life - 1000 queued, 2000 + percent in progress (at most 2099), 3000 the end. */
class EventIdTest {
    static Job at(JobStatus status, int progress) {
        Instant t = Instant.ofEpochSecond(1_764_480_000L);
        return new Job("video_e", "key_a", "openai", "sora-2", status, progress, "p", 4, "1280x720", null, null, t, t, t,
                null, "local", Map.of(), 1, null, null, Map.of());
    }

    @Test
    void idsGrowFromQueuedThroughEveryPercentToTheEnd() {
        assertThat(VideoEventStream.eventId(at(JobStatus.QUEUED, 0))).isEqualTo(1000);
        assertThat(VideoEventStream.eventId(at(JobStatus.IN_PROGRESS, 0))).isEqualTo(2000);
        assertThat(VideoEventStream.eventId(at(JobStatus.IN_PROGRESS, 37))).isEqualTo(2037);
        assertThat(VideoEventStream.eventId(at(JobStatus.IN_PROGRESS, 100))).as("below the end's id").isEqualTo(2099);
        for (JobStatus end : new JobStatus[]{JobStatus.COMPLETED, JobStatus.FAILED, JobStatus.CANCELLED}) {
            assertThat(VideoEventStream.eventId(at(end, 100))).as(end.name()).isEqualTo(3000);
        }
    }
}
