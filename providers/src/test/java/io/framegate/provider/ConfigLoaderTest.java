package io.framegate.provider;

import io.framegate.domain.ModelCatalog;
import io.framegate.provider.gemini.GeminiProvider;
import io.framegate.provider.openai.OpenAiProvider;
import io.framegate.provider.vertex.VertexProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConfigLoaderTest {
    static final ModelCatalog CATALOG = ModelCatalog.builtIn();

    @TempDir
    Path tmp;

    FramegateConfig parse(String yaml, Map<String, String> env) {
        return new ConfigLoader(CATALOG, env::get).parse(yaml, "framegate.yaml", tmp);
    }

    /** The example in docs/config.md is loaded as written, so the documentation cannot drift from the loader. */
    @Test
    void documentedFullExampleLoadsAndKeepsSecretsOutOfEveryString() throws Exception {
        String doc = Files.readString(Path.of("..", "docs", "config.md"));
        Matcher m = Pattern.compile("## Full example\\s+```yaml\\n(.*?)```", Pattern.DOTALL).matcher(doc);
        assertThat(m.find()).isTrue();
        Files.createDirectories(tmp.resolve("secrets"));
        Files.writeString(tmp.resolve("secrets/vertex-sa.json"), "{}");
        Files.writeString(tmp.resolve("secrets/aggregator.key"), "sk-file-secret\n");
        Files.writeString(tmp.resolve("secrets/db.pass"), "db-file-secret\n");

        FramegateConfig cfg = parse(m.group(1), Map.of("GEMINI_API_KEY", "gm-env-secret", "GEMINI_API_KEY_2", "gm-env-secret-2"));

        assertThat(cfg.channels()).containsOnlyKeys("vertex-us", "vertex-eu", "google-a", "google-b", "aggregator");
        assertThat(gemini(cfg, "google-b").apiKey().reveal()).isEqualTo("gm-env-secret-2");
        assertThat(gemini(cfg, "google-a").apiKey().reveal()).isEqualTo("gm-env-secret");
        assertThat(((OpenAiProvider.Settings) cfg.channels().get("aggregator").settings()).apiKey().reveal())
                .isEqualTo("sk-file-secret");
        VertexProvider.Settings eu = (VertexProvider.Settings) cfg.channels().get("vertex-eu").settings();
        assertThat(eu.location()).isEqualTo("europe-west4");
        assertThat(eu.project()).isEqualTo("my-project");
        assertThat(cfg.routes().get("veo-3.1-generate-001").targets()).extracting(FramegateConfig.Target::channel)
                .containsExactly("vertex-us", "vertex-eu", "google-a", "google-b");
        FramegateConfig.RouteConfig sora = cfg.routes().get("sora-2");
        assertThat(sora.referenceAs()).isEqualTo(ReferenceAs.FIRST_FRAME);
        assertThat(sora.targets().get(1).upstreamModel().id()).isEqualTo("veo-3.1-fast-generate-001");
        assertThat(cfg.aliases()).containsEntry("house-video", "veo-3.1-generate-001");
        assertThat(cfg.settings().pollInitial()).hasSeconds(10);
        assertThat(cfg.workers()).isEqualTo(new FramegateConfig.Workers(1, 16));
        assertThat(cfg.database().url()).isEqualTo("jdbc:h2:file:/var/lib/framegate/db/framegate");
        assertThat(cfg.database().password().reveal()).isEqualTo("db-file-secret");

        String all = cfg.toString() + cfg.channels().values() + cfg.database();
        try (Routing r = new Routing(cfg, null, new io.framegate.domain.RequestValidator(CATALOG), null, Ticker.SYSTEM, new Random())) {
            all += r.channels().values().stream().map(c -> c + " " + c.upstream()).toList();
            assertThat(r.resolveAlias("House-Video")).contains("veo-3.1-generate-001");
        }
        assertThat(all).doesNotContain("gm-env-secret").doesNotContain("sk-file-secret").doesNotContain("db-file-secret")
                .contains("***(env GEMINI_API_KEY)");
    }

    static GeminiProvider.Settings gemini(FramegateConfig cfg, String channel) {
        return (GeminiProvider.Settings) cfg.channels().get(channel).settings();
    }

    @Test
    void retiredUpstreamModelIsRefusedNamingTheFieldAndTheReplacement() {
        assertThatThrownBy(() -> parse("""
                providers:
                  google: {type: gemini, api_key_env: K}
                routes:
                  veo-3.1-generate-001:
                    - {channel: google, model: veo-3.1-generate-preview}
                """, Map.of("K", "x")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("routes.veo-3.1-generate-001[0].model: upstream model veo-3.1-generate-preview is retired")
                .hasMessageContaining("2026-10-22").hasMessageContaining("use veo-3.1-generate-001 instead");
        assertThatThrownBy(() -> parse("""
                providers:
                  agg: {type: openai, base_url: 'https://x.example/v1', api_key_env: K}
                routes:
                  sora-2: [agg]
                """, Map.of("K", "x")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("routes.sora-2[0]: upstream model sora-2 is retired")
                .hasMessageContaining("allow_retired");
    }

    @Test
    void missingEnvironmentVariableNamesTheField() {
        assertThatThrownBy(() -> parse("""
                providers:
                  google: {type: gemini}
                channels:
                  main: {provider: google, api_key_env: FRAMEGATE_TEST_UNSET_KEY}
                routes:
                  veo-3.1: [main]
                """, Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("channels.main.api_key_env: environment variable FRAMEGATE_TEST_UNSET_KEY is not set");
    }

    @Test
    void everyProblemIsReportedAtOnceWithItsField() {
        assertThatThrownBy(() -> parse("""
                providers:
                  v: {type: vertex, lcoation: us-central1}
                  x: {type: azure}
                routes:
                  veo-3.1: [{channel: nowhere}]
                  not-a-model: [v]
                default_route: cloud
                timing: {deadline: soon}
                """, Map.of()))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).problems()).anySatisfy(p -> assertThat(p).startsWith("providers.v.lcoation: unknown key"))
                        .anySatisfy(p -> assertThat(p).startsWith("providers.x.type: azure is not one of"))
                        .anySatisfy(p -> assertThat(p).startsWith("providers.v.project: missing"))
                        .anySatisfy(p -> assertThat(p).startsWith("routes.veo-3.1[0].channel: nowhere is not defined"))
                        .anySatisfy(p -> assertThat(p).startsWith("routes.not-a-model: not-a-model is not a catalog model"))
                        .anySatisfy(p -> assertThat(p).startsWith("default_route: cloud"))
                        .anySatisfy(p -> assertThat(p).startsWith("timing.deadline: soon is not a duration")));
    }

    @Test
    void googleChannelsServeGoogleModelsOnly() {
        assertThatThrownBy(() -> parse("""
                providers:
                  google: {type: gemini, api_key_env: K}
                routes:
                  sora-2-pro: [{channel: google, allow_retired: true}]
                """, Map.of("K", "x")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("routes.sora-2-pro[0]: sora-2-pro is a openai model; channel google is gemini");
    }

    @Test
    void serverSectionsWorkersAndDatabaseAreReadWithThePasswordKeptSecret() throws Exception {
        Files.writeString(tmp.resolve("db.pass"), "db-file-secret\n");
        FramegateConfig cfg = parse("""
                workers: {local: 2, cloud: 16}
                database:
                  url: jdbc:postgresql://db.internal/framegate
                  user: fg
                  password_file: db.pass
                """, Map.of());
        assertThat(cfg.workers()).isEqualTo(new FramegateConfig.Workers(2, 16));
        assertThat(cfg.database().url()).isEqualTo("jdbc:postgresql://db.internal/framegate");
        assertThat(cfg.database().user()).isEqualTo("fg");
        assertThat(cfg.database().password().reveal()).isEqualTo("db-file-secret");
        assertThat(cfg.toString()).doesNotContain("db-file-secret").contains("***(file ");

        FramegateConfig none = parse("routes: {}\n", Map.of());
        assertThat(none.workers()).isEqualTo(FramegateConfig.Workers.UNSET);
        assertThat(none.database()).isEqualTo(FramegateConfig.Database.EMBEDDED);
        assertThat(FramegateConfig.defaults().defaultRoute()).isEqualTo("local");
    }

    @Test
    void workersMaxAttemptsIsReadAndChecked() throws Exception {
        assertThat(parse("workers: {max_attempts: 5}\n", Map.of()).workers())
                .isEqualTo(new FramegateConfig.Workers(null, null, 5));
        assertThatThrownBy(() -> parse("workers: {max_attempts: 0}\n", Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("workers.max_attempts: 0 must be a whole number >= 1");
    }

    @Test
    void badServerSectionsNameTheirFields() {
        assertThatThrownBy(() -> parse("""
                workers: {local: 0, cloud: many, gpu: 1}
                database: {url: 'postgres://db/x', password: hunter2, password_env: FRAMEGATE_TEST_UNSET_DB}
                """, Map.of()))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).problems())
                        .anySatisfy(p -> assertThat(p).startsWith("workers.local: 0 must be a whole number >= 1"))
                        .anySatisfy(p -> assertThat(p).startsWith("workers.cloud: \"many\" must be a whole number >= 1"))
                        .anySatisfy(p -> assertThat(p).startsWith("workers.gpu: unknown key"))
                        .anySatisfy(p -> assertThat(p).startsWith("database.password: unknown key; allowed: password_env, password_file"))
                        .anySatisfy(p -> assertThat(p).startsWith("database.url: postgres://db/x is not a JDBC URL"))
                        .anySatisfy(p -> assertThat(p).startsWith("database.password_env: environment variable FRAMEGATE_TEST_UNSET_DB is not set")))
                .hasMessageNotContaining("hunter2");
    }

    @Test
    void databasePoolsSizeTheRequestAndBackgroundPools() throws Exception {
        assertThat(parse("database_pools: {requests: 24, background: 6}\n", Map.of()).databasePools())
                .isEqualTo(new DatabasePools(24, 6));
        assertThat(parse("database_pools: {background: 4}\n", Map.of()).databasePools())
                .isEqualTo(new DatabasePools(DatabasePools.DEFAULTS.requests(), 4));
        assertThat(FramegateConfig.defaults().databasePools()).isEqualTo(DatabasePools.DEFAULTS);
        assertThatThrownBy(() -> parse("database_pools: {requests: 0, background: lots, idle: 2}\n", Map.of()))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).problems())
                        .anySatisfy(p -> assertThat(p).isEqualTo("database_pools.requests: 0 is not a whole number of connections from 1 to 200"))
                        .anySatisfy(p -> assertThat(p).isEqualTo("database_pools.background: lots is not a whole number of connections from 1 to 200"))
                        .anySatisfy(p -> assertThat(p).isEqualTo("database_pools.idle: unknown key; allowed: background, requests")));
    }
}
