package io.framegate.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code framegate} command. */
@Command(name = "framegate", mixinStandardHelpOptions = true, version = "framegate 0.1.0",
        description = "Self-hostable image-to-video: offline engine, OpenAI- and Veo-compatible API, cloud routing.",
        subcommands = {ModelsCommand.class, MakeExamplesCommand.class, ServeCommand.class, KeysCommand.class})
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and returns the exit code (tests call this instead of {@link #main}). */
    public static int run(String... args) {
        return new CommandLine(new Main()).setCaseInsensitiveEnumValuesAllowed(true).execute(args);
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
