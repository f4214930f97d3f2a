package io.framegate.engine;

import io.framegate.domain.ImageRole;
import io.framegate.domain.OutputFiles;
import io.framegate.domain.ProgressListener;
import io.framegate.domain.RenderPlan;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opencv.core.Mat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The same plan and seed give byte-identical files from separate processes, whatever the number of CPUs the process
 * may use (its synthesis workers, OpenCV's threads and x264's threads all follow it): each render runs in a JVM of
 * its own, pinned with {@code taskset} to one CPU or to two.
 */
class ProcessDeterminismTest {
    static final int W = 320, H = 192, FPS = 12, FRAMES = 24;

    /** The child: renders the keyframes and the reference plan into {@code args[0]}/{keyframes,reference}. */
    public static void main(String[] args) throws Exception {
        Path out = Path.of(args[0]);
        Mat scene = TestScenes.scene(800, 480, 3);
        Mat first = TestScenes.view(scene, 400, 240, 1, W, H);
        Mat last = TestScenes.view(scene, 428, 248, 1.05, W, H);
        List<RenderPlan> plans = List.of(
                TestScenes.plan("framegate-local", null, W, H, FPS, FRAMES, ImageRole.FIRST_FRAME, first,
                        ImageRole.LAST_FRAME, last),
                TestScenes.plan("framegate-local", "slow orbit", W, H, FPS, FRAMES, ImageRole.REFERENCE, first));
        String[] names = {"keyframes", "reference"};
        for (int i = 0; i < plans.size(); i++) {
            Path dir = out.resolve(names[i]);
            new LocalEngine().render(plans.get(i), 0, new OutputFiles(dir.resolve("video.mp4"),
                    dir.resolve("thumbnail.webp"), dir.resolve("spritesheet.jpg"), dir.resolve("frames")),
                    ProgressListener.NONE, () -> false);
        }
        System.out.println("cpus " + Runtime.getRuntime().availableProcessors());
    }

    /** Every file the child wrote, by relative name, with its SHA-256. */
    static TreeMap<String, String> render(Path out, String cpus) throws Exception {
        String printed = ChildJvm.run(List.of("taskset", "-c", cpus), List.of("-Xmx512m"), ProcessDeterminismTest.class, 5,
                out.toString());
        assertThat(printed).contains("cpus " + cpus.split(",").length);
        TreeMap<String, String> sums = new TreeMap<>();
        try (Stream<Path> files = Files.walk(out)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                sums.put(out.relativize(f).toString(), HexFormat.of().formatHex(
                        MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(f))));
            }
        }
        return sums;
    }

    @Test
    void samePlanAndSeedGiveIdenticalFilesFromSeparateProcessesOnOneOrTwoCpus(@TempDir Path dir) throws Exception {
        TreeMap<String, String> one = render(dir.resolve("one"), "0");
        TreeMap<String, String> two = render(dir.resolve("two"), "0,1");
        TreeMap<String, String> twoAgain = render(dir.resolve("two-again"), "0,1");
        assertThat(one).containsKeys("keyframes/video.mp4", "reference/video.mp4", "keyframes/frames/frame_0024.png");
        assertThat(twoAgain).as("two processes with two CPUs").isEqualTo(two);
        assertThat(one).as("one CPU against two").isEqualTo(two);
    }
}
