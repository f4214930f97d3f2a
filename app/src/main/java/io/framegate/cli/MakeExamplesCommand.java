package io.framegate.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import javax.imageio.ImageIO;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code framegate make-examples}: redraws the pictures in {@code examples/} (they are committed, so rarely needed). */
@Command(name = "make-examples", hidden = true, description = "Draw the example keyframes (examples/*.png).")
final class MakeExamplesCommand implements Callable<Integer> {
    @Option(names = "--out", defaultValue = "examples", description = "Output directory (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--size", defaultValue = "1280x720", description = "Picture size (default: ${DEFAULT-VALUE}).")
    String size;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        java.util.regex.Matcher wh = java.util.regex.Pattern.compile("(\\d{1,5})x(\\d{1,5})").matcher(size);
        int w = wh.matches() ? Integer.parseInt(wh.group(1)) : 0, h = wh.matches() ? Integer.parseInt(wh.group(2)) : 0;
        if (w < 16 || h < 16 || w > 8192 || h > 8192) {
            spec.commandLine().getErr().println("error: --size=" + size + " is not a picture size; give WxH, each 16..8192");
            spec.commandLine().getErr().flush();
            return GenerateCommand.EXIT_BAD_INPUT;
        }
        Files.createDirectories(out);
        ExampleScene scene = new ExampleScene(2026);
        // start and end: the camera trucks right and pushes in, so near layers move most (parallax, occlusion)
        ImageIO.write(scene.view(w, h, 0.0, 0.0), "png", out.resolve("start.png").toFile());
        ImageIO.write(scene.view(w, h, 0.9, 0.4), "png", out.resolve("end.png").toFile());
        ImageIO.write(scene.view(w, h, -0.4, 0.2), "png", out.resolve("reference.png").toFile());
        spec.commandLine().getOut().println("wrote start.png, end.png, reference.png to " + out);
        spec.commandLine().getOut().flush();
        return 0;
    }
}
