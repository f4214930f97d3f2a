package io.framegate.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code --help} and {@code --version} work on every command and subcommand (picocli's standard options). */
class StandardOptionsTest {
    /** Every command path below {@code framegate}, e.g. [generate], [keys, create]. */
    private static List<List<String>> commandPaths() {
        List<List<String>> paths = new ArrayList<>();
        collect(Main.commandLine(), new ArrayList<>(), paths);
        return paths;
    }

    private static void collect(CommandLine cl, List<String> prefix, List<List<String>> out) {
        for (var e : cl.getSubcommands().entrySet()) {
            if (e.getValue().getCommandSpec().aliases().length > 0 && !e.getKey().equals(e.getValue().getCommandName())) continue;
            List<String> path = new ArrayList<>(prefix);
            path.add(e.getKey());
            out.add(path);
            collect(e.getValue(), path, out);
        }
    }

    @Test
    void everyCommandHasHelp() {
        List<List<String>> paths = commandPaths();
        assertThat(paths).extracting(p -> String.join(" ", p))
                .contains("generate", "interpolate", "models", "serve", "keys", "keys create", "accounts", "usage");
        for (List<String> path : paths) {
            for (String flag : List.of("--help", "-h")) {
                List<String> args = new ArrayList<>(path);
                args.add(flag);
                CliRun r = CliRun.of(args.toArray(String[]::new));
                assertThat(r.code()).as(args + ": " + r.err()).isZero();
                assertThat(r.out()).as(String.valueOf(args)).startsWith("Usage: framegate " + String.join(" ", path))
                        .contains("--help").contains("--version");
                assertThat(r.err()).as(String.valueOf(args)).doesNotContain("Unknown option");
            }
        }
    }

    @Test
    void everyCommandHasVersion() {
        for (List<String> path : commandPaths()) {
            List<String> args = new ArrayList<>(path);
            args.add("--version");
            CliRun r = CliRun.of(args.toArray(String[]::new));
            assertThat(r.code()).as(args + ": " + r.err()).isZero();
            assertThat(r.out().trim()).as(String.valueOf(args)).isEqualTo("framegate 0.1.0");
        }
        assertThat(CliRun.of("--version").out().trim()).isEqualTo("framegate 0.1.0");
        assertThat(CliRun.of("-V").out().trim()).isEqualTo("framegate 0.1.0");
    }

    @Test
    void generateHelpListsEasing() {
        CliRun r = CliRun.of("generate", "--help");
        assertThat(r.out()).contains("--easing=linear|ease-in-out");
    }
}
