package io.framegate.engine;

import io.framegate.engine.KeyframeInterpolator.Preset;
import org.junit.jupiter.api.Test;
import org.opencv.core.CvType;
import org.opencv.core.Mat;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The size a flow works on: a sequence's follows its frames (half of them, at most 1024 px), a keyframe pair's stays
 * at most 512 px, so that a 360p pair costs no more than a 720p one.
 */
class PairFlowsTest {
    /** Width x height of the images DIS works on for a frame of {@code w x h}. */
    private static String working(int w, int h, Preset preset) {
        NativeLibs.ensureLoaded();
        Mat a = new Mat(h, w, CvType.CV_8U), b = new Mat(h, w, CvType.CV_8U);
        Mat[] work = PairFlows.workingImages(a, b, preset);
        String size = work[0].cols() + "x" + work[0].rows();
        assertThat(work[1].size()).isEqualTo(work[0].size());
        a.release();
        b.release();
        return size;
    }

    @Test
    void aSequencesFlowWorksOnHalfItsFramesUpTo1024Px() {
        assertThat(working(640, 360, Preset.SEQUENCE)).isEqualTo("320x180");
        assertThat(working(1280, 720, Preset.SEQUENCE)).isEqualTo("640x360");
        assertThat(working(1920, 1080, Preset.SEQUENCE)).isEqualTo("960x540");
        assertThat(working(3840, 2160, Preset.SEQUENCE)).isEqualTo("1024x576");
        // small frames keep their size
        assertThat(working(400, 300, Preset.SEQUENCE)).isEqualTo("400x300");
    }

    @Test
    void aKeyframePairsFlowWorksOnAtMost512Px() {
        assertThat(working(640, 360, Preset.QUALITY)).isEqualTo("512x288");
        assertThat(working(1280, 720, Preset.QUALITY)).isEqualTo("512x288");
        assertThat(working(1920, 1080, Preset.QUALITY)).isEqualTo("512x288");
        assertThat(working(480, 270, Preset.QUALITY)).isEqualTo("480x270");
    }
}
