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

    public OutputFiles withFramesDir(Path dir) {
        return new OutputFiles(video, thumbnail, spritesheet, dir);
    }
}
