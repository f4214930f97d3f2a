package io.framegate.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.util.List;

/** {@code framegate accounts create|list|show|set|delete}: the accounts keys belong to, with their budgets and limits. */
@Command(name = "accounts", description = "Manage accounts (budgets and limits shared by their keys).",
        subcommands = {AccountsCommand.Create.class, AccountsCommand.ListAccounts.class, AccountsCommand.Show.class,
                AccountsCommand.Set.class, AccountsCommand.Delete.class})
final class AccountsCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "create", description = "Create an account.")
    static final class Create extends AdminCommand {
        @Option(names = "--name", required = true, description = "The account's name, e.g. a customer or team.")
        String name;

        @Mixin
        Limits limits = new Limits();

        @Override
        void run(AdminLink link, PrintWriter out) {
            ObjectNode body = AdminLink.object().put("name", name);
            limits.into(body);
            table(out, ACCOUNT_HEADER, List.of(accountRow(link.send("POST", "/admin/v1/accounts", body))));
        }
    }

    @Command(name = "list", description = "List the accounts with their budgets, spend and limits.")
    static final class ListAccounts extends AdminCommand {
        @Override
        void run(AdminLink link, PrintWriter out) {
            table(out, ACCOUNT_HEADER, rows(link.send("GET", "/admin/v1/accounts", null), AdminCommand::accountRow));
        }
    }

    @Command(name = "show", description = "Show one account by name or id.")
    static final class Show extends AdminCommand {
        @Parameters(paramLabel = "NAME")
        String name;

        @Override
        void run(AdminLink link, PrintWriter out) {
            table(out, ACCOUNT_HEADER, List.of(accountRow(link.send("GET", "/admin/v1/accounts/" + AdminLink.enc(name), null))));
        }
    }

    @Command(name = "set", description = "Change an account's budget or limits (none removes one).")
    static final class Set extends AdminCommand {
        @Parameters(paramLabel = "NAME")
        String name;

        @Mixin
        Limits limits = new Limits();

        @Override
        void run(AdminLink link, PrintWriter out) {
            ObjectNode body = AdminLink.object();
            limits.into(body);
            if (body.isEmpty()) throw new IllegalArgumentException("nothing to set; give --budget-usd, --rpm, --max-concurrent or --video-seconds-limit");
            table(out, ACCOUNT_HEADER, List.of(accountRow(link.send("PATCH", "/admin/v1/accounts/" + AdminLink.enc(name), body))));
        }
    }

    @Command(name = "delete", description = "Disable an account: its keys are refused from their next request on.")
    static final class Delete extends AdminCommand {
        @Parameters(paramLabel = "NAME")
        String name;

        @Override
        void run(AdminLink link, PrintWriter out) {
            link.send("DELETE", "/admin/v1/accounts/" + AdminLink.enc(name), null);
            out.println("Disabled account " + name + " in " + link.where() + ".");
        }
    }
}
