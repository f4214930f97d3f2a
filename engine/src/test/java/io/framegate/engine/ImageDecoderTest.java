package io.framegate.engine;

import io.framegate.domain.GenerationException;
import io.framegate.domain.ImageLimits;
import io.framegate.domain.ImageRole;
import io.framegate.domain.InputImage;
import org.junit.jupiter.api.Test;
import org.opencv.core.CvType;
import org.opencv.core.Mat;
import org.opencv.core.MatOfByte;
import org.opencv.core.Scalar;
import org.opencv.imgcodecs.Imgcodecs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ImageDecoderTest {
    @Test
    void aPixelBombIsRefusedFromItsHeaderWithoutDecoding() {
        byte[] bomb = BadImages.pngBomb(30_000, 30_000);
        Runtime rt = Runtime.getRuntime();
        long before = rt.totalMemory() - rt.freeMemory();
        assertThatThrownBy(() -> ImageDecoder.decode(new InputImage(ImageRole.FIRST_FRAME, bomb, "image/png", "bomb.png")))
                .isInstanceOfSatisfying(GenerationException.class, e -> assertThat(e.code()).isEqualTo("bad_image"))
                .hasMessageContaining("bomb.png").hasMessageContaining("30000x30000");
        // a decode would have needed 2.7 GB of native memory and a copy; nothing near that was touched
        assertThat(rt.totalMemory() - rt.freeMemory() - before).isLessThan(256L * 1024 * 1024);
    }

    /** A progressive JPEG with thousands of scans (each a full pass of the native decoder) is refused unread. */
    @Test
    void aJpegScanBombAndATruncatedJpegAreRefusedBeforeDecoding() throws Exception {
        byte[] bomb = ImageHeaderTest.withRepeatedLastScan(ImageHeaderTest.progressiveJpeg(96, 64), 5_000);
        assertThatThrownBy(() -> ImageDecoder.decode(new InputImage(ImageRole.FIRST_FRAME, bomb, "image/jpeg", "scans.jpg")))
                .isInstanceOfSatisfying(GenerationException.class, e -> assertThat(e.code()).isEqualTo("bad_image"))
                .hasMessageContaining("scans.jpg").hasMessageContaining("scans");
        byte[] whole = ImageHeaderTest.encode(64, 48, "jpg");
        byte[] cut = java.util.Arrays.copyOf(whole, whole.length * 2 / 3);
        assertThatThrownBy(() -> ImageDecoder.decode(new InputImage(ImageRole.FIRST_FRAME, cut, "image/jpeg", "cut.jpg")))
                .isInstanceOfSatisfying(GenerationException.class, e -> assertThat(e.code()).isEqualTo("bad_image"))
                .hasMessageContaining("cut.jpg").hasMessageContaining("truncated");
        Mat ok = ImageDecoder.decode(new InputImage(ImageRole.FIRST_FRAME, whole, "image/jpeg", "whole.jpg"));
        assertThat(ok.cols()).isEqualTo(64);
        ok.release();
    }

    /**
     * The check is made once per image: an image that carries it (API intake, the CLI) is decoded without a second
     * walk, shown with a JPEG of 110 scans, which the walk refuses and the native decoder reads (in a few ms at 96x64).
     */
    @Test
    void anImageThatCarriesTheCheckIsDecodedWithoutASecondWalk() throws Exception {
        byte[] scans = ImageHeaderTest.withRepeatedLastScan(ImageHeaderTest.progressiveJpeg(96, 64), 100);
        InputImage unchecked = new InputImage(ImageRole.FIRST_FRAME, scans, "image/jpeg", "scans.jpg");
        assertThatThrownBy(() -> ImageDecoder.check(unchecked)).hasMessageContaining("scans.jpg is a JPEG image of");
        Mat m = ImageDecoder.decode(new InputImage(ImageRole.FIRST_FRAME, scans, "image/jpeg", "scans.jpg", true));
        assertThat(m.cols()).isEqualTo(96);
        m.release();
        byte[] whole = ImageHeaderTest.encode(64, 48, "jpg");
        InputImage checked = ImageDecoder.check(new InputImage(ImageRole.LAST_FRAME, whole, null, "whole.jpg"));
        assertThat(checked.checked()).isTrue();
        assertThat(checked.bytes()).isSameAs(whole);
        assertThat(checked.role()).isEqualTo(ImageRole.LAST_FRAME);
    }

    @Test
    void webpSizesAreReadFromTheHeader() {
        NativeLibs.ensureLoaded();
        Mat m = new Mat(90, 160, CvType.CV_8UC3, new Scalar(10, 200, 30));
        MatOfByte lossy = new MatOfByte();
        Imgcodecs.imencode(".webp", m, lossy);
        assertThat(ImageHeader.check(lossy.toArray(), ImageLimits.DEFAULTS)).isEqualTo(new ImageHeader("webp", 160, 90));
        MatOfByte lossless = new MatOfByte();
        Imgcodecs.imencode(".webp", m, lossless, new org.opencv.core.MatOfInt(Imgcodecs.IMWRITE_WEBP_QUALITY, 101));
        assertThat(ImageHeader.check(lossless.toArray(), ImageLimits.DEFAULTS)).isEqualTo(new ImageHeader("webp", 160, 90));
        byte[] cut = java.util.Arrays.copyOf(lossy.toArray(), lossy.toArray().length - 10);
        assertThatThrownBy(() -> ImageHeader.check(cut, ImageLimits.DEFAULTS)).hasMessageContaining("truncated");
    }
    private static InputImage image(byte[] bytes, String name) {
        return new InputImage(ImageRole.FIRST_FRAME, bytes, null, name);
    }

    /**
     * docs/limits.md, intake: what intake refuses the decoder (the CLI's and the worker's way in) refuses in the same
     * words, before the native decoder: an animated WebP is named, not called unreadable; a palette PNG without its
     * palette and a PNG row filter PNG does not define are said.
     */
    @Test
    void whatIntakeRefusesTheDecoderRefusesInTheSameWords() throws Exception {
        assertThatThrownBy(() -> ImageDecoder.decode(image(BadImages.animatedWebp(70, 30), "anim.webp")))
                .isInstanceOfSatisfying(GenerationException.class, e -> assertThat(e.code()).isEqualTo("bad_image"))
                .hasMessage("anim.webp is an animated WebP image; animated WebP is not supported (give a still PNG, JPEG or WebP)");
        assertThatThrownBy(() -> ImageDecoder.decode(image(BadImages.png(32, 16, 8, 3, BadImages.rows(16, 32, 0, 5)), "p.png")))
                .isInstanceOfSatisfying(GenerationException.class, e -> assertThat(e.code()).isEqualTo("bad_image"))
                .hasMessage("p.png is an invalid PNG image: it is a palette image without a palette (no PLTE chunk before its pixel data)");
        assertThatThrownBy(() -> ImageDecoder.decode(image(BadImages.png(32, 16, 8, 2, BadImages.rows(16, 96, 7, 0x80)), "f.png")))
                .isInstanceOfSatisfying(GenerationException.class, e -> assertThat(e.code()).isEqualTo("bad_image"))
                .hasMessage("f.png is an invalid PNG image: row 0 has filter type 7 (PNG defines 0 to 4)");
        Mat ok = ImageDecoder.decode(image(BadImages.png(32, 16, 8, 2, BadImages.rows(16, 96, 4, 0x80)), "ok.png"));
        assertThat(ok.cols()).isEqualTo(32);
        ok.release();
    }

    /** docs/openai-extension.md, images: one rule for every way in (intake, CLI, worker): PNG, JPEG or WebP; BMP and TIFF are refused by name, as at intake. */
    @Test
    void bmpAndTiffAreRefusedByName() throws Exception {
        for (String format : new String[] {"bmp", "tiff"}) {
            byte[] bytes = ImageHeaderTest.encode(40, 30, format);
            assertThat(ImageHeader.decodable(ImageHeader.formatOf(bytes))).as(format).isFalse();
            assertThatThrownBy(() -> ImageDecoder.decode(image(bytes, "x." + format)))
                    .isInstanceOfSatisfying(GenerationException.class, e -> assertThat(e.code()).isEqualTo("bad_image"))
                    .hasMessage("x." + format + " is a " + format.toUpperCase(java.util.Locale.ROOT)
                            + " image, which is not a PNG, JPEG or WebP image");
            assertThatThrownBy(() -> ImageHeader.check(bytes, ImageLimits.DEFAULTS))
                    .hasMessage("is a " + format.toUpperCase(java.util.Locale.ROOT) + " image, which is not a PNG, JPEG or WebP image");
            // named by its signature alone (the CLI reads no more of a file that is not PNG, JPEG or WebP)
            assertThatThrownBy(() -> ImageHeader.check(java.util.Arrays.copyOf(bytes, 12), ImageLimits.DEFAULTS))
                    .hasMessage("is a " + format.toUpperCase(java.util.Locale.ROOT) + " image, which is not a PNG, JPEG or WebP image");
        }
    }
}
