package io.framegate.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code framegate keys create|list|show|set|revoke}: API keys (stored hashed; a secret is shown once). Works with or
 * without a server running on the data directory (see {@link AdminLink}); on a running server a change counts from
 * the key's next request.
 */
@Command(name = "keys", description = "Manage the API keys of the server (with or without it running).",
        subcommands = {KeysCommand.Create.class, KeysCommand.ListKeys.class, KeysCommand.Show.class, KeysCommand.Set.class,
                KeysCommand.Revoke.class})
final class KeysCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    static class DataOptions {
        @Option(names = "--data", defaultValue = "./data", description = "Data directory of the server (default: ${DEFAULT-VALUE}).")
        Path data;

        @Option(names = "--config", description = "Config file (default: <data>/framegate.yaml).")
        Path config;

        @Option(names = "--url", description = "Admin API of the server to use (e.g. http://10.0.0.5:8080), sent the admin "
                + "token as given; without it only the loopback server that <data>/server.json names and proves is used.")
        String url;
    }

    /** Expiry and model allow-list, keys only. */
    static class KeyOptions {
        @Option(names = "--expires-in", paramLabel = "DURATION", description = "Expire after 30d, 12h, 90m or 45s (none: never).")
        String expiresIn;

        @Option(names = "--models", paramLabel = "M1,M2", description = "Models the key may use, comma-separated (none: every model).")
        String models;

        void into(ObjectNode body) {
            if (expiresIn != null) body.put("expires_in", expiresIn);
            if (models != null) body.put("models", models);
        }
    }

    @Command(name = "create", description = "Create an API key; its secret is printed last (shown only this once).")
    static final class Create extends AdminCommand {
        @Option(names = "--name", required = true, description = "What the key is for, e.g. the app using it.")
        String name;

        @Option(names = "--account", description = "Account the key belongs to (default: default).")
        String account;

        @Mixin
        Limits limits = new Limits();

        @Mixin
        KeyOptions keyOptions = new KeyOptions();

        @Override
        void run(AdminLink link, PrintWriter out) {
            ObjectNode body = AdminLink.object().put("name", name);
            if (account != null) body.put("account", account);
            limits.into(body);
            keyOptions.into(body);
            JsonNode k = link.send("POST", "/admin/v1/keys", body);
            table(out, KEY_HEADER, List.of(keyRow(k)));
            out.println("Created key " + k.path("id").asText() + " in " + link.where()
                    + ". Store the secret now, it is not shown again:");
            out.println(k.path("secret").asText());
        }
    }

    @Command(name = "list", description = "List the API keys (never their secrets): account, status, budget, spend, limits.")
    static final class ListKeys extends AdminCommand {
        @Override
        void run(AdminLink link, PrintWriter out) {
            table(out, KEY_HEADER, rows(link.send("GET", "/admin/v1/keys", null), AdminCommand::keyRow));
        }
    }

    @Command(name = "show", description = "Show one key by name or id.")
    static final class Show extends AdminCommand {
        @Parameters(paramLabel = "NAME", description = "Key name or id.")
        String name;

        @Override
        void run(AdminLink link, PrintWriter out) {
            table(out, KEY_HEADER, List.of(keyRow(link.send("GET", "/admin/v1/keys/" + AdminLink.enc(name), null))));
        }
    }

    @Command(name = "set", description = "Change a key's budget, limits, expiry or models (none removes one).")
    static final class Set extends AdminCommand {
        @Parameters(paramLabel = "NAME", description = "Key name or id.")
        String name;

        @Mixin
        Limits limits = new Limits();

        @Mixin
        KeyOptions keyOptions = new KeyOptions();

        @Override
        void run(AdminLink link, PrintWriter out) {
            ObjectNode body = AdminLink.object();
            limits.into(body);
            keyOptions.into(body);
            if (body.isEmpty()) throw new IllegalArgumentException("nothing to set; give --budget-usd, --rpm, "
                    + "--max-concurrent, --video-seconds-limit, --expires-in or --models");
            table(out, KEY_HEADER, List.of(keyRow(link.send("PATCH", "/admin/v1/keys/" + AdminLink.enc(name), body))));
        }
    }

    @Command(name = "revoke", description = "Revoke a key: its next request is refused (401).")
    static final class Revoke extends AdminCommand {
        @Parameters(paramLabel = "NAME", description = "Key name or id.")
        String name;

        @Override
        void run(AdminLink link, PrintWriter out) {
            JsonNode k = link.send("POST", "/admin/v1/keys/" + AdminLink.enc(name) + "/revoke", null);
            out.println("Revoked key " + k.path("id").asText() + " (" + k.path("name").asText() + ") in " + link.where() + ".");
        }
    }
}
