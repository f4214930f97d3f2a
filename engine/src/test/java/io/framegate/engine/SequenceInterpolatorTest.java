package io.framegate.engine;

import io.framegate.domain.GenerationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SequenceInterpolatorTest {
    @TempDir
    Path dir;

    /**
     * A frame is checked once: one read again with the bytes that were checked is not walked again, one whose bytes
     * changed since is. Shown with JPEGs of 110 scans, which the walk refuses and the native decoder reads.
     */
    @Test
    void aFrameCheckedBeforeIsWalkedAgainOnlyWhenItsBytesChanged() throws Exception {
        byte[] scans = ImageHeaderTest.withRepeatedLastScan(ImageHeaderTest.progressiveJpeg(96, 64), 100);
        List<Path> frames = List.of(Files.write(dir.resolve("f1.jpg"), scans), Files.write(dir.resolve("f2.jpg"), scans));
        byte[] digest = SequenceInterpolator.digest(scans);
        SequenceInterpolator.Result r = SequenceInterpolator.interpolate(frames, Arrays.asList(digest, digest), 2, 12,
                dir.resolve("a.mp4"), null, KeyframeInterpolator.Preset.FAST, io.framegate.domain.ProgressListener.NONE);
        assertThat(r.frames()).isEqualTo(3);
        assertThat(dir.resolve("a.mp4")).isNotEmptyFile();

        byte[] changed = ImageHeaderTest.withRepeatedLastScan(ImageHeaderTest.progressiveJpeg(96, 64), 101);
        Files.write(frames.get(1), changed);
        assertThatThrownBy(() -> SequenceInterpolator.interpolate(frames, Arrays.asList(digest, digest), 2, 12,
                dir.resolve("b.mp4"), null, KeyframeInterpolator.Preset.FAST, io.framegate.domain.ProgressListener.NONE))
                .isInstanceOfSatisfying(GenerationException.class, e -> assertThat(e.code()).isEqualTo("bad_image"))
                .hasMessageContaining("f2.jpg is a JPEG image of").hasMessageContaining("scans");
        assertThat(dir.resolve("b.mp4")).doesNotExist();
        assertThatThrownBy(() -> SequenceInterpolator.interpolate(frames, null, 2, 12, dir.resolve("c.mp4"), null,
                KeyframeInterpolator.Preset.FAST, io.framegate.domain.ProgressListener.NONE))
                .hasMessageContaining("f1.jpg is a JPEG image of");
    }

    /** A frame file over the image byte cap is refused by its size, not read whole into memory (the CLI checks before). */
    @Test
    void aFrameFileOverTheByteCapIsRefused() throws Exception {
        byte[] png = ImageHeaderTest.progressiveJpeg(96, 64);
        Path small = Files.write(dir.resolve("f1.jpg"), png);
        Path huge = dir.resolve("f2.jpg");
        try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(huge.toFile(), "rw")) {
            f.write(png);
            f.setLength(io.framegate.domain.ImageLimits.DEFAULTS.maxRequestBytes() + 1); // sparse: no disk used
        }
        assertThatThrownBy(() -> SequenceInterpolator.interpolate(List.of(small, huge), null, 2, 12, dir.resolve("a.mp4"),
                null, KeyframeInterpolator.Preset.FAST, io.framegate.domain.ProgressListener.NONE))
                .isInstanceOfSatisfying(GenerationException.class, e -> assertThat(e.code()).isEqualTo("bad_image"))
                .hasMessage(huge + " is larger than 67108864 bytes (the largest image allowed)");
        assertThat(dir.resolve("a.mp4")).doesNotExist();
    }
}
