package io.framegate.server.jobs;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The worker defaults the docs state: docs/config.md (workers.cloud 8, polls by 2 x workers.cloud threads, 4 to 64;
 * the lease 30 s renewed every third of it; max_attempts 3, a crash retried after 10 s, 20 s, ...; 10 attempts to
 * collect a job the upstream accepted), docs/limits.md
 * (A crashing job stops) and docs/admin.md (What survives what; leases taken over after 30 s).
 */
class WorkerSettingsDefaultsTest {
    static WorkerSettings cloud(int slots) {
        return WorkerSettings.DEFAULT.withSlots(1, slots);
    }

    @Test
    void pollThreadsAreTwiceTheCloudSlotsBetween4And64() {
        assertThat(WorkerSettings.DEFAULT.cloudSlots()).isEqualTo(8);
        assertThat(WorkerSettings.DEFAULT.pollThreads()).isEqualTo(16);
        assertThat(cloud(1).pollThreads()).as("at least 4").isEqualTo(4);
        assertThat(cloud(2).pollThreads()).isEqualTo(4);
        assertThat(cloud(3).pollThreads()).isEqualTo(6);
        assertThat(cloud(32).pollThreads()).isEqualTo(64);
        assertThat(cloud(33).pollThreads()).as("at most 64").isEqualTo(64);
        assertThat(cloud(500).pollThreads()).isEqualTo(64);
    }

    @Test
    void theLeaseIs30SecondsRenewedEvery10() {
        assertThat(WorkerSettings.DEFAULT.lease()).isEqualTo(Duration.ofSeconds(30));
        assertThat(LeaseHeartbeat.intervalMillis(WorkerSettings.DEFAULT)).as("every third of the lease").isEqualTo(10_000);
    }

    @Test
    void aCrashedJobGetsThreeAttemptsRetriedAfter10Then20Seconds() {
        assertThat(WorkerSettings.DEFAULT.maxAttempts()).isEqualTo(3);
        assertThat(WorkerSettings.DEFAULT_RETRY_BACKOFF).isEqualTo(Duration.ofSeconds(10));
        assertThat(WorkerSettings.DEFAULT.backoffBefore(2)).isEqualTo(Duration.ofSeconds(10));
        assertThat(WorkerSettings.DEFAULT.backoffBefore(3)).isEqualTo(Duration.ofSeconds(20));
        assertThat(WorkerSettings.DEFAULT.backoffBefore(4)).as("doubling: 10 s, 20 s, ...").isEqualTo(Duration.ofSeconds(40));
    }

    @Test
    void aJobTheUpstreamAcceptedGetsTenAttemptsToCollectItsVideo() {
        assertThat(WorkerSettings.DEFAULT.maxDownloadAttempts()).isEqualTo(10);
        assertThat(WorkerSettings.DEFAULT.withAttempts(5, Duration.ofSeconds(1)).withSlots(2, 4).maxDownloadAttempts())
                .as("kept by the other settings' copies").isEqualTo(10);
    }
}
