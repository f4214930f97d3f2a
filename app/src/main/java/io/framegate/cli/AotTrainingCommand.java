package io.framegate.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import javax.imageio.ImageIO;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

/**
 * {@code framegate aot-training}: the launcher's recording run for JDK 25's AOT class cache. The cache holds the
 * classes a recording run loaded, and a class outside it costs loading, parsing and linking in every later command;
 * recording the user's first command (as before) left the other command's classes out (a {@code generate} after an
 * {@code interpolate} recording paid about half a CPU-second more). This runs the engine's commands once each on small
 * pictures in a temporary directory: {@code generate} from keyframes and from a reference image, and
 * {@code interpolate}; and {@code --help} and {@code --version}. Its {@code generate} runs read an empty config of their own, never the user's
 * {@code FRAMEGATE_CONFIG}: a recording must not fail on the user's routes, nor ever route a model upstream.
 */
@Command(name = "aot-training", hidden = true, description = "Run each engine command once on small pictures (records the launcher's class cache).")
final class AotTrainingCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;
    @Option(names = "--work-dir", hidden = true, description = "Where to make the temporary directory (tests).")
    Path workDir;

    @Override
    public Integer call() throws IOException {
        Path dir = workDir == null ? Files.createTempDirectory("framegate-aot-")
                : Files.createTempDirectory(workDir, "framegate-aot-");
        try {
            String noRoutes = Files.writeString(dir.resolve("no-routes.yaml"), "").toString();
            ExampleScene scene = new ExampleScene(2026);
            Path frames = Files.createDirectories(dir.resolve("frames"));
            for (int i = 0; i < 3; i++) {
                ImageIO.write(scene.view(320, 180, 0.3 * i, 0.1 * i), "png", frames.resolve(i + ".png").toFile());
            }
            String a = frames.resolve("0.png").toString(), b = frames.resolve("1.png").toString();
            List<List<String>> runs = List.of(
                    List.of("generate", "--first", a, "--last", b, "--num-frames", "4", "--fps", "24", "--size", "320x180",
                            "--config", noRoutes, "-o", dir.resolve("keyframes.mp4").toString()),
                    List.of("generate", "--reference", a, "--num-frames", "4", "--fps", "24", "--size", "320x180",
                            "--config", noRoutes, "-o", dir.resolve("reference.mp4").toString()),
                    List.of("interpolate", "--input", frames.toString(), "--factor", "2", "-o",
                            dir.resolve("sequence.mp4").toString()),
                    // picocli's help and version classes (its classes are in the cache since they are Java 8 class files)
                    List.of("generate", "--help"), List.of("interpolate", "--version"));
            for (List<String> run : runs) {
                StringWriter out = new StringWriter(), err = new StringWriter();
                int code = Main.run(new PrintWriter(out), new PrintWriter(err), run.toArray(String[]::new));
                if (code != 0) {
                    spec.commandLine().getErr().println("aot-training: " + run.getFirst() + " failed (" + code + "): " + err);
                    spec.commandLine().getErr().flush();
                    return code;
                }
            }
            return 0;
        } finally {
            try (Stream<Path> s = Files.walk(dir)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
