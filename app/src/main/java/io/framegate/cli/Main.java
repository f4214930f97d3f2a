package io.framegate.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code framegate} command. */
// scope INHERIT: every subcommand (and theirs) gets --help and --version too
@Command(name = "framegate", mixinStandardHelpOptions = true, version = "framegate 0.1.0", scope = CommandLine.ScopeType.INHERIT,
        description = "Self-hostable image-to-video: offline engine, OpenAI- and Veo-compatible API, cloud routing.",
        subcommands = {GenerateCommand.class, InterpolateCommand.class, ModelsCommand.class, ServeCommand.class, KeysCommand.class, WebhooksCommand.class, AccountsCommand.class, UsageCommand.class,
                MakeExamplesCommand.class})
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and returns the exit code. */
    public static int run(String... args) {
        return commandLine().execute(args);
    }

    /** Runs the command line with the given output streams (tests capture them) and returns the exit code. */
    public static int run(java.io.PrintWriter out, java.io.PrintWriter err, String... args) {
        return commandLine().setOut(out).setErr(err).execute(args);
    }

    private static CommandLine commandLine() {
        return new CommandLine(new Main()).setCaseInsensitiveEnumValuesAllowed(true);
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
