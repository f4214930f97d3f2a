package io.framegate.engine;

import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacpp.Loader;
import org.opencv.core.Core;

/** Loads the OpenCV (official Java API) and FFmpeg natives once per process. */
final class NativeLibs {
    private static volatile boolean loaded;

    private NativeLibs() {
    }

    static void ensureLoaded() {
        if (loaded) return;
        synchronized (NativeLibs.class) {
            if (loaded) return;
            Loader.load(org.bytedeco.opencv.opencv_java.class);
            Core.setNumThreads(Runtime.getRuntime().availableProcessors());
            // FFmpeg prints every stream header at INFO; errors still reach the log.
            avutil.av_log_set_level(avutil.AV_LOG_ERROR);
            loaded = true;
        }
    }
}
