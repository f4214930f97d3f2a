package io.framegate.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code framegate webhooks add|list|remove|deliveries}: webhook endpoints of API keys (docs/webhooks.md), through the
 * running server's admin API or the database, as {@code keys} does.
 */
@Command(name = "webhooks", description = "Manage webhook endpoints of API keys (with or without the server running).",
        subcommands = {WebhooksCommand.Add.class, WebhooksCommand.ListEndpoints.class, WebhooksCommand.Remove.class,
                WebhooksCommand.Deliveries.class})
final class WebhooksCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /**
     * A webhooks subcommand: like the other admin commands, but the server's admin API is {@code --server URL}, since
     * {@code --url} is the endpoint's.
     */
    abstract static class Sub implements java.util.concurrent.Callable<Integer> {
        @picocli.CommandLine.Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Option(names = "--data", defaultValue = "./data", description = "Data directory of the server (default: ${DEFAULT-VALUE}).")
        java.nio.file.Path data;

        @Option(names = "--config", description = "Config file (default: <data>/framegate.yaml).")
        java.nio.file.Path config;

        @Option(names = "--server", paramLabel = "URL", description = "Admin API of the server to use (e.g. "
                + "http://10.0.0.5:8080), sent the admin token as given; without it only the loopback server that "
                + "<data>/server.json names and proves is used.")
        String server;

        abstract void run(AdminLink link, PrintWriter out);

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            try (AdminLink link = server != null ? AdminLink.remote(server, data) : AdminLink.open(data, config)) {
                run(link, out);
                out.flush();
                return 0;
            } catch (AdminLink.Refused | IllegalArgumentException | IllegalStateException
                     | io.framegate.provider.ConfigException e) {
                err.println(spec.qualifiedName() + ": " + e.getMessage());
                err.flush();
                return 2;
            }
        }

        static void table(PrintWriter out, List<String> header, List<List<String>> rows) {
            AdminCommand.table(out, header, rows);
        }

        static String text(JsonNode n, String field) {
            return AdminCommand.text(n, field);
        }

        static String time(JsonNode n, String field) {
            return AdminCommand.time(n, field);
        }

        static List<List<String>> rows(JsonNode list, java.util.function.Function<JsonNode, List<String>> row) {
            return AdminCommand.rows(list, row);
        }
    }

    static final List<String> HEADER = List.of("ID", "KEY", "URL", "EVENTS", "CREATED", "REMOVED");

    static List<String> row(JsonNode e) {
        List<String> events = new ArrayList<>();
        e.path("events").forEach(x -> events.add(x.asText()));
        return List.of(AdminCommand.text(e, "id"), AdminCommand.text(e, "key_name"), AdminCommand.text(e, "url"),
                String.join(",", events), AdminCommand.time(e, "created_at"), AdminCommand.time(e, "removed_at"));
    }

    @Command(name = "add", description = "Add an endpoint; its whsec_ signing secret is printed last (shown only this once).")
    static final class Add extends Sub {
        @Option(names = "--key", required = true, description = "Name or id of the API key whose jobs' events it receives.")
        String key;

        @Option(names = "--url", required = true, description = "Where the events are POSTed (http or https).")
        String url;

        @Option(names = "--events", paramLabel = "E1,E2", description = "video.completed, video.failed, video.cancelled, "
                + "video.expired (default: all).")
        String events;

        @Override
        void run(AdminLink link, PrintWriter out) {
            ObjectNode body = AdminLink.object().put("key", key).put("url", url);
            if (events != null) body.put("events", events);
            JsonNode e = link.send("POST", "/admin/v1/webhooks", body);
            table(out, HEADER, List.of(row(e)));
            out.println("Added webhook endpoint " + e.path("id").asText() + " in " + link.where()
                    + ". Verify deliveries with this signing secret (Standard Webhooks; it is not shown again):");
            out.println(e.path("secret").asText());
        }
    }

    @Command(name = "list", description = "List endpoints (removed ones included).")
    static final class ListEndpoints extends Sub {
        @Option(names = "--key", description = "Only this key's endpoints (name or id).")
        String key;

        @Override
        void run(AdminLink link, PrintWriter out) {
            JsonNode list = link.send("GET", "/admin/v1/webhooks" + (key == null ? "" : "?key=" + AdminLink.enc(key)), null);
            table(out, HEADER, rows(list, WebhooksCommand::row));
        }
    }

    @Command(name = "remove", description = "Remove an endpoint: nothing more is sent to it; its delivery log stays.")
    static final class Remove extends Sub {
        @Parameters(paramLabel = "ID", description = "The endpoint's id (whep_...).")
        String id;

        @Override
        void run(AdminLink link, PrintWriter out) {
            JsonNode e = link.send("DELETE", "/admin/v1/webhooks/" + AdminLink.enc(id), null);
            table(out, HEADER, List.of(row(e)));
        }
    }

    @Command(name = "deliveries", description = "The delivery log, newest first.")
    static final class Deliveries extends Sub {
        @Option(names = "--endpoint", description = "Only this endpoint's deliveries.")
        String endpoint;

        @Option(names = "--job", description = "Only this job's deliveries.")
        String job;

        @Option(names = "--status", description = "pending, delivered, failed or cancelled.")
        String status;

        @Override
        void run(AdminLink link, PrintWriter out) {
            StringBuilder q = new StringBuilder();
            if (endpoint != null) q.append("&endpoint=").append(AdminLink.enc(endpoint));
            if (job != null) q.append("&job=").append(AdminLink.enc(job));
            if (status != null) q.append("&status=").append(AdminLink.enc(status));
            JsonNode list = link.send("GET", "/admin/v1/webhooks/deliveries" + (q.isEmpty() ? "" : "?" + q.substring(1)), null);
            table(out, List.of("ID", "ENDPOINT", "EVENT", "JOB", "STATUS", "ATTEMPTS", "LAST_HTTP", "LAST_ERROR", "CREATED"),
                    rows(list, d -> List.of(text(d, "id"), text(d, "endpoint_id"), text(d, "event_type"), text(d, "job_id"),
                            text(d, "status"), text(d, "attempts"), text(d, "last_http_status"), text(d, "last_error"),
                            time(d, "created_at"))));
        }
    }
}
