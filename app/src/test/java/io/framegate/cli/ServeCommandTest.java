package io.framegate.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** `serve` reads --config or <data>/framegate.yaml; a wrong config stops the start (exit 2) naming the field. */
class ServeCommandTest {
    @TempDir
    Path dir;

    @Test
    void wrongExplicitConfigStopsTheStartNamingTheField() throws Exception {
        Path cfg = dir.resolve("routes.yaml");
        Files.writeString(cfg, """
                providers:
                  agg: {type: openai, base_url: 'https://videos.example.com/v1', api_key_env: FRAMEGATE_TEST_UNSET_AGG_KEY}
                routes:
                  sora-2: [agg]
                """);
        CliRun r = CliRun.of("serve", "--port", "0", "--host", "127.0.0.1", "--data", dir.resolve("data").toString(),
                "--config", cfg.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains(cfg.toString()).contains("nothing was started")
                .contains("providers.agg.api_key_env: environment variable FRAMEGATE_TEST_UNSET_AGG_KEY is not set")
                .contains("routes.sora-2[0]: upstream model sora-2 is retired");
        // nothing at all: not even an empty data directory
        assertThat(dir.resolve("data")).doesNotExist();

        CliRun missing = CliRun.of("serve", "--port", "0", "--data", dir.resolve("data").toString(), "--config",
                dir.resolve("nope.yaml").toString());
        assertThat(missing.code()).isEqualTo(2);
        assertThat(missing.err()).contains("nope.yaml").contains("--config: no such file");
        assertThat(dir.resolve("data")).doesNotExist();
    }

    @Test
    void theDataDirectorysFramegateYamlIsRead() throws Exception {
        Path data = Files.createDirectories(dir.resolve("data"));
        Files.writeString(data.resolve("framegate.yaml"), "workers: {local: 1, gpu: 2}\n");
        CliRun r = CliRun.of("serve", "--port", "0", "--host", "127.0.0.1", "--data", data.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains(data.resolve("framegate.yaml").toString()).contains("workers.gpu: unknown key");
    }
}
