package io.framegate.engine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * With {@code FRAMEGATE_TRACE=1}, prints where a command's time goes on stderr: wall time since the process started
 * and the process's CPU time (user + system, from {@code /proc/self/stat}) at each mark. Off by default; costs nothing
 * then. Used to measure the fixed per-command cost (issue 13 item 3).
 */
public final class StartupTrace {
    private static final boolean ON = "1".equals(System.getenv("FRAMEGATE_TRACE"));
    private static final long START_MS = ON ? ProcessHandle.current().info().startInstant()
            .map(java.time.Instant::toEpochMilli).orElse(System.currentTimeMillis()) : 0;

    private StartupTrace() {
    }

    public static boolean on() {
        return ON;
    }

    /** Prints {@code what} with wall ms since process start and CPU ms so far, and the thread's name. */
    public static void mark(String what) {
        if (!ON) return;
        System.err.printf("trace %6d ms wall %6d ms cpu  [%s] %s%n", System.currentTimeMillis() - START_MS, cpuMs(),
                Thread.currentThread().getName(), what);
    }

    private static long cpuMs() {
        try {
            String stat = Files.readString(Path.of("/proc/self/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            // fields 14 and 15 (utime, stime) in clock ticks (100 per second on Linux)
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }
}
