package io.framegate.provider;

import io.framegate.domain.FitMode;
import io.framegate.domain.GenerationException;
import io.framegate.domain.ImageRole;
import io.framegate.domain.InputImage;
import io.framegate.domain.VideoSize;
import org.bytedeco.javacpp.indexer.UByteIndexer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.junit.jupiter.api.Test;

import java.util.Set;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class UpstreamImagesTest {
    static final ImageConstraints EXACT = new ImageConstraints(Set.of("image/png", "image/jpeg", "image/webp"), 20 << 20, true, 2048);
    static final ImageConstraints VEO = new ImageConstraints(Set.of("image/png", "image/jpeg"), 20 << 20, false, 2048);
    static final VideoSize HD = new VideoSize(1280, 720);

    static Mat fitted(UpstreamImages.Fitted f) {
        return TestMedia.decode(f.image().bytes());
    }

    /** Variance of the first channel between columns x0 and x1: high where the detailed disc is, zero on flat areas. */
    static double variance(Mat m, int x0, int x1) {
        try (UByteIndexer idx = m.createIndexer()) {
            double sum = 0, sq = 0;
            long n = 0;
            for (int y = 0; y < m.rows(); y += 2) {
                for (int x = x0; x < x1; x += 2) {
                    int v = idx.get(y, x, 0);
                    sum += v;
                    sq += (double) v * v;
                    n++;
                }
            }
            double mean = sum / n;
            return sq / n - mean * mean;
        }
    }

    @Test
    void cropKeepsTheDetailedSubjectNotJustTheCentre() throws Exception {
        // 720x1280 portrait, disc near the top; target 16:9 must keep the top band
        byte[] png = TestMedia.png(720, 1280, 360, 200);
        UpstreamImages.Fitted f = UpstreamImages.fit(new InputImage(ImageRole.FIRST_FRAME, png, "image/png", "p"),
                new VideoSize(1280, 720), FitMode.CROP, EXACT);
        try (Mat m = fitted(f)) {
            assertThat(m.cols()).isEqualTo(1280);
            assertThat(m.rows()).isEqualTo(720);
            assertThat(variance(m, 540, 740)).as("the disc is in the crop").isGreaterThan(1000);
        }
        assertThat(f.note()).contains("crop 720x1280 -> 1280x720");
    }

    @Test
    void padAddsBlackBordersAndStretchFillsExactly() throws Exception {
        byte[] square = TestMedia.png(600, 600, 300, 300);
        try (Mat padded = fitted(UpstreamImages.fit(new InputImage(ImageRole.REFERENCE, square, "image/png", "s"), HD, FitMode.PAD, EXACT));
             Mat stretched = fitted(UpstreamImages.fit(new InputImage(ImageRole.REFERENCE, square, "image/png", "s"), HD, FitMode.STRETCH, EXACT))) {
            assertThat(padded.cols()).isEqualTo(1280);
            assertThat(padded.rows()).isEqualTo(720);
            assertThat(variance(padded, 0, 200)).as("left border is flat black").isZero();
            try (UByteIndexer idx = padded.createIndexer()) {
                assertThat(idx.get(360, 10, 0)).isZero();
            }
            assertThat(stretched.cols()).isEqualTo(1280);
            assertThat(stretched.rows()).isEqualTo(720);
            try (UByteIndexer idx = stretched.createIndexer()) {
                assertThat(idx.get(360, 10, 0)).as("no border: the grey background reaches the edge").isBetween(120, 136);
            }
        }
    }

    @Test
    void webpBecomesPngForVeoAndRightImagesPassUntouched() throws Exception {
        byte[] webp;
        try (Mat m = TestMedia.decode(TestMedia.png(1280, 720, 640, 360))) {
            webp = TestMedia.encode(m, ".webp");
        }
        UpstreamImages.Fitted f = UpstreamImages.fit(new InputImage(ImageRole.FIRST_FRAME, webp, "image/webp", "w"), HD, FitMode.CROP, VEO);
        assertThat(f.image().mimeType()).isEqualTo("image/png");
        assertThat(f.note()).contains("re-encoded");

        byte[] png = TestMedia.png(1280, 720, 640, 360);
        UpstreamImages.Fitted same = UpstreamImages.fit(new InputImage(ImageRole.FIRST_FRAME, png, null, "p"), HD, FitMode.CROP, EXACT);
        assertThat(same.image().bytes()).isSameAs(png);
        assertThat(same.note()).contains("unchanged");
    }

    @Test
    void byteLimitFallsBackToJpegAndBadInputIsNamed() throws Exception {
        // 1280x720 with fine noise over a gradient: PNG cannot compress it, JPEG can
        byte[] png;
        try (Mat noisy = new Mat(720, 1280, CV_8UC3); UByteIndexer idx = noisy.createIndexer()) {
            java.util.Random rnd = new java.util.Random(7);
            for (int y = 0; y < 720; y++) {
                for (int x = 0; x < 1280; x++) {
                    for (int ch = 0; ch < 3; ch++) idx.put(y, x, ch, 40 + x / 8 + ch * 20 + rnd.nextInt(16));
                }
            }
            png = TestMedia.encode(noisy, ".png");
        }
        int limit = png.length / 2;
        try (Mat decoded = TestMedia.decode(png)) {
            assertThat(TestMedia.encode(decoded, ".png").length).as("as PNG the fitted picture is over the limit")
                    .isGreaterThan(limit);
        }
        ImageConstraints tight = new ImageConstraints(Set.of("image/png", "image/jpeg"), limit, true, 2048);
        UpstreamImages.Fitted f = UpstreamImages.fit(new InputImage(ImageRole.FIRST_FRAME, png, "image/png", "p"),
                HD, FitMode.CROP, tight);
        byte[] out = f.image().bytes();
        assertThat(f.image().mimeType()).isEqualTo("image/jpeg");
        assertThat(out[0] & 0xff).isEqualTo(0xFF);
        assertThat(out[1] & 0xff).as("JPEG magic").isEqualTo(0xD8);
        assertThat(out.length).isLessThanOrEqualTo(limit);
        try (Mat in = TestMedia.decode(png); Mat jpg = TestMedia.decode(out); Mat diff = new Mat()) {
            assertThat(jpg.cols()).isEqualTo(1280);
            assertThat(jpg.rows()).isEqualTo(720);
            org.bytedeco.opencv.global.opencv_core.absdiff(in, jpg, diff);
            assertThat(org.bytedeco.opencv.global.opencv_core.mean(diff).get(0)).as("the same picture").isLessThan(12);
        }

        assertThatThrownBy(() -> UpstreamImages.fit(new InputImage(ImageRole.LAST_FRAME, new byte[]{1, 2, 3}, "image/png", "last.png"),
                HD, FitMode.CROP, EXACT))
                .isInstanceOf(GenerationException.class).hasMessageContaining("last_frame (last.png): not a readable image");
    }

    @Test
    void aPixelBombIsRefusedFromItsHeaderBeforeDecoding() {
        java.nio.ByteBuffer ihdr = java.nio.ByteBuffer.allocate(13).putInt(30_000).putInt(30_000).put((byte) 8)
                .put((byte) 2).put((byte) 0).put((byte) 0).put((byte) 0);
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', 0x0d, 0x0a, 0x1a, 0x0a});
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update("IHDR".getBytes());
        crc.update(ihdr.array());
        out.writeBytes(java.nio.ByteBuffer.allocate(4).putInt(13).array());
        out.writeBytes("IHDR".getBytes());
        out.writeBytes(ihdr.array());
        out.writeBytes(java.nio.ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
        byte[] bomb = out.toByteArray();
        assertThatThrownBy(() -> UpstreamImages.fit(new InputImage(ImageRole.FIRST_FRAME, bomb, "image/png", "bomb"),
                HD, FitMode.CROP, EXACT))
                .isInstanceOfSatisfying(GenerationException.class, e -> assertThat(e.code()).isEqualTo("bad_image"))
                .hasMessageContaining("30000x30000");
    }
}
