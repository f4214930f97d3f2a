package io.framegate.server.config;

import io.framegate.domain.ModelCatalog;
import io.framegate.provider.ConfigException;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The {@code limits} and {@code retention} sections of framegate.yaml. */
class LimitsSectionsTest {
    private static ServerConfig parse(String yaml) {
        return ConfigFile.parse(yaml, "framegate.yaml", null, ModelCatalog.builtIn(), k -> null);
    }

    @Test
    void withoutTheSectionsTheDefaultsApply() {
        ServerConfig cfg = parse("default_route: local\n");
        assertThat(cfg.limits()).isEqualTo(LimitsConfig.DEFAULTS);
        assertThat(cfg.retention()).isEqualTo(RetentionConfig.DEFAULTS);
        assertThat(ServerConfig.defaults().limits()).isEqualTo(LimitsConfig.DEFAULTS);
        assertThat(RetentionConfig.DEFAULTS.results()).isEqualTo(Duration.ofDays(7));
    }

    /** The example in docs/config.md loads as written and means what the page says. */
    @Test
    void documentedExampleLoads() throws Exception {
        String doc = Files.readString(Path.of("..", "docs", "config.md"));
        Matcher m = Pattern.compile("## Limits and retention.*?```yaml\\n(.*?)```", Pattern.DOTALL).matcher(doc);
        assertThat(m.find()).isTrue();
        ServerConfig cfg = parse(m.group(1));
        assertThat(cfg.limits()).isEqualTo(new LimitsConfig(1_000_000_000L, 3, Duration.ofMinutes(3), 2L << 30));
        assertThat(cfg.retention()).isEqualTo(new RetentionConfig(Duration.ofDays(3), Duration.ofMinutes(30),
                Duration.ofMinutes(5), Duration.ofHours(2)));
    }

    @Test
    void maxQueuedJobsDefaultsTo1000AndZeroTurnsTheBoundOff() {
        assertThat(parse("default_route: local\n").limits().maxQueuedJobs()).isEqualTo(1000);
        assertThat(parse("limits: {max_queued_jobs: 25}\n").limits().maxQueuedJobs()).isEqualTo(25);
        assertThat(parse("limits: {max_queued_jobs: 0}\n").limits().maxQueuedJobs()).isZero();
        assertThatThrownBy(() -> parse("limits: {max_queued_jobs: many}\n")).hasMessageContaining("limits.max_queued_jobs");
    }

    @Test
    void numbersSizesAndDurationsInTheirUsualSpellings() {
        ServerConfig cfg = parse("""
                limits: {local_pixel_frames: 2e9, extension_chain: 1, local_render_deadline: 90s, min_free_disk: 500MB}
                retention: {results: 12h, inputs_grace: 1500ms, sweep_interval: 1m, orphan_age: 1d}
                """);
        assertThat(cfg.limits()).isEqualTo(new LimitsConfig(2_000_000_000L, 1, Duration.ofSeconds(90), 500_000_000L));
        assertThat(cfg.retention()).isEqualTo(new RetentionConfig(Duration.ofHours(12), Duration.ofMillis(1500),
                Duration.ofMinutes(1), Duration.ofDays(1)));
        assertThat(parse("limits: {local_pixel_frames: 1_500_000_000, min_free_disk: 0}").limits())
                .extracting(LimitsConfig::localPixelFrames, LimitsConfig::minFreeDiskBytes).containsExactly(1_500_000_000L, 0L);
    }

    @Test
    void everyBadValueIsNamedAtOnce() {
        assertThatThrownBy(() -> parse("""
                limits: {local_pixel_frames: -3, extension_chain: many, local_render_deadline: soon, min_free_disk: 1 lot, speed: 2}
                retention: {results: 0s, keep: forever}
                """))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("limits.local_pixel_frames: -3 must be a whole number >= 1")
                .hasMessageContaining("limits.extension_chain: many")
                .hasMessageContaining("limits.local_render_deadline: soon is not a positive duration")
                .hasMessageContaining("limits.min_free_disk: 1 lot is not a size")
                .hasMessageContaining("limits.speed: unknown key")
                .hasMessageContaining("retention.results: 0s is not a positive duration")
                .hasMessageContaining("retention.keep: unknown key");
        assertThatThrownBy(() -> parse("retention: 7d")).hasMessageContaining("retention: must be a mapping");
    }

    /**
     * docs/config.md: every default its tables give for the timing, workers, database_pools, limits, retention and
     * webhooks keys
     * is the one a file without those keys gets. The documented values are written into a file and parsed: a doc
     * default that differs from the code's makes the two configurations differ.
     */
    @Test
    void theDefaultsDocumentedInConfigMdAreTheDefaults() throws Exception {
        String doc = Files.readString(Path.of("..", "docs", "config.md"));
        Matcher row = Pattern.compile("(?m)^\\| `([a-z_]+(?:\\.[a-z_]+)?)` \\| `([^`]+)` \\|").matcher(doc);
        java.util.Map<String, java.util.Map<String, String>> sections = new java.util.TreeMap<>();
        java.util.List<String> seen = new java.util.ArrayList<>();
        while (row.find()) {
            String key = row.group(1), value = row.group(2);
            String section = key.contains(".") ? key.substring(0, key.indexOf('.')) : "timing";
            if (!java.util.Set.of("timing", "workers", "database_pools", "limits", "retention", "webhooks")
                    .contains(section)) continue;
            if (section.equals("timing") && key.contains(".")) continue;
            sections.computeIfAbsent(section, k -> new java.util.TreeMap<>()).put(key.substring(key.indexOf('.') + 1), value);
            seen.add(key);
        }
        assertThat(seen).as("the documented defaults found").contains("poll_initial", "request_timeout", "workers.cloud",
                "workers.max_attempts", "workers.max_download_attempts", "workers.max_internal_poll_failures",
                "database_pools.requests",
                "limits.local_pixel_frames", "limits.max_queued_jobs", "retention.results", "retention.orphan_age",
                "webhooks.concurrency");
        StringBuilder yaml = new StringBuilder("default_route: local\n");
        sections.forEach((section, keys) -> {
            yaml.append(section).append(":\n");
            keys.forEach((k, v) -> yaml.append("  ").append(k).append(": ").append(v).append('\n'));
        });
        ServerConfig documented = parse(yaml.toString());
        ServerConfig none = parse("default_route: local\n");
        assertThat(documented.providers().settings()).as(yaml.toString()).isEqualTo(none.providers().settings());
        // a file without workers keys leaves them null: the server's defaults (what `serve` starts with) then apply
        io.framegate.server.jobs.WorkerSettings served = io.framegate.server.ServerOptions.defaults(Path.of(".")).workers();
        assertThat(documented.workers()).isEqualTo(new ServerConfig.Workers(served.localSlots(), served.cloudSlots(),
                served.maxAttempts(), served.maxDownloadAttempts(), served.maxInternalPollFailures()));
        assertThat(documented.pools()).isEqualTo(none.pools());
        assertThat(documented.limits()).isEqualTo(none.limits());
        assertThat(documented.retention()).isEqualTo(none.retention());
        assertThat(documented.webhooks()).isEqualTo(none.webhooks());
    }
}
