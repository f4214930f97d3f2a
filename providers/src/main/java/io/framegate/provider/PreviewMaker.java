package io.framegate.provider;

import java.nio.file.Path;

/** Makes the thumbnail (WebP) and spritesheet (JPEG) of a downloaded video, locally. */
@FunctionalInterface
public interface PreviewMaker {
    /** The engine's previews: the same thumbnail and spritesheet as locally made videos get. */
    PreviewMaker ENGINE = io.framegate.engine.Previews::fromVideo;

    void make(Path video, Path thumbnail, Path spritesheet) throws Exception;
}
