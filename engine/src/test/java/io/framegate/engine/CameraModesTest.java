package io.framegate.engine;

import io.framegate.domain.ImageRole;
import io.framegate.domain.OutputFiles;
import io.framegate.domain.ProgressListener;
import io.framegate.domain.RenderPlan;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opencv.core.Mat;
import org.opencv.core.Point;
import org.opencv.core.Rect;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** Reference, first-frame-only and loop modes: camera moves go where the prompt says. */
class CameraModesTest {
    static final int W = 320, H = 180, FPS = 12;
    static Mat scene, image;

    @BeforeAll
    static void images() {
        scene = TestScenes.scene(800, 450, 11);
        image = TestScenes.view(scene, 400, 225, 0.8, 640, 360);
    }

    @AfterAll
    static void release() {
        scene.release();
        image.release();
    }

    static TestScenes.Video render(Path dir, String prompt, int frames, Object... roles) throws Exception {
        RenderPlan plan = TestScenes.plan("framegate-local", prompt, W, H, FPS, frames, roles);
        RenderStats stats = new LocalEngine().render(plan, 0, OutputFiles.in(dir), ProgressListener.NONE, () -> false);
        assertThat(stats.frames()).isEqualTo(frames);
        TestScenes.Video v = TestScenes.decode(dir.resolve("video.mp4"));
        assertThat(v.frames()).hasSize(frames);
        return v;
    }

    /** Pan and tilt: the whole picture shifts steadily in the expected direction between consecutive frames. */
    @ParameterizedTest
    @CsvSource({
            "pan left across the hills, 1, 0",
            "pan right, -1, 0",
            "the camera tilts up to the sky, 0, 1",
            "tilt down slowly, 0, -1"})
    void panAndTiltMoveTheContentTheRightWay(String prompt, int signX, int signY, @TempDir Path dir) throws Exception {
        TestScenes.Video v = render(dir, prompt, 12, ImageRole.REFERENCE, image);
        double totalX = 0, totalY = 0;
        for (int i = 1; i < v.frames().size(); i++) {
            Point s = TestScenes.shift(v.frames().get(i - 1), v.frames().get(i), null);
            if (signX != 0) assertThat(s.x * signX).as("frame %d x", i).isGreaterThan(-0.15);
            if (signY != 0) assertThat(s.y * signY).as("frame %d y", i).isGreaterThan(-0.15);
            totalX += s.x;
            totalY += s.y;
        }
        if (signX != 0) {
            assertThat(totalX * signX).isGreaterThan(4);
            assertThat(Math.abs(totalY)).isLessThan(Math.abs(totalX) / 3);
        } else {
            assertThat(totalY * signY).isGreaterThan(4);
            assertThat(Math.abs(totalX)).isLessThan(Math.abs(totalY) / 3);
        }
    }

    /** Zoom: the left strip moves left and the right strip right when zooming in, the reverse when zooming out. */
    @ParameterizedTest
    @CsvSource({"slow zoom in on the subject, 1", "zoom out to reveal the valley, -1", ", 1"})
    void zoomsExpandOrShrinkThePicture(String prompt, int sign, @TempDir Path dir) throws Exception {
        TestScenes.Video v = render(dir, prompt, 12, ImageRole.REFERENCE, image);
        Rect left = new Rect(0, H / 4, W / 4, H / 2), right = new Rect(W * 3 / 4, H / 4, W / 4, H / 2);
        Point l = TestScenes.shift(v.first(), v.last(), left);
        Point r = TestScenes.shift(v.first(), v.last(), right);
        assertThat(sign * (r.x - l.x)).as("spread of left %s and right %s", l, r).isGreaterThan(3);
    }

    @Test
    void stillPromptGivesAStillVideo(@TempDir Path dir) throws Exception {
        TestScenes.Video v = render(dir, "static shot, locked off", 6, ImageRole.REFERENCE, image);
        assertThat(TestScenes.psnr(v.first(), v.last())).isGreaterThan(40);
    }

    @Test
    void orbitMovesTheSubjectAgainstTheBackground(@TempDir Path dir) throws Exception {
        TestScenes.Video v = render(dir, "orbit around the statue", 12, ImageRole.REFERENCE, image);
        Rect subject = new Rect(W / 2 - 24, H / 2 - 24, 48, 48);
        Rect background = new Rect(0, 0, W / 5, H / 3);
        Point s = TestScenes.shift(v.first(), v.last(), subject);
        Point b = TestScenes.shift(v.first(), v.last(), background);
        assertThat(Math.abs(s.x - b.x)).as("subject %s vs background %s", s, b).isGreaterThan(2);
    }

    @Test
    void firstFrameOnlyStartsExactlyThereAndMoves(@TempDir Path dir) throws Exception {
        Mat first = TestScenes.view(scene, 400, 225, 1, W, H);
        TestScenes.Video v = render(dir, "pan right", 12, ImageRole.FIRST_FRAME, first);
        TestScenes.assertFaithful(v.first(), first, "first frame");
        double total = 0;
        for (int i = 1; i < v.frames().size(); i++) {
            Point s = TestScenes.shift(v.frames().get(i - 1), v.frames().get(i), null);
            assertThat(s.x).as("frame %d", i).isLessThan(0.15);
            total += s.x;
        }
        assertThat(total).isLessThan(-4);
    }

    @Test
    void sameFirstAndLastFrameLoopsAndStillMoves(@TempDir Path dir) throws Exception {
        Mat first = TestScenes.view(scene, 400, 225, 1, W, H);
        RenderPlan plan = TestScenes.plan("framegate-local", null, W, H, FPS, 16,
                ImageRole.FIRST_FRAME, first, ImageRole.LAST_FRAME, first);
        RenderStats stats = new LocalEngine().render(plan, 0, OutputFiles.in(dir), ProgressListener.NONE, () -> false);
        assertThat(stats.mode()).isEqualTo("loop");
        TestScenes.Video v = TestScenes.decode(dir.resolve("video.mp4"));
        TestScenes.assertFaithful(v.first(), first, "first frame");
        TestScenes.assertFaithful(v.last(), first, "last frame");
        assertThat(TestScenes.psnr(v.first(), v.last())).isGreaterThan(40);
        Mat middle = v.frames().get(8);
        assertThat(TestScenes.psnr(middle, first)).as("the middle moves away").isLessThan(30);
        // motion goes out and comes back: the frames next to the ends are closer to the image than the middle one
        double middlePsnr = TestScenes.psnr(middle, first);
        assertThat(TestScenes.psnr(v.frames().get(1), first)).isGreaterThan(middlePsnr);
        assertThat(TestScenes.psnr(v.frames().get(14), first)).isGreaterThan(middlePsnr);
    }
}
