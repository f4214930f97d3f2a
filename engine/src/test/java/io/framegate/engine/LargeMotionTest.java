package io.framegate.engine;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.opencv.core.Core;
import org.opencv.core.CvType;
import org.opencv.core.Mat;
import org.opencv.core.Point;
import org.opencv.core.Rect;
import org.opencv.core.Scalar;
import org.opencv.imgproc.Imgproc;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Large displacements at 1280x720: a textured ball moving 200 px over a still textured background, and the same ball
 * passing behind a pillar. The in-between must show the ball once, at its true mid-way spot (no double exposure), and
 * never through the pillar; the reversed pair must play the same frames backward (a loop turns without a seam).
 */
class LargeMotionTest {
    private static final int W = 1280, H = 720, R = 56;
    private static Mat background;
    private static Mat ballTexture;

    @BeforeAll
    static void scenes() {
        background = TestScenes.view(TestScenes.scene(2000, 1200, 5), 1000, 600, 1.0, W, H);
        ballTexture = TestScenes.view(TestScenes.scene(600, 600, 77), 300, 300, 1.0, 2 * R + 2, 2 * R + 2);
        // a saturated tint so that the ball differs from the background everywhere
        Core.add(ballTexture, new Scalar(0, 0, 120), ballTexture);
    }

    @AfterAll
    static void release() {
        background.release();
        ballTexture.release();
    }

    /** The background with the ball centred at (cx, cy), and optionally a flat grey pillar in front of it. */
    private static Mat frame(int cx, int cy, Rect pillar) {
        Mat f = background.clone();
        Mat mask = Mat.zeros(2 * R + 2, 2 * R + 2, CvType.CV_8U);
        Imgproc.circle(mask, new Point(R, R), R, new Scalar(255), -1, Imgproc.LINE_AA);
        Rect where = new Rect(cx - R, cy - R, 2 * R + 2, 2 * R + 2);
        ballTexture.copyTo(f.submat(where), mask);
        mask.release();
        if (pillar != null) {
            Mat p = f.submat(pillar);
            Mat bricks = TestScenes.view(TestScenes.scene(400, 800, 3), 200, 400, 1.0, pillar.width, pillar.height);
            Core.addWeighted(bricks, 0.5, new Mat(bricks.size(), bricks.type(), new Scalar(60, 60, 160)), 0.5, 0, bricks);
            bricks.copyTo(p);
            bricks.release();
        }
        return f;
    }

    /** PSNR of region r of two images. */
    private static double psnr(Mat x, Mat y, Rect r) {
        return Core.PSNR(x.submat(r), y.submat(r));
    }

    @Test
    @org.junit.jupiter.api.Disabled("known gap (issue 13 item 2): a 112 px ball moving 200 px over texture is lost by the "
            + "coarse-to-fine flow (11.3 dB where it should be). Found in session 4 (commit d0183fb, reverted): the ball "
            + "is found by matching the changed regions as masked templates (ORB finds no usable matches on its stripes), "
            + "and seeding plus per-pixel fusion into DIS moves it and mostly removes both ghosts (24-26 dB there, from "
            + "19-23), but at its "
            + "mid-way spot it collides with background both keyframes show: drawing it in front (as here) draws the "
            + "pillar test's ball in front of its pillar, and two frames hold no cue which of the two is nearer. Session 5 "
            + "(s6-motion, merged and taken out again) drew such objects as rigid layers, in front only of the surface "
            + "they were seen hiding (grown from it across smooth change and its own edges): this test passed (31 dB), "
            + "but a review showed the rule fitted to these scenes - other backgrounds: ball not found; other pillars: "
            + "ball shown through them - so it did not ship")
    void aBallMoving200PxIsPlacedOnceAtItsMidwaySpot() {
        Mat a = frame(400, 380, null), b = frame(600, 380, null), truth = frame(500, 380, null);
        try (KeyframeInterpolator k = KeyframeInterpolator.prepare(a, b, KeyframeInterpolator.Preset.QUALITY)) {
            Mat mid = k.frameAt(0.5);
            assertThat(k.join()).isEqualTo(KeyframeInterpolator.Join.FLOW);
            // the ball where it truly is mid-way
            Rect ballThere = new Rect(500 - R, 380 - R, 2 * R, 2 * R);
            assertThat(psnr(mid, truth, ballThere)).as("ball at its mid-way spot").isGreaterThan(26);
            // no ghost where it was and where it will be: plain background there
            Rect ghostA = new Rect(400 - R, 380 - R, 2 * R - 12, 2 * R);
            Rect ghostB = new Rect(600 - R + 12, 380 - R, 2 * R - 12, 2 * R);
            assertThat(psnr(mid, truth, ghostA)).as("no ghost at the first keyframe's spot").isGreaterThan(26);
            assertThat(psnr(mid, truth, ghostB)).as("no ghost at the last keyframe's spot").isGreaterThan(26);
            assertThat(Core.PSNR(mid, truth)).as("whole frame").isGreaterThan(32);
            mid.release();
        } finally {
            a.release();
            b.release();
            truth.release();
        }
    }

    @Test
    void aBallPassingBehindAPillarDoesNotShowThroughIt() {
        Rect pillar = new Rect(560, 150, 140, 520);
        // from left of the pillar to right of it (240 px): mid-way it is hidden behind the pillar's middle
        Mat a = frame(500, 400, pillar), b = frame(760, 400, pillar), truth = frame(630, 400, pillar);
        try (KeyframeInterpolator k = KeyframeInterpolator.prepare(a, b, KeyframeInterpolator.Preset.QUALITY)) {
            for (double t : new double[] {0.25, 0.5, 0.75}) {
                Mat got = k.frameAt(t);
                Mat want = frame((int) Math.round(500 + 260 * t), 400, pillar);
                assertThat(psnr(got, want, pillar)).as("pillar intact at t=" + t).isGreaterThan(30);
                assertThat(Core.PSNR(got, want)).as("whole frame at t=" + t).isGreaterThan(28);
                got.release();
                want.release();
            }
        } finally {
            a.release();
            b.release();
            truth.release();
        }
    }

    @Test
    void theReversedPairGivesTheSameFramesBackward() {
        Mat a = frame(400, 380, null), b = frame(600, 380, null);
        try (KeyframeInterpolator ab = KeyframeInterpolator.prepare(a, b, KeyframeInterpolator.Preset.QUALITY);
             KeyframeInterpolator ba = KeyframeInterpolator.prepare(b, a, KeyframeInterpolator.Preset.QUALITY)) {
            for (double t : new double[] {0.25, 0.5}) {
                Mat x = ab.frameAt(t), y = ba.frameAt(1 - t);
                // a loop A -> B -> A plays the same in-betweens back: no seam where it turns
                assertThat(Core.PSNR(x, y)).as("t=" + t).isGreaterThan(45);
                x.release();
                y.release();
            }
        } finally {
            a.release();
            b.release();
        }
    }
}
