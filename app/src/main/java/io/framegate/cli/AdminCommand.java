package io.framegate.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.framegate.provider.ConfigException;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * A {@code keys}, {@code accounts} or {@code usage} subcommand: runs against the server on {@code --data} if one runs
 * (its admin API), else against the database directly; a refused request prints its reason and exits with 2.
 */
abstract class AdminCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    KeysCommand.DataOptions opts = new KeysCommand.DataOptions();

    abstract void run(AdminLink link, PrintWriter out);

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try (AdminLink link = opts.url != null ? AdminLink.remote(opts.url, opts.data) : AdminLink.open(opts.data, opts.config)) {
            run(link, out);
            out.flush();
            return 0;
        } catch (AdminLink.Refused | IllegalArgumentException | IllegalStateException | ConfigException e) {
            err.println(spec.qualifiedName() + ": " + e.getMessage());
            err.flush();
            return 2;
        }
    }

    /** Budget and limit options of keys and accounts; {@code none} removes a limit. */
    static class Limits {
        @Option(names = "--budget-usd", paramLabel = "USD", description = "Budget in US dollars, e.g. 25.00 (none: no budget).")
        String budgetUsd;

        @Option(names = "--rpm", paramLabel = "N", description = "Video creates per minute (none: no limit).")
        String rpm;

        @Option(names = "--max-concurrent", paramLabel = "N", description = "Jobs queued or running at once (none: no limit).")
        String maxConcurrent;

        @Option(names = "--video-seconds-limit", paramLabel = "N", description = "Video seconds in all (none: no limit).")
        String videoSecondsLimit;

        void into(ObjectNode body) {
            if (budgetUsd != null) body.put("budget_usd", budgetUsd);
            if (rpm != null) body.put("rpm", rpm);
            if (maxConcurrent != null) body.put("max_concurrent", maxConcurrent);
            if (videoSecondsLimit != null) body.put("video_seconds_limit", videoSecondsLimit);
        }
    }

    /** Prints rows under a header, each column as wide as its widest cell. */
    static void table(PrintWriter out, List<String> header, List<List<String>> rows) {
        int[] w = new int[header.size()];
        List<List<String>> all = new ArrayList<>();
        all.add(header);
        all.addAll(rows);
        for (List<String> r : all) for (int i = 0; i < w.length; i++) w[i] = Math.max(w[i], r.get(i).length());
        for (List<String> r : all) {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < w.length; i++) {
                String cell = r.get(i);
                sb.append(i == w.length - 1 ? cell : String.format("%-" + w[i] + "s  ", cell));
            }
            out.println(sb.toString().stripTrailing());
        }
    }

    static String text(JsonNode n, String field) {
        JsonNode v = n.path(field);
        return v.isMissingNode() || v.isNull() ? "-" : v.asText();
    }

    static String time(JsonNode n, String field) {
        JsonNode v = n.path(field);
        return v.isMissingNode() || v.isNull() ? "-" : Instant.ofEpochSecond(v.asLong()).toString();
    }

    static final List<String> KEY_HEADER = List.of("NAME", "ID", "ACCOUNT", "STARTS", "STATUS", "BUDGET_USD", "SPENT_USD",
            "RESERVED_USD", "RPM", "MAX_CONCURRENT", "EXPIRES", "MODELS");

    static List<String> keyRow(JsonNode k) {
        String models = "-";
        if (k.path("models").isArray()) {
            List<String> m = new ArrayList<>();
            k.path("models").forEach(x -> m.add(x.asText()));
            models = String.join(",", m);
        }
        return List.of(text(k, "name"), text(k, "id"), text(k, "account"), text(k, "key_hint"), text(k, "status"),
                text(k, "budget_usd"), text(k, "spent_usd"), text(k, "reserved_usd"), text(k, "rpm"),
                text(k, "max_concurrent"), time(k, "expires_at"), models);
    }

    static final List<String> ACCOUNT_HEADER = List.of("NAME", "ID", "STATUS", "KEYS", "BUDGET_USD", "SPENT_USD",
            "RESERVED_USD", "RPM", "MAX_CONCURRENT", "VIDEO_SECONDS_LIMIT");

    static List<String> accountRow(JsonNode a) {
        return List.of(text(a, "name"), text(a, "id"), text(a, "status"), text(a, "keys"), text(a, "budget_usd"),
                text(a, "spent_usd"), text(a, "reserved_usd"), text(a, "rpm"), text(a, "max_concurrent"),
                text(a, "video_seconds_limit"));
    }

    static List<List<String>> rows(JsonNode list, java.util.function.Function<JsonNode, List<String>> row) {
        List<List<String>> rows = new ArrayList<>();
        list.path("data").forEach(n -> rows.add(row.apply(n)));
        return rows;
    }

}
