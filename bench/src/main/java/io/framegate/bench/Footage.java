package io.framegate.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Windows of the real footage ({@code big-buck-bunny/big_buck_bunny_640x360.mp4} in the shared data directory) as PNG
 * frames in the bench's cache (never in the repository): 25 frames from a start second, decoded by ffmpeg once.
 */
public final class Footage {
    public static final String FILE = "big-buck-bunny/big_buck_bunny_640x360.mp4";

    private final Path video;
    private final Path cacheDir;

    public Footage(Path video, Path cacheDir) {
        this.video = video;
        this.cacheDir = cacheDir;
    }

    /** The 25 frames from second {@code start}, decoding them first when they are not cached. */
    public List<Path> window(int start) {
        Path dir = cacheDir.resolve("frames").resolve(String.format("bbb-%02d-%d", start, SceneRenderer.FPS + 1));
        List<Path> frames = new ArrayList<>();
        for (int i = 0; i <= SceneRenderer.FPS; i++) frames.add(dir.resolve(String.format("%03d.png", i)));
        if (frames.stream().allMatch(Files::isRegularFile)) return frames;
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        // -ss before -i seeks exactly (decodes from the previous keyframe and drops what comes before the start)
        Proc.run(null, "ffmpeg", "-nostdin", "-y", "-v", "error", "-ss", String.valueOf(start), "-i", video.toString(),
                "-frames:v", String.valueOf(SceneRenderer.FPS + 1), "-start_number", "0", dir.resolve("%03d.png").toString());
        for (Path f : frames) {
            if (!Files.isRegularFile(f)) throw new IllegalStateException("ffmpeg did not produce " + f + " from " + video);
        }
        return frames;
    }
}
