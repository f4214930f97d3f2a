package io.framegate.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Runs external commands, optionally under GNU {@code time} to get wall time, CPU time and peak memory. */
public final class Proc {
    private Proc() {
    }

    /**
     * Resources one finished command used.
     *
     * @param wallSeconds elapsed time
     * @param cpuSeconds  user + system CPU time
     * @param peakRssMb   maximum resident set size, MiB
     * @param output      stdout and stderr together
     */
    public record Usage(double wallSeconds, double cpuSeconds, double peakRssMb, String output) {
    }

    /** Runs {@code cmd} in {@code dir} (null = current); throws with the command's output if it fails. */
    public static String run(Path dir, List<String> cmd) {
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
            if (dir != null) pb.directory(dir.toFile());
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int rc = p.waitFor();
            if (rc != 0) throw new IllegalStateException("command failed (exit " + rc + "): " + String.join(" ", cmd) + "\n" + tail(out));
            return out;
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + cmd.get(0) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + cmd.get(0), e);
        }
    }

    public static String run(Path dir, String... cmd) {
        return run(dir, List.of(cmd));
    }

    /** Runs {@code cmd} under {@code /usr/bin/time} and returns what it used. */
    public static Usage timed(Path dir, List<String> cmd) {
        try {
            Path stats = Files.createTempFile("fg-bench-time", ".txt");
            try {
                List<String> full = new ArrayList<>(List.of("/usr/bin/time", "-f", "%e %U %S %M", "-o", stats.toString()));
                full.addAll(cmd);
                String out = run(dir, full);
                String[] f = Files.readString(stats).trim().split("\\s+");
                return new Usage(Double.parseDouble(f[0]), Double.parseDouble(f[1]) + Double.parseDouble(f[2]),
                        Double.parseDouble(f[3]) / 1024.0, out);
            } finally {
                Files.deleteIfExists(stats);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot time " + cmd, e);
        }
    }

    public static boolean available(String program) {
        try {
            Process p = new ProcessBuilder(program, "-version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    static String tail(String s) {
        String[] lines = s.split("\n");
        return String.join("\n", List.of(lines).subList(Math.max(0, lines.length - 15), lines.length));
    }
}
