package io.framegate.engine;

import io.framegate.domain.FitMode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.opencv.core.CvType;
import org.opencv.core.Mat;
import org.opencv.core.Point;
import org.opencv.core.Rect;
import org.opencv.core.Scalar;
import org.opencv.imgproc.Imgproc;

import static org.assertj.core.api.Assertions.assertThat;

/** The geometry of the one fitter's modes (the engine, the fidelity score and every upstream use it). */
class ImageFitterTest {
    @BeforeAll
    static void load() {
        NativeLibs.ensureLoaded();
    }

    /** A plain grey 800x400 image with a checkerboard (detail) in columns {@code x0..x0+80}. */
    static Mat wideWithDetailAt(int x0) {
        Mat src = new Mat(400, 800, CvType.CV_8UC3, new Scalar(10, 200, 30));
        for (int x = x0; x < x0 + 80; x += 10) {
            for (int y = (x / 10) % 2 * 10; y < 400; y += 20) {
                Imgproc.rectangle(src, new Point(x, y), new Point(x + 9, y + 9), new Scalar(250, 250, 250), -1);
            }
        }
        return src;
    }

    @Test
    void cropCutsAPlainImageInTheCentreAndFollowsTheDetailElsewhere() {
        Mat plain = new Mat(400, 800, CvType.CV_8UC3, new Scalar(10, 200, 30));
        assertThat(ImageFitter.cropWindow(plain, 400, 400)).as("nothing to keep: the centre")
                .isEqualTo(new Rect(200, 0, 400, 400));
        Mat detail = wideWithDetailAt(700);
        Rect w = ImageFitter.cropWindow(detail, 400, 400);
        // the window holds the detailed band 700..780 (within the rounding of the 256-px profile it is measured on)
        assertThat(w.width).isEqualTo(400);
        assertThat(w.x).isBetween(780 - 400 - 8, 400);
        Mat out = ImageFitter.fit(detail, 200, 200, FitMode.CROP);
        assertThat(out.size()).isEqualTo(new org.opencv.core.Size(200, 200));
        // the checkerboard's white squares survive the crop (a centre cut would hold only the plain green)
        assertThat(org.opencv.core.Core.minMaxLoc(extractChannel(out, 0)).maxVal).isGreaterThan(200);
        // a portrait crop for a landscape frame follows detail vertically too
        Mat tall = new Mat();
        org.opencv.core.Core.transpose(detail, tall);
        Rect v = ImageFitter.cropWindow(tall, 400, 400);
        assertThat(v.y).isBetween(780 - 400 - 8, 400);
    }

    @Test
    void padLetterboxesAndStretchFillsExactly() {
        Mat square = new Mat(300, 300, CvType.CV_8UC3, new Scalar(128, 128, 128));
        Mat padded = ImageFitter.fit(square, 640, 360, FitMode.PAD);
        assertThat(padded.cols()).isEqualTo(640);
        assertThat(padded.rows()).isEqualTo(360);
        assertThat(padded.get(180, 10)).as("black bar left").containsExactly(0, 0, 0);
        assertThat(padded.get(180, 630)).as("black bar right").containsExactly(0, 0, 0);
        assertThat(padded.get(180, 320)).containsExactly(128, 128, 128);
        // the picture keeps its shape: 360 px tall, so 360 px wide, centred
        assertThat(padded.get(180, 139)).containsExactly(0, 0, 0);
        assertThat(padded.get(180, 141)).containsExactly(128, 128, 128);
        Mat stretched = ImageFitter.fit(square, 640, 360, FitMode.STRETCH);
        assertThat(stretched.get(180, 1)).as("no border").containsExactly(128, 128, 128);
        assertThat(stretched.get(1, 638)).containsExactly(128, 128, 128);
        assertThat(ImageFitter.fit(square, 640, 360, null).size()).as("null: the default, crop")
                .isEqualTo(new org.opencv.core.Size(640, 360));
    }

    private static Mat extractChannel(Mat m, int c) {
        Mat out = new Mat();
        org.opencv.core.Core.extractChannel(m, out, c);
        return out;
    }
}
