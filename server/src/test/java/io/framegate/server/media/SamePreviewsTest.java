package io.framegate.server.media;

import io.framegate.domain.GenerationRequest;
import io.framegate.domain.ImageRole;
import io.framegate.domain.ModelCatalog;
import io.framegate.domain.OutputFiles;
import io.framegate.domain.ProgressListener;
import io.framegate.domain.RenderPlan;
import io.framegate.domain.RequestValidator;
import io.framegate.engine.ImageFitter;
import io.framegate.engine.LocalEngine;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.Frame;
import org.bytedeco.javacv.OpenCVFrameConverter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opencv.core.Mat;
import org.opencv.imgcodecs.Imgcodecs;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A fresh render, its extension (stitched by the server) and any downloaded video get their previews from the one
 * maker with the one frame choice: the thumbnail is the middle frame of the whole video, the sheet 25 tiles spread
 * over it. And the stitched video is encoded with the engine's one H.264 set-up.
 */
class SamePreviewsTest {
    static final int W = 160, H = 96, FRAMES = 20, EXT_FRAMES = 41;

    @TempDir
    Path dir;

    @Test
    void anExtensionGetsThePreviewsAFreshRenderGets() throws Exception {
        RequestValidator validator = new RequestValidator(ModelCatalog.builtIn());
        OutputFiles fresh = OutputFiles.in(dir.resolve("fresh"));
        OutputFiles ext = OutputFiles.in(dir.resolve("ext"));
        LocalEngine engine = new LocalEngine();
        engine.render(plan(validator, 1, FRAMES), 0, fresh, ProgressListener.NONE, () -> false);
        engine.render(plan(validator, 2, EXT_FRAMES), 0, ext, ProgressListener.NONE, () -> false);
        Path source = dir.resolve("source.mp4");
        Files.copy(fresh.video(), source);

        // the fresh render: the engine wrote its previews while encoding
        List<Mat> freshFrames = frames(fresh.video());
        assertThat(freshFrames).hasSize(FRAMES);
        assertThat(closestFrame(fresh.thumbnail(), freshFrames)).as("fresh thumbnail").isEqualTo((FRAMES - 1) / 2);

        // the extension: stitched after its source, previews made again for the whole video
        new MediaFinisher().finish(null, null, List.of(ext), source, Files.createDirectories(dir.resolve("work")));
        List<Mat> stitched = frames(ext.video());
        int n = FRAMES + EXT_FRAMES - 1; // the extension's first frame repeats the source's last and is dropped
        assertThat(stitched).hasSize(n);
        assertThat(closestFrame(ext.thumbnail(), stitched)).as("extended thumbnail: the middle of the whole video")
                .isEqualTo((n - 1) / 2);
        // the sheet by the one rule: up to 25 tiles of the frame's size in a near-square grid, the first frame first
        Mat freshSheet = Imgcodecs.imread(fresh.spritesheet().toString());
        Mat extSheet = Imgcodecs.imread(ext.spritesheet().toString());
        assertThat(freshSheet.cols()).as("20 frames: 20 tiles, 5 x 4").isEqualTo(5 * W);
        assertThat(freshSheet.rows()).isEqualTo(4 * H);
        assertThat(extSheet.cols()).as("60 frames: 25 tiles, 5 x 5").isEqualTo(5 * W);
        assertThat(extSheet.rows()).isEqualTo(5 * H);
        assertThat(closestFrame(extSheet.submat(new org.opencv.core.Rect(0, 0, W, H)), stitched)).isZero();
        assertThat(closestFrame(freshSheet.submat(new org.opencv.core.Rect(0, 0, W, H)), freshFrames)).isZero();

        // one H.264 set-up: the stitched MP4 carries the engine's x264 settings, not an encoder of its own
        assertThat(x264Options(ext.video()).replaceAll(" zones=\\S+", ""))
                .isEqualTo(x264Options(fresh.video()).replaceAll(" zones=\\S+", ""))
                .contains("crf=18.0", "mbtree=0", "threads=4");
    }

    /** A camera pan at constant speed (linear easing) over noise: neighbouring frames differ clearly. */
    private static RenderPlan plan(RequestValidator validator, long seed, int frames) throws Exception {
        return validator.validate(GenerationRequest.builder().model("framegate-local").prompt("pan right")
                .size(W + "x" + H).fps(10).numFrames(frames).seed(seed).option("easing", "linear")
                .image(ImageRole.REFERENCE, noise(seed), "image/png", "noise.png").build());
    }

    /** Smoothed noise: every frame of a camera move over it differs clearly from its neighbours. */
    private static byte[] noise(long seed) throws Exception {
        BufferedImage img = new BufferedImage(W * 2, H * 2, BufferedImage.TYPE_3BYTE_BGR);
        Random r = new Random(seed);
        for (int y = 0; y < img.getHeight(); y += 4) {
            for (int x = 0; x < img.getWidth(); x += 4) {
                int rgb = r.nextInt(0xffffff);
                for (int dy = 0; dy < 4; dy++) for (int dx = 0; dx < 4; dx++) img.setRGB(x + dx, y + dy, rgb);
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, "png", out);
        return out.toByteArray();
    }

    private static List<Mat> frames(Path video) throws Exception {
        List<Mat> out = new ArrayList<>();
        try (FFmpegFrameGrabber g = new FFmpegFrameGrabber(video.toFile());
             OpenCVFrameConverter.ToOrgOpenCvCoreMat conv = new OpenCVFrameConverter.ToOrgOpenCvCoreMat()) {
            g.start();
            Frame f;
            while ((f = g.grabImage()) != null) out.add(conv.convert(f).clone());
        }
        return out;
    }

    private static int closestFrame(Path image, List<Mat> frames) {
        return closestFrame(Imgcodecs.imread(image.toString()), frames);
    }

    /** The frame most like {@code picture} (highest PSNR), scaled to the picture's size. */
    private static int closestFrame(Mat picture, List<Mat> frames) {
        int best = -1;
        double bestPsnr = -1;
        for (int i = 0; i < frames.size(); i++) {
            Mat f = ImageFitter.fit(frames.get(i), picture.cols(), picture.rows(), io.framegate.domain.FitMode.STRETCH);
            double p = ImageFitter.psnr(f, picture);
            if (p > bestPsnr) {
                bestPsnr = p;
                best = i;
            }
        }
        return best;
    }

    /** The option text x264 writes into its stream ("x264 - core ... options: ..."). */
    private static String x264Options(Path mp4) throws Exception {
        String text = new String(Files.readAllBytes(mp4), StandardCharsets.ISO_8859_1);
        int at = text.indexOf("x264 - core");
        assertThat(at).as("an x264 stream").isNotNegative();
        int opt = text.indexOf("options: ", at);
        return text.substring(opt + 9, text.indexOf('\0', opt));
    }
}
