package io.framegate.domain;

import java.nio.file.Path;

/**
 * The files of one produced video: the MP4 and the two previews the OpenAI Videos API offers as content variants.
 *
 * @param video       H.264 MP4
 * @param thumbnail   one still frame (WebP)
 * @param spritesheet a grid of frames across the video (JPEG)
 * @param framesDir   if not null, every frame is also written there as PNG
 */
public record OutputFiles(Path video, Path thumbnail, Path spritesheet, Path framesDir) {
    /** The standard names inside a directory: {@code video.mp4}, {@code thumbnail.webp}, {@code spritesheet.jpg}. */
    public static OutputFiles in(Path dir) {
        return new OutputFiles(dir.resolve("video.mp4"), dir.resolve("thumbnail.webp"), dir.resolve("spritesheet.jpg"), null);
    }

    /**
     * A video named by the user and its previews beside it, named after its stem: {@code clip.mp4} ->
     * {@code clip.thumbnail.webp}, {@code clip.spritesheet.jpg}.
     */
    public static OutputFiles beside(Path video, Path framesDir) {
        Path target = video.toAbsolutePath();
        String name = target.getFileName().toString();
        int dot = name.lastIndexOf('.');
        String stem = dot > 0 ? name.substring(0, dot) : name;
        return new OutputFiles(target, target.resolveSibling(stem + ".thumbnail.webp"),
                target.resolveSibling(stem + ".spritesheet.jpg"), framesDir);
    }

    public OutputFiles withFramesDir(Path dir) {
        return new OutputFiles(video, thumbnail, spritesheet, dir);
    }
}
