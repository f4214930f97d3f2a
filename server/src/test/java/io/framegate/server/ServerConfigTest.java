package io.framegate.server;

import io.framegate.server.config.ServerConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ServerConfigTest {
    @TempDir
    Path dir;

    @Test
    void missingFileMeansEverythingLocal() throws IOException {
        ServerConfig c = ServerConfig.load(dir.resolve("nope.yaml"));
        assertThat(c.routes()).containsEntry("default", "local").hasSize(1);
        assertThat(c.localWorkers()).isEqualTo(1);
        assertThat(c.databaseUrl()).isNull();
    }

    @Test
    void readsRoutesWorkersDatabaseAndLeavesOtherSectionsAlone() throws IOException {
        Path f = dir.resolve("framegate.yaml");
        Files.writeString(f, """
                routes:
                  sora-2: gemini-main
                workers:
                  local: 2
                  cloud: 16
                database:
                  url: jdbc:postgresql://db/framegate
                  user: fg
                providers:
                  gemini-main: {kind: gemini}
                """);
        ServerConfig c = ServerConfig.load(f);
        assertThat(c.routes()).containsEntry("sora-2", "gemini-main").containsEntry("default", "local");
        assertThat(c.localWorkers()).isEqualTo(2);
        assertThat(c.cloudWorkers()).isEqualTo(16);
        assertThat(c.databaseUrl()).isEqualTo("jdbc:postgresql://db/framegate");
        assertThat(c.databaseUser()).isEqualTo("fg");
    }

    @Test
    void badValuesNameTheKey() throws IOException {
        Path f = dir.resolve("framegate.yaml");
        Files.writeString(f, "workers:\n  local: 0\n");
        assertThatThrownBy(() -> ServerConfig.load(f)).hasMessageContaining("workers.local");
        Files.writeString(f, "workers:\n  gpu: 1\n");
        assertThatThrownBy(() -> ServerConfig.load(f)).hasMessageContaining("unknown key workers.gpu");
        Files.writeString(f, "routes:\n  sora-2: 3\n");
        assertThatThrownBy(() -> ServerConfig.load(f)).hasMessageContaining("routes.sora-2");
    }
}
