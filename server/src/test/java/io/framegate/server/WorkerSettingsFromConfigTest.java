package io.framegate.server;

import io.framegate.domain.ModelCatalog;
import io.framegate.server.config.ConfigFile;
import io.framegate.server.config.ServerConfig;
import io.framegate.server.jobs.WorkerSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** framegate.yaml's workers section and the upstream request timeout shape the worker pool. */
class WorkerSettingsFromConfigTest {
    @TempDir
    Path dir;

    ServerConfig read(String yaml) throws Exception {
        Path f = dir.resolve("framegate.yaml");
        Files.writeString(f, yaml);
        return ConfigFile.read(dir, f, ModelCatalog.builtIn(), Map.of("K", "secret")::get);
    }

    @Test
    void shutdownGraceCoversTheUpstreamRequestTimeoutAndMaxAttemptsAreRead() throws Exception {
        ServerConfig cfg = read("""
                providers:
                  agg: {type: openai, base_url: 'https://videos.example.com/v1', api_key_env: K}
                routes:
                  sora-2: [{channel: agg, allow_retired: true}]
                timing: {request_timeout: 90s}
                workers: {cloud: 6, max_attempts: 5, max_download_attempts: 25, max_internal_poll_failures: 4}
                """);
        WorkerSettings w = ServerModules.workerSettings(WorkerSettings.DEFAULT, cfg);
        assertThat(w.shutdownGrace()).as("docs/admin.md: at least the upstream request_timeout + 5 s")
                .isGreaterThanOrEqualTo(Duration.ofSeconds(95));
        assertThat(w.maxAttempts()).isEqualTo(5);
        assertThat(w.maxDownloadAttempts()).isEqualTo(25);
        assertThat(w.maxInternalPollFailures()).as("the poller's own bound, not the download attempts").isEqualTo(4);
        assertThat(w.cloudSlots()).isEqualTo(6);

        WorkerSettings offline = ServerModules.workerSettings(WorkerSettings.DEFAULT, read("workers: {local: 1}\n"));
        assertThat(offline.shutdownGrace()).as("no upstream, no reason to wait longer").isEqualTo(WorkerSettings.DEFAULT.shutdownGrace());
        assertThat(offline.maxAttempts()).isEqualTo(WorkerSettings.DEFAULT_MAX_ATTEMPTS);
        assertThat(offline.maxDownloadAttempts()).isEqualTo(WorkerSettings.DEFAULT_MAX_DOWNLOAD_ATTEMPTS);
        assertThat(offline.maxInternalPollFailures()).isEqualTo(WorkerSettings.DEFAULT_MAX_INTERNAL_POLL_FAILURES);
    }
}
