package io.framegate.cli;

import java.io.PrintWriter;
import java.io.StringWriter;

/** One in-process run of the {@code framegate} command: its exit code and what it printed on each stream. */
record CliRun(int code, String out, String err) {
    static CliRun of(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        int code = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new CliRun(code, out.toString(), err.toString());
    }
}
