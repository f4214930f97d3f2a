package io.framegate.engine;

import org.junit.jupiter.api.Test;
import org.opencv.core.CvType;
import org.opencv.core.Mat;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** Loading the natives in the background (issue 13 item 3) loses neither the natives nor an error. */
class NativeLibsTest {
    @Test
    void aFailedBackgroundLoadIsKeptAndLeavesTheLoadToTheCaller() throws Exception {
        UnsatisfiedLinkError failure = new UnsatisfiedLinkError("test: libopencv_core.so.410 cannot be opened");
        Thread t = NativeLibs.loadInBackground(() -> {
            throw failure;
        });
        t.join();
        assertThat(NativeLibs.backgroundError()).isSameAs(failure);
        // the failed background load did not mark the natives loaded: the caller loads them (or meets the error itself)
        NativeLibs.ensureLoaded();
        Mat m = new Mat(2, 2, CvType.CV_8UC3);
        assertThat(m.total()).isEqualTo(4);
        m.release();
    }

    @Test
    void theBackgroundLoadServesTheCallersThatWaitForIt(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Thread t = NativeLibs.loadInBackground();
        // no join: the caller waits for the load in progress
        NativeLibs.ensureLoaded();
        assertThat(NativeLibs.how()).isNotEqualTo("not loaded");
        t.join();
        assertThat(NativeLibs.backgroundError()).isNull();
        // FFmpeg's part: a recorder opens and writes a frame
        Path mp4 = dir.resolve("one.mp4");
        try (VideoEncoder encoder = new VideoEncoder(mp4, 64, 48, 24, 1)) {
            Mat frame = new Mat(48, 64, CvType.CV_8UC3, new org.opencv.core.Scalar(10, 20, 30));
            encoder.write(frame);
            encoder.finish();
            frame.release();
        }
        assertThat(Files.size(mp4)).isPositive();
    }

    /**
     * FFmpeg's libraries load straight from JavaCPP's cache once it holds them (after any first load): the list of
     * files matches the cache of the FFmpeg build we depend on (a new FFmpeg with other sonames fails here rather than
     * silently falling back to JavaCPP's slower search), JavaCPP's loader is on again afterwards (JavaCV's OpenCV
     * converter needs it for JavaCPP's OpenCV preset), and what the recorder writes the grabber reads back.
     */
    @Test
    void ffmpegLoadsFromJavaCppsCacheAndLeavesJavaCppsLoaderOn(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        NativeLibs.ensureFFmpegLoaded();
        assertThat(NativeLibs.ffmpegHow()).isIn("from the JavaCPP cache", "through the JavaCPP loader");
        assertThat(System.getProperty("org.bytedeco.javacpp.loadLibraries", "true")).isEqualTo("true");
        // by now the cache holds every library, whichever way this process loaded them
        assertThat(NativeLibs.loadFFmpegFromCache()).isTrue();
        // the capture devices' files too (loaded when they can be: WithoutDesktopLibrariesTest)
        for (String name : NativeLibs.FFMPEG_DEVICE_LIBRARIES) {
            assertThat(new java.io.File(NativeLibs.ffmpegCacheDir(), name)).isFile();
        }
        // and the grabber works without a load of its own: it reads back what the recorder wrote
        Path mp4 = dir.resolve("two.mp4");
        try (VideoEncoder encoder = new VideoEncoder(mp4, 64, 48, 24, 2)) {
            Mat frame = new Mat(48, 64, CvType.CV_8UC3, new org.opencv.core.Scalar(200, 20, 30));
            encoder.write(frame);
            encoder.write(frame);
            encoder.finish();
            frame.release();
        }
        try (VideoReader r = new VideoReader(mp4)) {
            assertThat(r.expectedFrames()).isEqualTo(2);
        }
        // JavaCV's OpenCV converter loads JavaCPP's OpenCV preset through the loader, after the FFmpeg load
        Path thumbnail = dir.resolve("t.webp"), sheet = dir.resolve("s.jpg");
        Previews.fromVideo(mp4, thumbnail, sheet);
        assertThat(Files.size(thumbnail)).isPositive();
    }

    /**
     * A library that failed in a class initialiser on the background thread answers the caller's second try with a bare
     * NoClassDefFoundError: the caller is given the background's original error, naming the library, instead.
     */
    @Test
    void theCallerGetsTheBackgroundLoadsOriginalErrorWhenItsOwnTryFailsToo() {
        UnsatisfiedLinkError original = new UnsatisfiedLinkError("no jniavutil in java.library.path");
        NoClassDefFoundError retry = new NoClassDefFoundError("Could not initialize class org.bytedeco.ffmpeg.global.avutil");
        Throwable reported = NativeLibs.firstCause(original, retry);
        assertThat(reported).isSameAs(original).hasMessageContaining("jniavutil");
        assertThat(reported.getSuppressed()).containsExactly(retry);
        // without a background failure, the caller's own error as it is
        assertThat(NativeLibs.firstCause(null, retry)).isSameAs(retry);
    }
}
