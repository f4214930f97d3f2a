package io.framegate.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code framegate serve} in a JVM of its own (the test classpath, {@link Main}), so that a test can kill it with
 * SIGKILL ({@link Process#destroyForcibly()} on Linux) and start another on the same data directory.
 */
final class ServerProcess implements AutoCloseable {
    private static final Pattern LISTENING = Pattern.compile("listening on http://[^:]+:(\\d+)");

    final Process process;
    final int port;
    final Path stdout;
    final Path stderr;

    private ServerProcess(Process process, int port, Path stdout, Path stderr) {
        this.process = process;
        this.port = port;
        this.stdout = stdout;
        this.stderr = stderr;
    }

    /** Starts {@code serve} and waits until it listens; {@code name} names its log files in {@code logs}. */
    static ServerProcess start(Path data, Path config, Path logs, String name) throws Exception {
        return start(data, config, logs, name, Map.of());
    }

    /** As {@link #start(Path, Path, Path, String)}, with {@code env} added to the process's environment. */
    static ServerProcess start(Path data, Path config, Path logs, String name, Map<String, String> env) throws Exception {
        return start(data, config, logs, name, env, List.of());
    }

    /** As {@link #start(Path, Path, Path, String, Map)}, with more options of {@code serve} ({@code args}). */
    static ServerProcess start(Path data, Path config, Path logs, String name, Map<String, String> env, List<String> args)
            throws Exception {
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx768m", "-XX:TieredStopAtLevel=1", "-XX:+IgnoreUnrecognizedVMOptions",
                "--sun-misc-unsafe-memory-access=allow", "--enable-native-access=ALL-UNNAMED",
                "-cp", cp, Main.class.getName(), "serve", "--port", "0", "--host", "127.0.0.1",
                "--data", data.toString(), "--config", config.toString()));
        cmd.addAll(args);
        Files.createDirectories(logs);
        Path out = logs.resolve(name + ".out");
        Path err = logs.resolve(name + ".err");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().putAll(env);
        Process p = pb.start();
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (System.nanoTime() < deadline) {
            Matcher m = LISTENING.matcher(read(err));
            if (m.find()) return new ServerProcess(p, Integer.parseInt(m.group(1)), out, err);
            if (!p.isAlive()) throw new AssertionError("serve exited with " + p.exitValue() + ":\n" + read(err));
            Thread.sleep(50);
        }
        p.destroyForcibly();
        throw new AssertionError("serve did not start listening within 90 s:\n" + read(err));
    }

    /** The first line the server printed on standard output (the default key's secret on a first start). */
    String awaitFirstStdoutLine() throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            String text = read(stdout);
            int nl = text.indexOf('\n');
            if (nl > 0) return text.substring(0, nl).trim();
            Thread.sleep(20);
        }
        throw new AssertionError("nothing on standard output; stderr:\n" + read(stderr));
    }

    String base() {
        return "http://127.0.0.1:" + port;
    }

    /** SIGKILL: no shutdown hook, no flush, no lease release. */
    void kill9() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    /** SIGSTOP: the whole JVM freezes (threads, timers, heartbeats) until {@link #resume()}. */
    void pause() throws Exception {
        signal("STOP");
    }

    /** SIGCONT after {@link #pause()}. */
    void resume() throws Exception {
        signal("CONT");
    }

    private void signal(String name) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).redirectErrorStream(true).start();
        String said = new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (kill.waitFor() != 0) throw new IllegalStateException("kill -" + name + " " + process.pid() + ": " + said);
    }

    static String read(Path f) {
        try {
            return Files.exists(f) ? Files.readString(f, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "";
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) kill9(); // SIGKILL ends a paused (SIGSTOP) JVM too
    }
}
