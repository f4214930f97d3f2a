package io.framegate.provider;

import io.framegate.domain.ModelCatalog;
import io.framegate.domain.RequestValidator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The provider seam: types come from ServiceLoader, each checks its own keys, problems name their field. */
class ProviderSeamTest {
    static final ModelCatalog CATALOG = ModelCatalog.builtIn();

    @TempDir
    Path tmp;

    FramegateConfig parse(String yaml, Map<String, String> env) {
        return new ConfigLoader(CATALOG, env::get).parse(yaml, "framegate.yaml", tmp);
    }

    @Test
    void providersAreDiscoveredOnTheClassPathIncludingOneOnlyTheTestsRegister() {
        assertThat(ProviderFactories.discover().types()).contains("gemini", "vertex", "openai", "test-echo");
    }

    @Test
    void aDiscoveredTypeIsLoadedAndRoutedWithoutTheLoaderOrRouterNamingIt() {
        FramegateConfig cfg = parse("""
                providers:
                  echo: {type: test-echo, api_key_env: ECHO_KEY, flavour: plain}
                channels:
                  echo-a: {provider: echo}
                  echo-b: {provider: echo, flavour: fancy}
                routes:
                  veo-3.1-generate-001: [echo-a, echo-b]
                """, Map.of("ECHO_KEY", "echo-secret-value"));
        EchoProvider.Settings b = (EchoProvider.Settings) cfg.channels().get("echo-b").settings();
        assertThat(b.flavour()).isEqualTo("fancy");
        assertThat(b.key().reveal()).isEqualTo("echo-secret-value");
        assertThat(cfg.channels().toString()).doesNotContain("echo-secret-value");
        try (Routing r = new Routing(cfg, null, new RequestValidator(CATALOG), null, Ticker.SYSTEM, new Random())) {
            assertThat(r.channels().get("echo-a").upstream()).isEqualTo(new EchoProvider.Upstream("plain"));
            assertThat(r.channels().get("echo-b").toString()).isEqualTo("test-echo:echo-b");
        }
    }

    @Test
    void aProvidersOwnChecksAreReportedWithTheFieldAndEveryOtherProblem() {
        assertThatThrownBy(() -> parse("""
                providers:
                  echo: {type: test-echo, api_key_env: ECHO_KEY, flavour: sour, project: p}
                  other: {type: fal-ish}
                channels:
                  e1: {provider: echo, location: x}
                  e2: {provider: echo, flavour: plain}
                routes:
                  sora-2-pro: [{channel: e2, allow_retired: true}]
                """, Map.of()))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).problems())
                        .anySatisfy(p -> assertThat(p).isEqualTo("providers.echo.project: unknown key; allowed: api_key_env,"
                                + " api_key_file, flavour, type"))
                        .anySatisfy(p -> assertThat(p).isEqualTo("channels.e1.location: unknown key; allowed: api_key_env,"
                                + " api_key_file, flavour, provider"))
                        .anySatisfy(p -> assertThat(p).isEqualTo("providers.echo.flavour: sour is not one of plain, fancy"))
                        .anySatisfy(p -> assertThat(p).isEqualTo(
                                "providers.echo.api_key_env: environment variable ECHO_KEY is not set"))
                        .anySatisfy(p -> assertThat(p).startsWith("providers.other.type: fal-ish is not one of ")
                                .contains("gemini").contains("test-echo")));
        // a channel's catalog restriction comes from its factory too
        assertThatThrownBy(() -> parse("""
                providers:
                  echo: {type: test-echo, api_key_env: ECHO_KEY, flavour: plain}
                routes:
                  sora-2-pro: [{channel: echo, allow_retired: true}]
                """, Map.of("ECHO_KEY", "k")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("routes.sora-2-pro[0]: sora-2-pro is a openai model; channel echo is test-echo,"
                        + " which serves google models only");
    }

    @Test
    void aChannelNamingACredentialReplacesTheProvidersAndAMissingOneNamesTheChannel() {
        FramegateConfig cfg = parse("""
                providers:
                  echo: {type: test-echo, api_key_env: ECHO_KEY, flavour: plain}
                channels:
                  own: {provider: echo, api_key_env: ECHO_KEY_2}
                """, Map.of("ECHO_KEY", "first", "ECHO_KEY_2", "second"));
        assertThat(((EchoProvider.Settings) cfg.channels().get("own").settings()).key().reveal()).isEqualTo("second");
        assertThatThrownBy(() -> parse("""
                providers:
                  echo: {type: test-echo, flavour: plain}
                channels:
                  bare: {provider: echo}
                """, Map.of()))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).problems())
                        .isEqualTo(List.of("providers.echo: a test-echo channel needs api_key_env or api_key_file")));
    }
}
