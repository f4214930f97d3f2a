package io.framegate.cli;

import io.framegate.provider.ConfigException;
import io.framegate.server.auth.ApiKey;
import io.framegate.server.auth.KeyAdmin;
import io.framegate.server.auth.KeyStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code framegate keys create|list}: API keys of the server (stored hashed; a secret is shown once). */
@Command(name = "keys", description = "Manage the API keys of the server.",
        subcommands = {KeysCommand.Create.class, KeysCommand.ListKeys.class})
final class KeysCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    static class DataOptions {
        @Option(names = "--data", defaultValue = "./data", description = "Data directory of the server (default: ${DEFAULT-VALUE}).")
        Path data;

        @Option(names = "--config", description = "Config file (default: <data>/framegate.yaml).")
        Path config;
    }

    @Command(name = "create", description = "Create an API key and print its secret (shown only this once).")
    static final class Create implements Callable<Integer> {
        @picocli.CommandLine.Mixin
        DataOptions opts = new DataOptions();

        @Option(names = "--name", required = true, description = "What the key is for, e.g. the app using it.")
        String name;

        @Override
        public Integer call() throws Exception {
            try (KeyAdmin admin = KeyAdmin.open(opts.data, opts.config)) {
                KeyStore.CreatedKey created = admin.keys().create(name);
                System.err.println("Created key " + created.key().id() + " (" + created.key().name()
                        + "). Store the secret now: it is not shown again.");
                System.out.println(created.secret());
                return 0;
            } catch (IllegalArgumentException | IllegalStateException | ConfigException e) {
                System.err.println("framegate keys create: " + e.getMessage());
                return 2;
            }
        }
    }

    @Command(name = "list", description = "List the API keys (ids, names, first characters; never the secrets).")
    static final class ListKeys implements Callable<Integer> {
        @picocli.CommandLine.Mixin
        DataOptions opts = new DataOptions();

        @Override
        public Integer call() throws Exception {
            try (KeyAdmin admin = KeyAdmin.open(opts.data, opts.config)) {
                String fmt = "%-22s %-30s %-10s %s%n";
                System.out.printf(fmt, "ID", "NAME", "STARTS", "CREATED");
                for (ApiKey k : admin.keys().list()) {
                    System.out.printf(fmt, k.id(), k.name(), k.hint() + "...", k.createdAt());
                }
                return 0;
            } catch (IllegalStateException | ConfigException e) {
                System.err.println("framegate keys list: " + e.getMessage());
                return 2;
            }
        }
    }
}
