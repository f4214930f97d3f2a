package io.framegate.provider;

import java.nio.file.Path;

/** Makes the thumbnail (WebP) and spritesheet (JPEG) of a downloaded video, locally. */
@FunctionalInterface
public interface PreviewMaker {
    void make(Path video, Path thumbnail, Path spritesheet) throws Exception;
}
