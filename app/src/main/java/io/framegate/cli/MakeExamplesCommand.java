package io.framegate.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

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

    @Override
    public Integer call() throws IOException {
        String[] wh = size.split("x");
        int w = Integer.parseInt(wh[0]), h = Integer.parseInt(wh[1]);
        Files.createDirectories(out);
        ExampleScene scene = new ExampleScene(2026);
        // start and end: the camera trucks right and pushes in, so near layers move most (parallax, occlusion)
        ImageIO.write(scene.view(w, h, 0.0, 0.0), "png", out.resolve("start.png").toFile());
        ImageIO.write(scene.view(w, h, 0.9, 0.4), "png", out.resolve("end.png").toFile());
        ImageIO.write(scene.view(w, h, -0.4, 0.2), "png", out.resolve("reference.png").toFile());
        System.out.println("wrote start.png, end.png, reference.png to " + out);
        return 0;
    }
}
