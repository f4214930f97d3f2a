package io.framegate.cli;

import io.framegate.domain.ModelCatalog;
import io.framegate.domain.ModelSpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The command's start-up (issue 13 item 3): only the named subcommand built, work begun in the background, the class cache's training run. */
class StartupTest {
    @AfterEach
    void forgetPreload() {
        Preload.reset();
    }

    @Test
    void onlyTheNamedSubcommandIsBuilt() {
        assertThat(Main.commandLine("generate", "--first", "a.png").getSubcommands().keySet()).containsExactly("generate");
        assertThat(Main.commandLine("interpolate").getSubcommands().keySet()).containsExactly("interpolate");
        List<String> all = List.of("generate", "interpolate", "models", "serve", "keys", "webhooks", "accounts", "usage",
                "make-examples", "aot-training");
        // no subcommand, an option or an unknown name: all of them (usage and "did you mean" list them)
        for (String[] args : new String[][]{{}, {"--help"}, {"genrate"}}) {
            assertThat(Main.commandLine(args).getSubcommands().keySet()).as(String.join(" ", args)).containsExactlyElementsOf(all);
        }
        CliRun unknown = CliRun.of("genrate");
        assertThat(unknown.code()).isNotZero();
        assertThat(unknown.err()).contains("generate");
    }

    @Test
    void theCatalogLoadedInTheBackgroundIsTheBuiltInOne() throws Exception {
        Preload.startCatalog(ModelCatalog::builtIn).join();
        assertThat(Preload.catalog().models()).extracting(ModelSpec::id)
                .containsExactlyElementsOf(ModelCatalog.builtIn().models().stream().map(ModelSpec::id).toList());
    }

    @Test
    void aCatalogErrorInTheBackgroundReachesTheCommandThatNeedsIt() throws Exception {
        UncheckedIOException failure = new UncheckedIOException("cannot read the built-in model catalog: test",
                new IOException("test"));
        Preload.startCatalog(() -> {
            throw failure;
        }).join();
        assertThatThrownBy(Preload::catalog).isSameAs(failure);
    }

    @Test
    void aotTrainingRunsTheEngineCommandsAndLeavesNothingBehind() throws IOException {
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        List<Path> before = trainingDirs(tmp);
        CliRun r = CliRun.of("aot-training");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.err()).isEmpty();
        assertThat(trainingDirs(tmp)).containsExactlyInAnyOrderElementsOf(before);
    }

    private static List<Path> trainingDirs(Path tmp) throws IOException {
        try (Stream<Path> s = Files.list(tmp)) {
            return s.filter(p -> p.getFileName().toString().startsWith("framegate-aot-")).toList();
        }
    }
}
