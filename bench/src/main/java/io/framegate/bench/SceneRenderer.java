package io.framegate.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/**
 * Renders the project's POV-Ray scenes ({@code bench/scenes/*.pov}) into a cache: one second at 24 fps, frames
 * {@code 000.png .. 024.png} with {@code clock = frame / 24}. The cache directory name carries a hash of the scene
 * files, the size and the render options, so an edited scene is rendered again and an unchanged one never is.
 */
public final class SceneRenderer {
    /** Frames per rendered second; the scenes' {@code clock} runs 0..1 over them. */
    public static final int FPS = 24;
    /** Antialiasing: adaptive (method 2), threshold 0.1, depth 2 - enough to keep edges from flickering between frames. */
    private static final List<String> OPTIONS = List.of("+A0.1", "+AM2", "+R2", "+FN8", "-D", "+WT2");

    private final Path scenesDir;
    private final Path cacheDir;

    public SceneRenderer(Path scenesDir, Path cacheDir) {
        this.scenesDir = scenesDir;
        this.cacheDir = cacheDir;
    }

    /** The 25 frames of {@code scene} at {@code width x height}, rendering them first if they are not cached. */
    public List<Path> frames(String scene, int width, int height) {
        Path dir = cacheDir.resolve("frames").resolve(scene + "-" + width + "x" + height + "-" + hash(width, height));
        List<Path> frames = new ArrayList<>();
        for (int i = 0; i <= FPS; i++) frames.add(dir.resolve(String.format("%03d.png", i)));
        if (frames.stream().allMatch(Files::isRegularFile)) return frames;
        render(scene, width, height, dir);
        for (Path f : frames) {
            if (!Files.isRegularFile(f)) throw new IllegalStateException("POV-Ray did not produce " + f);
        }
        return frames;
    }

    private void render(String scene, int width, int height, Path dir) {
        System.out.printf("rendering %s at %dx%d with POV-Ray (%d frames, once; cached in %s)%n", scene, width, height,
                FPS + 1, dir);
        long t0 = System.nanoTime();
        try {
            Files.createDirectories(dir);
            // POV-Ray's default I/O policy only reads and writes the working directory (and its include path),
            // so the scene files are copied next to the output.
            for (Path f : sceneFiles()) Files.copy(f, dir.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            List<String> cmd = new ArrayList<>(List.of("povray", "+I" + scene + ".pov", "+Oframe", "+W" + width,
                    "+H" + height, "+KFI0", "+KFF" + FPS, "+KI0", "+KF1"));
            cmd.addAll(OPTIONS);
            Proc.run(dir, cmd);
            for (int i = 0; i <= FPS; i++) {
                Path produced = dir.resolve(String.format("frame%02d.png", i));
                Files.move(produced, dir.resolve(String.format("%03d.png", i)), StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot render " + scene + " into " + dir, e);
        }
        System.out.printf("  rendered in %.0f s%n", (System.nanoTime() - t0) / 1e9);
    }

    private List<Path> sceneFiles() throws IOException {
        try (Stream<Path> s = Files.list(scenesDir)) {
            List<Path> files = s.filter(p -> p.toString().endsWith(".pov") || p.toString().endsWith(".inc")).sorted().toList();
            if (files.isEmpty()) throw new IllegalStateException("no POV-Ray scenes in " + scenesDir);
            return files;
        }
    }

    private String hash(int width, int height) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            for (Path f : sceneFiles()) {
                md.update(f.getFileName().toString().getBytes(StandardCharsets.UTF_8));
                md.update(Files.readAllBytes(f));
            }
            md.update((width + "x" + height + OPTIONS).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(md.digest()).substring(0, 10);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
