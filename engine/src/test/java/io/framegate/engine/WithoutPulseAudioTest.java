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
 * Videos are written and read on a machine without PulseAudio's library ({@code libpulse.so.0}: a server, a container,
 * a fresh Debian), which FFmpeg's capture devices (avdevice) link and JavaCV's initialisers ask for. Each run is a JVM
 * of its own with a JavaCPP cache of its own: the first fills the cache through JavaCPP's loader, the second loads
 * from it. Where the machine has the library, the child runs with it hidden (a mount namespace of its own, the file
 * covered by /dev/null), which needs root; otherwise the test is skipped.
 */
class WithoutPulseAudioTest {
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
        boolean devices;
        try {
            FFmpegFrameRecorder.tryLoad();
            devices = true;
        } catch (FFmpegFrameRecorder.Exception e) {
            devices = false;
        }
        System.out.println("ffmpeg " + NativeLibs.ffmpegHow());
        System.out.println("devices " + (devices ? "loaded" : "unavailable"));
        System.out.println("frames read " + frames);
    }

    @Test
    void aVideoIsWrittenAndReadWithoutPulseAudioBothOnTheFirstRunAndFromTheCache(@TempDir Path dir) throws Exception {
        String pulse = pulseAudioLibrary();
        List<String> hide = pulse == null ? List.of() : List.of("unshare", "-m", "sh", "-c",
                "mount --bind /dev/null \"$0\" && exec \"$@\"", pulse);
        if (pulse != null) {
            Process p = new ProcessBuilder(concat(hide, List.of("true"))).redirectErrorStream(true).start();
            assumeTrue(p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0,
                    "libpulse.so.0 is installed and cannot be hidden here (needs root for a mount namespace)");
        }
        Path cache = Files.createDirectories(dir.resolve("javacpp-cache"));
        String first = run(hide, cache, dir.resolve("first.mp4"));
        assertThat(first).contains("ffmpeg through the JavaCPP loader", "devices unavailable", "frames read 3");
        String second = run(hide, cache, dir.resolve("second.mp4"));
        assertThat(second).contains("ffmpeg from the JavaCPP cache", "devices unavailable", "frames read 3");
    }

    private static String run(List<String> hide, Path cache, Path mp4) throws Exception {
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> java = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
                "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow", "-XX:+IgnoreUnrecognizedVMOptions",
                "-Dorg.bytedeco.javacpp.cachedir=" + cache, "-cp", cp, WithoutPulseAudioTest.class.getName(), mp4.toString());
        Path log = Files.createTempFile("no-pulse-", ".log");
        try {
            Process p = new ProcessBuilder(concat(hide, java)).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            assertThat(p.waitFor(3, TimeUnit.MINUTES)).as("child finished").isTrue();
            String printed = Files.readString(log, StandardCharsets.UTF_8);
            assertThat(p.exitValue()).as(printed).isZero();
            return printed;
        } finally {
            Files.deleteIfExists(log);
        }
    }

    /** Where the dynamic linker finds libpulse.so.0, or null when it does not. */
    private static String pulseAudioLibrary() throws Exception {
        String ldconfig = new File("/sbin/ldconfig").canExecute() ? "/sbin/ldconfig" : "ldconfig";
        Process p = new ProcessBuilder(ldconfig, "-p").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(30, TimeUnit.SECONDS);
        for (String line : out.split("\n")) {
            if (line.trim().startsWith("libpulse.so.0 ") && line.contains("x86-64") && line.contains("=> ")) {
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
