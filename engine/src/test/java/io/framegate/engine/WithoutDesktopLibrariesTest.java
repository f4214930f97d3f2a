package io.framegate.engine;

import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.FFmpegFrameRecorder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opencv.core.CvType;
import org.opencv.core.Mat;
import org.opencv.core.Scalar;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A command's media work runs on a machine without desktop libraries (a server, a container, a fresh Debian with a
 * headless JRE): without PulseAudio's {@code libpulse.so.0}, which FFmpeg's capture devices (avdevice) link and
 * JavaCV's initialisers ask for, and without GTK 2, which OpenCV's highgui links and JavaCPP's full OpenCV loader
 * loads. Each run is a JVM of its own with a JavaCPP cache of its own: the first fills the cache, the second loads
 * from it. Where the machine has those libraries, the child runs with them hidden (a mount namespace of its own,
 * each file covered by /dev/null), which needs root; otherwise the test is skipped.
 */
class WithoutDesktopLibrariesTest {
    /** The child: loads FFmpeg, writes a video, reads it back; prints how FFmpeg loaded and whether devices did. */
    public static void main(String[] args) throws Exception {
        Path mp4 = Path.of(args[0]);
        NativeLibs.ensureLoaded();
        try (VideoEncoder encoder = new VideoEncoder(mp4, 64, 48, 24, 3)) {
            Mat frame = new Mat(48, 64, CvType.CV_8UC3, new Scalar(30, 90, 200));
            for (int i = 0; i < 3; i++) encoder.write(frame);
            encoder.finish();
            frame.release();
        }
        int frames = 0;
        try (FFmpegFrameGrabber g = new FFmpegFrameGrabber(mp4.toFile())) {
            g.start();
            while (g.grabImage() != null) frames++;
        }
        // JavaCV's OpenCV converter (previews) loads JavaCPP's OpenCV presets through its loader
        Previews.fromVideo(mp4, mp4.resolveSibling(mp4.getFileName() + ".webp"), mp4.resolveSibling(mp4.getFileName() + ".jpg"));
        boolean devices;
        try {
            FFmpegFrameRecorder.tryLoad();
            devices = true;
        } catch (FFmpegFrameRecorder.Exception e) {
            devices = false;
        }
        boolean highgui;
        try {
            org.bytedeco.javacpp.Loader.load(org.bytedeco.opencv.global.opencv_highgui.class);
            highgui = true;
        } catch (Throwable e) {
            highgui = false;
        }
        System.out.println("highgui " + (highgui ? "loaded" : "unavailable"));
        System.out.println("opencv " + NativeLibs.how());
        System.out.println("ffmpeg " + NativeLibs.ffmpegHow());
        System.out.println("devices " + (devices ? "loaded" : "unavailable"));
        System.out.println("frames read " + frames);
    }

    @Test
    void videosAreWrittenReadAndPreviewedWithoutPulseAudioOrGtkOnTheFirstRunAndFromTheCache(@TempDir Path dir) throws Exception {
        List<String> present = new ArrayList<>();
        for (String soname : List.of("libpulse.so.0", "libgtk-x11-2.0.so.0", "libgdk-x11-2.0.so.0")) {
            String path = librarySearchPath(soname);
            if (path != null) present.add(path);
        }
        List<String> hide = new ArrayList<>();
        if (!present.isEmpty()) {
            // sh -c SCRIPT sh LIB... COMMAND...: each library covered, then the command run in that namespace
            StringBuilder script = new StringBuilder();
            for (int i = 1; i <= present.size(); i++) script.append("mount --bind /dev/null \"$").append(i).append("\" && ");
            script.append("shift ").append(present.size()).append(" && exec \"$@\"");
            hide.addAll(List.of("unshare", "-m", "sh", "-c", script.toString(), "sh"));
            hide.addAll(present);
            Process p = new ProcessBuilder(concat(hide, List.of("true"))).redirectErrorStream(true).start();
            assumeTrue(p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0,
                    present + " are installed and cannot be hidden here (needs root for a mount namespace)");
        }
        Path cache = Files.createDirectories(dir.resolve("javacpp-cache"));
        String first = run(hide, cache, dir.resolve("first.mp4"));
        assertThat(first).contains("opencv opencv_java from the JavaCPP cache", "ffmpeg through the JavaCPP loader",
                "devices unavailable", "highgui unavailable", "frames read 3");
        String second = run(hide, cache, dir.resolve("second.mp4"));
        assertThat(second).contains("opencv opencv_java from the JavaCPP cache", "ffmpeg from the JavaCPP cache",
                "devices unavailable", "highgui unavailable", "frames read 3");
        assertThat(dir.resolve("second.mp4.webp")).isNotEmptyFile();
    }

    private static String run(List<String> hide, Path cache, Path mp4) throws Exception {
        return ChildJvm.run(hide, List.of("-Xmx256m", "-Dorg.bytedeco.javacpp.cachedir=" + cache),
                WithoutDesktopLibrariesTest.class, 3, mp4.toString());
    }

    /** Where the dynamic linker finds {@code soname} (x86-64), or null when it does not. */
    private static String librarySearchPath(String soname) throws Exception {
        String ldconfig = new File("/sbin/ldconfig").canExecute() ? "/sbin/ldconfig" : "ldconfig";
        Process p = new ProcessBuilder(ldconfig, "-p").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(30, TimeUnit.SECONDS);
        for (String line : out.split("\n")) {
            if (line.trim().startsWith(soname + " ") && line.contains("x86-64") && line.contains("=> ")) {
                return line.substring(line.indexOf("=> ") + 3).trim();
            }
        }
        return null;
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }
}
