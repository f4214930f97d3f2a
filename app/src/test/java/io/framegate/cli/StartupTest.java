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
    void helpAndVersionLoadNothingInTheBackground() {
        // main's only start-up call: what it begins for each command line
        try {
            assertThat(Preload.start("generate", "--help")).isFalse();
            assertThat(Preload.start("interpolate", "-h")).isFalse();
            assertThat(Preload.start("generate", "-V")).isFalse();
            assertThat(Preload.start("--version")).isFalse();
            assertThat(Preload.start("models")).isFalse();
            assertThat(Preload.start()).isFalse();
            assertThat(Preload.start("interpolate", "--input", "help")).isTrue();
            assertThat(Preload.start("generate", "--first", "a.png", "--last", "b.png")).isTrue();
        } finally {
            Preload.reset();
        }
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
    void theCatalogLoadedInTheBackgroundIsTheOneServed() throws Exception {
        ModelCatalog loaded = ModelCatalog.builtIn();
        Preload.startCatalog(() -> loaded).join();
        assertThat(Preload.catalog()).as("the background's catalog, not one loaded again").isSameAs(loaded);
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
    void aotTrainingRunsTheEngineCommandsAndLeavesNothingBehind(@org.junit.jupiter.api.io.TempDir Path work) throws IOException {
        CliRun r = CliRun.of("aot-training", "--work-dir", work.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.err()).isEmpty();
        try (Stream<Path> s = Files.list(work)) {
            assertThat(s.toList()).as("the training's temporary directory is gone").isEmpty();
        }
    }

    /**
     * picocli's factory looks for Groovy's Closure class unless told not to: a missing class is searched in every jar of
     * the class path (~130, opened one by one), ~0.1 s on the main thread of every command. main tells it not to.
     */
    @Test
    void picocliDoesNotSearchTheClassPathForGroovy() throws Exception {
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dpicocli.trace=INFO", "-cp", System.getProperty("java.class.path"), Main.class.getName(), "--version")
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as(out).isZero();
        assertThat(out).contains("framegate 0.1.0").contains("groovy Closures in annotations are disabled");
    }

    /** The recording never reads the user's FRAMEGATE_CONFIG: a broken one (or one routing upstream) must not matter. */
    @Test
    void aotTrainingIgnoresTheUsersConfig(@org.junit.jupiter.api.io.TempDir Path work) throws Exception {
        Path broken = Files.writeString(work.resolve("framegate.yaml"), "providers: [this is: not valid\n");
        Path dir = Files.createDirectories(work.resolve("training"));
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Main.class.getName(), "aot-training", "--work-dir", dir.toString())
                .redirectErrorStream(true);
        pb.environment().put("FRAMEGATE_CONFIG", broken.toString());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as(out).isZero();
        // the same config does break a generate that reads it, so a recording that read it would have failed above
        CliRun plain = CliRun.of("generate", "--first", "x.png", "--config", broken.toString());
        assertThat(plain.code()).isNotZero();
        assertThat(plain.err()).contains(broken.toString());
    }
}
