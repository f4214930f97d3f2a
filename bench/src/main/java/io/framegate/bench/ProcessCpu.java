package io.framegate.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** CPU time of other processes (the gateway instances under load), read from the operating system. */
final class ProcessCpu {
    private ProcessCpu() {
    }

    /**
     * CPU time (ms) of the instances' HTTP request threads (Jetty's pool, whose Linux thread names start with
     * {@code JettyServerThre}), from {@code /proc/PID/task/TID/stat} in clock ticks of 10 ms; -1 when unreadable. A
     * request thread that ended meanwhile drops out of the sum (Jetty keeps busy ones; idle ones end after 60 s).
     */
    static long requestThreadMillis(List<Long> pids) {
        long ticks = 0;
        try {
            for (long pid : pids) {
                try (var tasks = Files.list(Path.of("/proc", String.valueOf(pid), "task"))) {
                    for (Path t : tasks.toList()) {
                        String stat;
                        try {
                            stat = Files.readString(t.resolve("stat"));
                        } catch (IOException ended) {
                            continue;
                        }
                        int open = stat.indexOf('(');
                        int close = stat.lastIndexOf(')');
                        if (!stat.substring(open + 1, close).startsWith("JettyServerThre")) continue;
                        String[] f = stat.substring(close + 2).split(" ");
                        ticks += Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime (fields 14, 15)
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return ticks * 10;
    }

    /** Total CPU time (user + system) of the processes so far, in ms; -1 when one cannot be read. */
    static long totalMillis(List<Long> pids) {
        long sum = 0;
        for (long pid : pids) {
            var cpu = ProcessHandle.of(pid).flatMap(h -> h.info().totalCpuDuration());
            if (cpu.isEmpty()) return -1;
            sum += cpu.get().toMillis();
        }
        return sum;
    }
}
