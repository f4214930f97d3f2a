package io.framegate.provider;

import io.framegate.domain.ModelCatalog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * docs/config.md has a worked example for each of the nine provider-hosted types, and each loads as written: the
 * first {@code yaml} block under the provider's heading parses with every check of the loader, defines a channel of
 * that type, and routes at least one model of that provider's catalog to it.
 */
class WorkedExamplesTest {
    static final ModelCatalog CATALOG = ModelCatalog.builtIn();
    /** Heading (start of its line) -> the type its example configures. */
    static final List<String[]> EXAMPLES = List.of(
            new String[]{"### fal", "fal"},
            new String[]{"### Replicate", "replicate"},
            new String[]{"## Kling (`type: kling`)", "kling"},
            new String[]{"## Runway (`type: runway`)", "runway"},
            new String[]{"## Luma (`type: luma`)", "luma"},
            new String[]{"### MiniMax (Hailuo)", "minimax"},
            new String[]{"### Seedance (", "seedance"},
            new String[]{"### Wan (", "wan"},
            new String[]{"### OpenRouter (", "openrouter"});

    @TempDir
    Path dir;

    @Test
    void everyProviderHasAWorkedExampleThatLoadsAsWrittenAndRoutesOneOfItsModels() throws Exception {
        String doc = Files.readString(Path.of("..", "docs", "config.md"));
        // the credentials the examples name: their variables, and their files relative to the config's folder
        Map<String, String> env = Map.of("FAL_KEY", "f", "REPLICATE_API_TOKEN", "r", "KLING_ACCESS_KEY", "ak",
                "RUNWAYML_API_SECRET", "key_r", "LUMA_AGENTS_API_KEY", "l", "MINIMAX_API_KEY", "m", "ARK_API_KEY", "a",
                "DASHSCOPE_API_KEY", "d", "OPENROUTER_API_KEY", "o");
        Files.createDirectories(dir.resolve("secrets"));
        Files.writeString(dir.resolve("secrets/kling.sk"), "sk\n");
        Files.writeString(dir.resolve("secrets/luma-dream-machine.key"), "ldm\n");
        for (String[] e : EXAMPLES) {
            String heading = e[0], type = e[1];
            int at = doc.indexOf("\n" + heading);
            assertThat(at).as("a section %s in docs/config.md", heading).isGreaterThanOrEqualTo(0);
            Matcher m = Pattern.compile("```yaml\\n(.*?)```", Pattern.DOTALL).matcher(doc);
            assertThat(m.find(at)).as("a yaml example under %s", heading).isTrue();
            int nextHeading = doc.indexOf("\n#", at + 1);
            assertThat(m.start()).as("the example of %s sits in its own section", heading).isLessThan(nextHeading);

            FramegateConfig cfg = new ConfigLoader(CATALOG, env::get).parse(m.group(1), "framegate.yaml", dir);

            assertThat(cfg.channels().values()).as(heading).anySatisfy(c -> assertThat(c.type()).isEqualTo(type));
            assertThat(cfg.routes().values()).as(heading).flatExtracting(FramegateConfig.RouteConfig::targets)
                    .anySatisfy(t -> {
                        assertThat(t.upstreamModel().provider()).isEqualTo(type);
                        assertThat(cfg.channels().get(t.channel()).type()).isEqualTo(type);
                    });
        }
    }
}
