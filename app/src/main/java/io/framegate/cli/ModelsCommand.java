package io.framegate.cli;

import io.framegate.domain.ModelCatalog;
import io.framegate.domain.ModelSpec;
import picocli.CommandLine.Command;

import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

/** {@code framegate models}: the catalog as a table. */
@Command(name = "models", description = "List the models of the catalog with their rules and prices.")
final class ModelsCommand implements Callable<Integer> {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        java.io.PrintWriter out = spec.commandLine().getOut();
        String fmt = "%-30s %-9s %-10s %-40s %-16s %-12s %s%n";
        out.printf(fmt, "MODEL", "PROVIDER", "STATUS", "IMAGE ROLES", "SECONDS", "USD/SECOND", "SIZES");
        for (ModelSpec m : ModelCatalog.builtIn().models()) {
            String roles = m.roles().entrySet().stream().map(e -> e.getKey() + "x" + e.getValue())
                    .collect(Collectors.joining(","));
            String price = m.pricePerSecond().entrySet().stream().sorted(java.util.Map.Entry.comparingByKey())
                    .map(e -> ("default".equals(e.getKey()) ? "" : e.getKey() + ":")
                            + String.format(Locale.ROOT, "%.2f", e.getValue()))
                    .collect(Collectors.joining(" "));
            String status = m.lifecycle().status() + (m.lifecycle().shutdown() != null ? " " + m.lifecycle().shutdown() : "");
            out.printf(fmt, m.id(), m.provider(), status, roles, m.allowedSecondsText(), price, m.allowedSizesText());
        }
        out.flush();
        return 0;
    }
}
