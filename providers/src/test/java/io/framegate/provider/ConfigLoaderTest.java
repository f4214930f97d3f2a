package io.framegate.provider;

import io.framegate.domain.ModelCatalog;
import io.framegate.provider.gemini.GeminiProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConfigLoaderTest {
    static final ModelCatalog CATALOG = ModelCatalog.builtIn();

    @TempDir
    Path tmp;

    FramegateConfig parse(String yaml, Map<String, String> env) {
        return new ConfigLoader(CATALOG, env::get).parse(yaml, "framegate.yaml", tmp);
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

    /** The providers module reads only its own sections: the server's are unknown to it (the server reads them). */
    @Test
    void serverSectionsAreNotTheProvidersModules() {
        assertThatThrownBy(() -> parse("workers: {local: 2}\nroutes: {}\n", Map.of()))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).problems()).containsExactly(
                        "workers: unknown key; allowed: aliases, channels, default_route, providers, routes, timing"));
    }

    /** Sections are read from one parsed tree; a problem in any of them fails the file, listing all of them. */
    @Test
    void aTreeCollectsEveryReadersProblemsAndRefusesKeysNoReaderTook() {
        ConfigTree tree = ConfigTree.parse("""
                timing: {deadline: soon}
                extra: {anything: 1}
                mine: {x: 0}
                """, "framegate.yaml", tmp, Map.<String, String>of()::get);
        new ConfigLoader(CATALOG, k -> null).read(tree);
        ConfigSection mine = tree.section("mine");
        if (mine.mapping("x", java.util.Set.of("x"))) mine.positiveInt("x");
        assertThatThrownBy(tree::finish).isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).problems()).containsExactly(
                        "extra: unknown key; allowed: aliases, channels, default_route, mine, providers, routes, timing",
                        "timing.deadline: soon is not a duration; write e.g. 500ms, 10s, 5m, 1h",
                        "mine.x: 0 must be a whole number >= 1"));
    }
}
