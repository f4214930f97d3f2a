package io.framegate.cli;

import io.framegate.engine.StartupTrace;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/** The {@code framegate} command. */
// scope INHERIT: every subcommand (and theirs) gets --help and --version too
@Command(name = "framegate", mixinStandardHelpOptions = true, version = "framegate 0.1.0", scope = CommandLine.ScopeType.INHERIT,
        description = "Self-hostable image-to-video: offline engine, OpenAI- and Veo-compatible API, cloud routing.")
public final class Main implements Runnable {
    /**
     * The subcommands in usage order. picocli builds a command's model by reflection over its classes when it is
     * added (about half a CPU-second for all of them, before any work), so a command line only gets the subcommand it
     * names; all of them only when it names none or an unknown one (usage and "did you mean" list them all).
     */
    private static final Map<String, Supplier<Object>> SUBCOMMANDS = subcommands();
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        StartupTrace.mark("main");
        // picocli looks for Groovy's Closure class once (for closures in annotations, which we do not use): a class
        // that is not there is looked for in every jar of the class path, ~130 of them (the server's and the cloud
        // SDKs'), opened one by one - ~0.1 s of every command's start, on the main thread
        if (System.getProperty("picocli.disable.closures") == null) System.setProperty("picocli.disable.closures", "true");
        Preload.start(args);
        int code = run(args);
        StartupTrace.mark("exit");
        System.exit(code);
    }

    /** Runs the command line and returns the exit code. */
    public static int run(String... args) {
        return commandLine(args).execute(args);
    }

    /** Runs the command line with the given output streams (tests capture them) and returns the exit code. */
    public static int run(java.io.PrintWriter out, java.io.PrintWriter err, String... args) {
        return commandLine(args).setOut(out).setErr(err).execute(args);
    }

    /** The command line for {@code args}: with only the subcommand {@code args[0]} names, else with all of them. */
    static CommandLine commandLine(String... args) {
        CommandLine cl = new CommandLine(new Main());
        Supplier<Object> named = args.length > 0 ? SUBCOMMANDS.get(args[0]) : null;
        if (named != null) {
            cl.addSubcommand(args[0], named.get());
        } else {
            SUBCOMMANDS.forEach((name, make) -> cl.addSubcommand(name, make.get()));
        }
        return cl.setCaseInsensitiveEnumValuesAllowed(true);
    }

    private static Map<String, Supplier<Object>> subcommands() {
        Map<String, Supplier<Object>> m = new LinkedHashMap<>();
        m.put("generate", GenerateCommand::new);
        m.put("interpolate", InterpolateCommand::new);
        m.put("models", ModelsCommand::new);
        m.put("serve", ServeCommand::new);
        m.put("keys", KeysCommand::new);
        m.put("webhooks", WebhooksCommand::new);
        m.put("accounts", AccountsCommand::new);
        m.put("usage", UsageCommand::new);
        m.put("make-examples", MakeExamplesCommand::new);
        m.put("aot-training", AotTrainingCommand::new);
        return m;
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
