package io.framegate.engine;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** A test's {@code main} run in a JVM of its own, on the tests' class path, for what one process cannot show. */
final class ChildJvm {
    private ChildJvm() {
    }

    /**
     * Runs {@code main} with {@code args} under {@code prefix} (a command that runs the rest: taskset, unshare, or
     * nothing) and JVM options {@code jvm}; asserts it ended with 0 within {@code minutes} and returns what it printed.
     */
    static String run(List<String> prefix, List<String> jvm, Class<?> main, int minutes, String... args) throws Exception {
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> cmd = new ArrayList<>(prefix);
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvm);
        // (the second option is JDK 23+: ignored where unknown)
        cmd.addAll(List.of("--enable-native-access=ALL-UNNAMED", "-XX:+IgnoreUnrecognizedVMOptions",
                "--sun-misc-unsafe-memory-access=allow", "-cp", cp, main.getName()));
        cmd.addAll(List.of(args));
        Path log = Files.createTempFile("child-jvm-", ".log");
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            assertThat(p.waitFor(minutes, TimeUnit.MINUTES)).as("%s finished", main.getSimpleName()).isTrue();
            String printed = Files.readString(log, StandardCharsets.UTF_8);
            assertThat(p.exitValue()).as(printed).isZero();
            return printed;
        } finally {
            Files.deleteIfExists(log);
        }
    }
}
