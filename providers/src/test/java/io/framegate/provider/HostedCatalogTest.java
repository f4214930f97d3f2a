package io.framegate.provider;

import io.framegate.domain.ImageRole;
import io.framegate.domain.ModelCatalog;
import io.framegate.domain.ModelSpec;
import io.framegate.provider.fal.FalProvider;
import io.framegate.provider.replicate.ReplicateProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** The provider-hosted catalog blocks and the worked examples of docs/config.md. */
class HostedCatalogTest {
    static final ModelCatalog CATALOG = ModelCatalog.builtIn();

    @TempDir
    Path tmp;

    List<ModelSpec> hosted() {
        return CATALOG.models().stream().filter(m -> List.of("fal", "replicate").contains(m.provider())).toList();
    }

    @Test
    void theIssuesModelsAreInTheCatalogByTheirProvidersIds() {
        assertThat(hosted()).extracting(ModelSpec::id).contains("fal-ai/veo3.1/first-last-frame-to-video",
                "fal-ai/kling-video/v2.1/pro/image-to-video", "fal-ai/wan-flf2v", "google/veo-3.1", "kwaivgi/kling-v2.1");
        assertThat(CATALOG.find("fal-veo-3.1-flf")).map(ModelSpec::id).contains("fal-ai/veo3.1/first-last-frame-to-video");
    }

    /** Nothing a hosted model's catalog entry accepts may lack a field to carry it (it would be dropped silently). */
    @Test
    void everyRoleAndParameterAHostedModelAcceptsHasAFieldInItsMap() {
        for (ModelSpec m : hosted()) {
            for (ImageRole r : m.roles().keySet()) {
                assertThat(m.wire().field(r)).as(m.id() + " role " + r).isNotNull();
            }
            if (m.seed()) assertThat(m.wire().field("seed")).as(m.id() + " seed").isNotNull();
            if (m.negativePrompt()) assertThat(m.wire().field("negative_prompt")).as(m.id() + " negative_prompt").isNotNull();
            if ("optional".equals(m.audio())) assertThat(m.wire().field("audio")).as(m.id() + " audio").isNotNull();
            assertThat(m.wire().field("prompt")).as(m.id() + " prompt").isEqualTo("prompt");
            assertThat(m.lifecycle().status()).as(m.id()).isEqualTo("active");
        }
    }

    @Test
    void theWorkedExamplesForFalAndReplicateLoadAsWritten() throws Exception {
        String doc = Files.readString(Path.of("..", "docs", "config.md"));
        for (String provider : List.of("fal", "Replicate")) {
            Matcher m = Pattern.compile("### " + provider + "\\s+```yaml\\n(.*?)```", Pattern.DOTALL).matcher(doc);
            assertThat(m.find()).as(provider).isTrue();
            FramegateConfig cfg = new ConfigLoader(CATALOG, Map.of("FAL_KEY", "f", "REPLICATE_API_TOKEN", "r")::get)
                    .parse(m.group(1), "framegate.yaml", tmp);
            String type = provider.toLowerCase(java.util.Locale.ROOT);
            assertThat(cfg.channels().get(type).type()).isEqualTo(type);
            assertThat(cfg.routes().values()).flatExtracting(FramegateConfig.RouteConfig::targets)
                    .anySatisfy(t -> assertThat(t.upstreamModel().provider()).isEqualTo(type));
        }
        FramegateConfig rep = new ConfigLoader(CATALOG, Map.of("REPLICATE_API_TOKEN", "r")::get).parse(
                "providers: {r: {type: replicate, api_key_env: REPLICATE_API_TOKEN, prefer_wait: 5}}", "x", tmp);
        assertThat(rep.channels().get("r").settings()).isEqualTo(new ReplicateProvider.Settings(null,
                ((ReplicateProvider.Settings) rep.channels().get("r").settings()).apiKey(), 5));
        assertThat(new FalProvider().catalogProviders()).containsExactly("fal");
    }
}
