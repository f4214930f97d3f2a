package io.framegate.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;

/** {@code framegate usage}: spend, reservations, jobs and video seconds from the ledger, as a table. */
@Command(name = "usage", description = "Show usage from the ledger, grouped by key, account, model or day (UTC).")
final class UsageCommand extends AdminCommand {
    @Option(names = "--by", defaultValue = "key", description = "key, account, model or day (default: ${DEFAULT-VALUE}).")
    String by;

    @Option(names = "--from", paramLabel = "YYYY-MM-DD", description = "First day counted (UTC).")
    String from;

    @Option(names = "--to", paramLabel = "YYYY-MM-DD", description = "Last day counted (UTC, inclusive).")
    String to;

    @Override
    void run(AdminLink link, PrintWriter out) {
        StringBuilder q = new StringBuilder("/admin/v1/usage?by=").append(AdminLink.enc(by));
        if (from != null) q.append("&from=").append(AdminLink.enc(from));
        if (to != null) q.append("&to=").append(AdminLink.enc(to));
        JsonNode answer = link.send("GET", q.toString(), null);
        List<List<String>> rows = new ArrayList<>();
        long jobs = 0, seconds = 0;
        BigDecimal spent = BigDecimal.valueOf(0, 6), reserved = BigDecimal.valueOf(0, 6);
        for (JsonNode g : answer.path("data")) {
            rows.add(List.of(text(g, "group"), text(g, "name"), text(g, "jobs"), text(g, "spent_usd"),
                    usd(g.path("reserved_micros").asLong()), text(g, "video_seconds")));
            jobs += g.path("jobs").asLong();
            seconds += g.path("video_seconds").asLong();
            spent = spent.add(BigDecimal.valueOf(g.path("spent_micros").asLong(), 6));
            reserved = reserved.add(BigDecimal.valueOf(g.path("reserved_micros").asLong(), 6));
        }
        rows.add(List.of("TOTAL", "", String.valueOf(jobs), spent.toPlainString(), reserved.toPlainString(), String.valueOf(seconds)));
        table(out, List.of(by.toUpperCase(java.util.Locale.ROOT), "NAME", "JOBS", "SPENT_USD", "RESERVED_USD", "VIDEO_SECONDS"), rows);
    }

    private static String usd(long micros) {
        return BigDecimal.valueOf(micros, 6).toPlainString();
    }
}
