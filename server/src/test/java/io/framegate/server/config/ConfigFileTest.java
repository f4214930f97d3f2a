package io.framegate.server.config;

import io.framegate.domain.ModelCatalog;
import io.framegate.provider.ConfigException;
import io.framegate.provider.FramegateConfig;
import io.framegate.provider.ReferenceAs;
import io.framegate.provider.Routing;
import io.framegate.provider.Ticker;
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

/** The whole {@code framegate.yaml} as the server reads it: the providers' sections and the server's own, from one tree. */
class ConfigFileTest {
    static final ModelCatalog CATALOG = ModelCatalog.builtIn();

    @TempDir
    Path tmp;

    ServerConfig parse(String yaml, Map<String, String> env) {
        return ConfigFile.parse(yaml, "framegate.yaml", tmp, CATALOG, env::get);
    }

    /** The example in docs/config.md is loaded as written, so the documentation cannot drift from the loaders. */
    @Test
    void documentedFullExampleLoadsAndKeepsSecretsOutOfEveryString() throws Exception {
        String doc = Files.readString(Path.of("..", "docs", "config.md"));
        Matcher m = Pattern.compile("## Full example\\s+```yaml\\n(.*?)```", Pattern.DOTALL).matcher(doc);
        assertThat(m.find()).isTrue();
        Files.createDirectories(tmp.resolve("secrets"));
        Files.writeString(tmp.resolve("secrets/vertex-sa.json"), "{}");
        Files.writeString(tmp.resolve("secrets/aggregator.key"), "sk-file-secret\n");
        Files.writeString(tmp.resolve("secrets/db.pass"), "db-file-secret\n");

        ServerConfig file = parse(m.group(1), Map.of("GEMINI_API_KEY", "gm-env-secret", "GEMINI_API_KEY_2", "gm-env-secret-2"));

        FramegateConfig cfg = file.providers();
        assertThat(cfg.channels()).containsOnlyKeys("vertex-us", "vertex-eu", "google-a", "google-b", "aggregator");
        assertThat(((GeminiProvider.Settings) cfg.channels().get("google-b").settings()).apiKey().reveal()).isEqualTo("gm-env-secret-2");
        assertThat(((GeminiProvider.Settings) cfg.channels().get("google-a").settings()).apiKey().reveal()).isEqualTo("gm-env-secret");
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
        assertThat(file.workers()).isEqualTo(new ServerConfig.Workers(1, 16));
        assertThat(file.database().url()).isEqualTo("jdbc:h2:file:/var/lib/framegate/db/framegate");
        assertThat(file.database().password().reveal()).isEqualTo("db-file-secret");

        String all = file.toString() + cfg.channels().values() + file.database();
        try (Routing r = new Routing(cfg, null, new io.framegate.domain.RequestValidator(CATALOG), null, Ticker.SYSTEM, new Random())) {
            all += r.channels().values().stream().map(c -> c + " " + c.upstream()).toList();
            assertThat(r.resolveAlias("House-Video")).contains("veo-3.1-generate-001");
        }
        assertThat(all).doesNotContain("gm-env-secret").doesNotContain("sk-file-secret").doesNotContain("db-file-secret")
                .contains("***(env GEMINI_API_KEY)");
    }

    @Test
    void serverSectionsWorkersAndDatabaseAreReadWithThePasswordKeptSecret() throws Exception {
        Files.writeString(tmp.resolve("db.pass"), "db-file-secret\n");
        ServerConfig cfg = parse("""
                workers: {local: 2, cloud: 16}
                database:
                  url: jdbc:postgresql://db.internal/framegate
                  user: fg
                  password_file: db.pass
                """, Map.of());
        assertThat(cfg.workers()).isEqualTo(new ServerConfig.Workers(2, 16));
        assertThat(cfg.database().url()).isEqualTo("jdbc:postgresql://db.internal/framegate");
        assertThat(cfg.database().user()).isEqualTo("fg");
        assertThat(cfg.database().password().reveal()).isEqualTo("db-file-secret");
        assertThat(cfg.toString()).doesNotContain("db-file-secret").contains("***(file ");

        ServerConfig none = parse("routes: {}\n", Map.of());
        assertThat(none.workers()).isEqualTo(ServerConfig.Workers.UNSET);
        assertThat(none.database()).isEqualTo(ServerConfig.Database.EMBEDDED);
        assertThat(ServerConfig.defaults().providers().defaultRoute()).isEqualTo("local");
    }

    @Test
    void workersMaxAttemptsIsReadAndChecked() throws Exception {
        assertThat(parse("workers: {max_attempts: 5}\n", Map.of()).workers())
                .isEqualTo(new ServerConfig.Workers(null, null, 5));
        assertThatThrownBy(() -> parse("workers: {max_attempts: 0}\n", Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("workers.max_attempts: 0 must be a whole number >= 1");
    }

    @Test
    void databasePoolsSizeTheRequestAndBackgroundPools() throws Exception {
        assertThat(parse("database_pools: {requests: 24, background: 6}\n", Map.of()).pools())
                .isEqualTo(new DatabasePools(24, 6));
        assertThat(parse("database_pools: {background: 4}\n", Map.of()).pools())
                .isEqualTo(new DatabasePools(DatabasePools.DEFAULTS.requests(), 4));
        assertThat(ServerConfig.defaults().pools()).isEqualTo(DatabasePools.DEFAULTS);
        assertThatThrownBy(() -> parse("database_pools: {requests: 0, background: 500, idle: 2}\n", Map.of()))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).problems())
                        .anySatisfy(p -> assertThat(p).isEqualTo("database_pools.requests: 0 must be a whole number >= 1"))
                        .anySatisfy(p -> assertThat(p).isEqualTo("database_pools.background: 500 is not a whole number of connections from 1 to 200"))
                        .anySatisfy(p -> assertThat(p).startsWith("database_pools.idle: unknown key")));
    }

    /** docs/config.md, webhooks.concurrency: attempts one instance makes at once, 8 unless set, 1 to 64. */
    @Test
    void webhooksConcurrencyIsReadAndChecked() throws Exception {
        assertThat(parse("webhooks: {concurrency: 3}\n", Map.of()).webhooks()).isEqualTo(new WebhooksConfig(3));
        assertThat(parse("default_route: local\n", Map.of()).webhooks().concurrency()).isEqualTo(8);
        assertThat(ServerConfig.defaults().webhooks()).isEqualTo(WebhooksConfig.DEFAULTS);
        assertThatThrownBy(() -> parse("webhooks: {concurrency: 0}\n", Map.of()))
                .hasMessageContaining("webhooks.concurrency: 0 must be a whole number >= 1");
        assertThatThrownBy(() -> parse("webhooks: {concurrency: 65, pool: 2}\n", Map.of()))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).problems())
                        .anySatisfy(p -> assertThat(p).isEqualTo("webhooks.concurrency: 65 is not a whole number of attempts from 1 to 64"))
                        .anySatisfy(p -> assertThat(p).startsWith("webhooks.pool: unknown key; allowed: concurrency")));
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

    /** One file, two readers: problems of the providers' and the server's sections come in one report, unknown keys first. */
    @Test
    void problemsOfBothModulesAreReportedAtOnceAndUnknownTopLevelKeysAreStillRefused() {
        assertThatThrownBy(() -> parse("""
                routes:
                  no-such-model: [x]
                workers: {local: 0}
                storage: {type: ftp}
                wrokers: {local: 2}
                """, Map.of()))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).problems()).satisfiesExactly(
                        p -> assertThat(p).isEqualTo("wrokers: unknown key; allowed: aliases, channels, database, database_pools, "
                                + "default_route, limits, providers, retention, routes, storage, timing, webhooks, workers"),
                        p -> assertThat(p).startsWith("routes.no-such-model: no-such-model is not a catalog model"),
                        p -> assertThat(p).isEqualTo("workers.local: 0 must be a whole number >= 1"),
                        p -> assertThat(p).isEqualTo("storage.type: ftp is not one of local, s3")));
    }

    @Test
    void noFileMeansTheDefaultsAndAnExplicitFileMustExist() {
        assertThat(ConfigFile.read(tmp, null, CATALOG, k -> null)).isEqualTo(ServerConfig.defaults());
        assertThatThrownBy(() -> ConfigFile.read(tmp, tmp.resolve("missing.yaml"), CATALOG, k -> null))
                .isInstanceOf(ConfigException.class).hasMessageContaining("--config: no such file");
    }
}
