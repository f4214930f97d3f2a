package io.framegate.engine;

import io.framegate.domain.ImageRole;
import io.framegate.domain.OutputFiles;
import io.framegate.domain.ProgressListener;
import io.framegate.domain.RenderPlan;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opencv.core.Mat;
import org.opencv.core.Point;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** Keyframe mode end to end: two views of one scene, shifted, joined by the optical-flow morph. */
class KeyframesModeTest {
    static final int W = 320, H = 180, FRAMES = 13, FPS = 12;
    static final double SHIFT = 36;
    static Mat scene, first, last;

    @BeforeAll
    static void images() {
        scene = TestScenes.scene(640, 400, 7);
        first = TestScenes.view(scene, 320, 200, 1, W, H);
        last = TestScenes.view(scene, 320 + SHIFT, 200 - SHIFT / 3, 1, W, H);
    }

    @AfterAll
    static void release() {
        scene.release();
        first.release();
        last.release();
    }

    @Test
    void shiftedKeyframesGiveExactEndsAndAMorphThatFollowsTheMotion(@TempDir Path dir) throws Exception {
        RenderPlan plan = TestScenes.withOption(TestScenes.plan("framegate-local", "slow push through the valley",
                W, H, FPS, FRAMES, ImageRole.FIRST_FRAME, first, ImageRole.LAST_FRAME, last), "easing", "linear");
        RenderStats stats = new LocalEngine().render(plan, 0, OutputFiles.in(dir), ProgressListener.NONE, () -> false);

        assertThat(stats.mode()).isEqualTo("keyframes");
        assertThat(stats.motion()).contains("optical-flow morph");
        TestScenes.Video video = TestScenes.decode(dir.resolve("video.mp4"));
        assertThat(video.frames()).hasSize(FRAMES);
        assertThat(video.width()).isEqualTo(W);
        assertThat(video.height()).isEqualTo(H);
        assertThat(video.fps()).isCloseTo(FPS, org.assertj.core.data.Offset.offset(0.01));
        assertThat(video.lengthMicros()).isCloseTo(FRAMES * 1_000_000L / FPS, org.assertj.core.data.Offset.offset(100_000L));
        TestScenes.assertFaithful(video.first(), first, "first frame");
        TestScenes.assertFaithful(video.last(), last, "last frame");

        // content moves left/up as the camera moves right/down: the shift versus the first frame grows steadily
        double previous = 0;
        for (int i = 1; i < FRAMES; i++) {
            Point s = TestScenes.shift(video.first(), video.frames().get(i), null);
            double expected = -SHIFT * i / (FRAMES - 1);
            assertThat(s.x).as("frame %d shift", i).isCloseTo(expected, org.assertj.core.data.Offset.offset(2.0));
            assertThat(s.x).as("frame %d moves on", i).isLessThan(previous + 0.2);
            previous = s.x;
        }
        // the middle frame matches the true middle view far better than a plain blend would
        int mid = (FRAMES - 1) / 2;
        Mat truth = TestScenes.view(scene, 320 + SHIFT / 2, 200 - SHIFT / 6, 1, W, H);
        Mat blend = new Mat();
        org.opencv.core.Core.addWeighted(first, 0.5, last, 0.5, 0, blend);
        double morphPsnr = TestScenes.psnr(video.frames().get(mid), truth);
        assertThat(morphPsnr).isGreaterThan(TestScenes.psnr(blend, truth) + 6).isGreaterThan(30);
    }

    @Test
    void mp4HasMoovFirstAndPreviewsHaveTheRightSize(@TempDir Path dir) throws Exception {
        RenderPlan plan = TestScenes.plan("framegate-local-fast", null, W, H, FPS, FRAMES,
                ImageRole.FIRST_FRAME, first, ImageRole.LAST_FRAME, last);
        new LocalEngine().render(plan, 0, OutputFiles.in(dir), ProgressListener.NONE, () -> false);
        byte[] mp4 = Files.readAllBytes(dir.resolve("video.mp4"));
        String ascii = new String(mp4, java.nio.charset.StandardCharsets.ISO_8859_1);
        assertThat(ascii.indexOf("moov")).isPositive().isLessThan(ascii.indexOf("mdat"));
        Mat thumb = org.opencv.imgcodecs.Imgcodecs.imread(dir.resolve("thumbnail.webp").toString());
        assertThat(thumb.cols()).isEqualTo(W);
        assertThat(thumb.rows()).isEqualTo(H);
        assertThat(ImageHeader.formatOf(Files.readAllBytes(dir.resolve("thumbnail.webp")))).isEqualTo("webp");
        Mat sheet = org.opencv.imgcodecs.Imgcodecs.imread(dir.resolve("spritesheet.jpg").toString());
        // 13 frames: 4 x 4 grid of 256 x 144 tiles
        assertThat(sheet.cols()).isEqualTo(4 * 256);
        assertThat(sheet.rows()).isEqualTo(4 * 144);
        assertThat(ImageHeader.formatOf(Files.readAllBytes(dir.resolve("spritesheet.jpg")))).isEqualTo("jpeg");
    }
}
