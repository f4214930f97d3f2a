package io.framegate.engine;

import io.framegate.domain.FitMode;

import io.framegate.domain.GenerationContext;
import io.framegate.domain.GenerationException;
import io.framegate.domain.ImageRole;
import io.framegate.domain.InputImage;
import io.framegate.domain.OutputFiles;
import io.framegate.domain.ProgressListener;
import io.framegate.domain.RenderPlan;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opencv.core.Core;
import org.opencv.core.Mat;
import org.opencv.core.Rect;
import org.opencv.core.Scalar;
import org.opencv.imgcodecs.Imgcodecs;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The engine's contract: determinism, errors, cancellation, atomic outputs, previews, fitting, several videos. */
class EngineContractTest {
    static final int W = 160, H = 96, FPS = 8;
    static Mat scene, first, last;

    @BeforeAll
    static void images() {
        scene = TestScenes.scene(400, 240, 3);
        first = TestScenes.view(scene, 200, 120, 1, W, H);
        last = TestScenes.view(scene, 214, 124, 1.05, W, H);
    }

    @AfterAll
    static void release() {
        scene.release();
        first.release();
        last.release();
    }

    static RenderPlan keyframes(int frames) {
        return TestScenes.plan("framegate-local", null, W, H, FPS, frames,
                ImageRole.FIRST_FRAME, first, ImageRole.LAST_FRAME, last);
    }

    static List<Path> files(Path dir) throws Exception {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).toList();
        }
    }

    static String sha256(Path file) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    }

    @Test
    void samePlanAndSeedGiveTheSameVideo(@TempDir Path dir) throws Exception {
        for (RenderPlan plan : List.of(keyframes(10), TestScenes.plan("framegate-local", "orbit", W, H, FPS, 10,
                ImageRole.REFERENCE, first))) {
            Path a = dir.resolve("a"), b = dir.resolve("b");
            new LocalEngine().render(plan, 0, OutputFiles.in(a), ProgressListener.NONE, () -> false);
            new LocalEngine().render(plan, 0, OutputFiles.in(b), ProgressListener.NONE, () -> false);
            TestScenes.Video va = TestScenes.decode(a.resolve("video.mp4")), vb = TestScenes.decode(b.resolve("video.mp4"));
            for (int i = 0; i < va.frames().size(); i++) {
                assertThat(TestScenes.psnr(va.frames().get(i), vb.frames().get(i))).as("%s frame %d", plan.request().prompt(), i).isInfinite();
            }
            assertThat(sha256(a.resolve("video.mp4"))).isEqualTo(sha256(b.resolve("video.mp4")));
        }
    }

    @Test
    void unreadableImageIsBadImageAndLeavesNoFile(@TempDir Path dir) throws Exception {
        byte[] junk = "this is not a picture at all".getBytes();
        RenderPlan plan = TestScenes.plan("framegate-local", null, W, H, FPS, 6, ImageRole.REFERENCE, junk);
        assertThatThrownBy(() -> new LocalEngine().render(plan, 0, OutputFiles.in(dir.resolve("out")),
                ProgressListener.NONE, () -> false))
                .isInstanceOfSatisfying(GenerationException.class, e -> {
                    assertThat(e.code()).isEqualTo("bad_image");
                    assertThat(e.getMessage()).isEqualTo("reference.png: not a readable image (PNG, JPEG or WebP)");
                });
        assertThat(files(dir)).isEmpty();
        // a PNG signature with a broken body is refused too
        byte[] png = TestScenes.png(first);
        byte[] truncated = java.util.Arrays.copyOf(png, 40);
        assertThatThrownBy(() -> LocalEngine.probe(new InputImage(ImageRole.FIRST_FRAME, truncated, "image/png", "upload")))
                .isInstanceOf(GenerationException.class)
                .hasMessage("upload is a damaged or truncated PNG image: the file ends inside a chunk header at byte 33");
    }

    @Test
    void probeReadsPngJpegAndWebpAndRefusesBmp() throws Exception {
        for (String ext : List.of(".png", ".jpg", ".webp")) {
            ImageInfo info = LocalEngine.probe(new InputImage(ImageRole.REFERENCE, TestScenes.encode(ext, first), null, "x" + ext));
            assertThat(info.width()).as(ext).isEqualTo(W);
            assertThat(info.height()).as(ext).isEqualTo(H);
            assertThat(info.format()).isEqualTo(ext.equals(".jpg") ? "jpeg" : ext.substring(1));
        }
        // the images the API takes (docs/openai-extension.md), on every way in
        assertThatThrownBy(() -> LocalEngine.probe(new InputImage(ImageRole.REFERENCE, TestScenes.encode(".bmp", first), null, "x.bmp")))
                .isInstanceOf(GenerationException.class).hasMessage("x.bmp is a BMP image, which is not a PNG, JPEG or WebP image");
    }

    @Test
    void cancellationStopsEarlyAndLeavesNoFile(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("out");
        AtomicInteger framesDone = new AtomicInteger();
        ProgressListener progress = (stage, done, total) -> {
            if (stage.equals("frames")) framesDone.set((int) done);
        };
        assertThatThrownBy(() -> new LocalEngine().render(keyframes(40), 0, OutputFiles.in(out).withFramesDir(out.resolve("frames")),
                progress, () -> framesDone.get() >= 5)).isInstanceOf(CancellationException.class);
        assertThat(framesDone.get()).isLessThan(40);
        assertThat(files(dir)).isEmpty();
    }

    @Test
    void framesDirGetsEveryFrameAsPngAndProgressReachesTheEnd(@TempDir Path dir) throws Exception {
        Map<String, Long> lastDone = new ConcurrentHashMap<>();
        OutputFiles out = OutputFiles.in(dir).withFramesDir(dir.resolve("frames"));
        new LocalEngine().render(keyframes(9), 0, out, (stage, done, total) -> lastDone.put(stage, done * 1000 + total),
                () -> false);
        try (Stream<Path> s = Files.list(dir.resolve("frames"))) {
            assertThat(s.map(p -> p.getFileName().toString()).sorted().toList())
                    .containsExactly("frame_0001.png", "frame_0002.png", "frame_0003.png", "frame_0004.png",
                            "frame_0005.png", "frame_0006.png", "frame_0007.png", "frame_0008.png", "frame_0009.png");
        }
        Mat png1 = Imgcodecs.imread(dir.resolve("frames/frame_0001.png").toString());
        Mat png9 = Imgcodecs.imread(dir.resolve("frames/frame_0009.png").toString());
        assertThat(TestScenes.psnr(png1, first)).isInfinite();
        assertThat(TestScenes.psnr(png9, last)).isInfinite();
        assertThat(lastDone.get("frames")).isEqualTo(9 * 1000 + 9);
        assertThat(lastDone.get("previews")).isEqualTo(1000 + 1);
        try (Stream<Path> s = Files.list(dir)) {
            assertThat(s.map(p -> p.getFileName().toString()).sorted().toList())
                    .containsExactly("frames", "spritesheet.jpg", "thumbnail.webp", "video.mp4");
        }
    }

    @Test
    void dissimilarKeyframesGiveAGracefulDissolve(@TempDir Path dir) throws Exception {
        Mat other = TestScenes.rings(W, H);
        RenderPlan plan = TestScenes.withOption(TestScenes.plan("framegate-local", null, W, H, FPS, 9,
                ImageRole.FIRST_FRAME, first, ImageRole.LAST_FRAME, other), "easing", "linear");
        RenderStats stats = new LocalEngine().render(plan, 0, OutputFiles.in(dir), ProgressListener.NONE, () -> false);
        assertThat(stats.motion()).contains("dissolve");
        TestScenes.Video v = TestScenes.decode(dir.resolve("video.mp4"));
        TestScenes.assertFaithful(v.first(), first, "first frame");
        TestScenes.assertFaithful(v.last(), other, "last frame");
        // each frame is a bit further from the first image and a bit closer to the last
        double prevToFirst = Double.POSITIVE_INFINITY, prevToLast = 0;
        for (Mat f : v.frames()) {
            double toFirst = TestScenes.psnr(f, first), toLast = TestScenes.psnr(f, other);
            assertThat(toFirst).isLessThanOrEqualTo(prevToFirst + 0.5);
            assertThat(toLast).isGreaterThanOrEqualTo(prevToLast - 0.5);
            prevToFirst = toFirst;
            prevToLast = toLast;
        }
    }

    @Test
    void fitModesCropPadOrStretchAWideImage(@TempDir Path dir) throws Exception {
        Mat wide = new Mat(H, W * 2, first.type(), new Scalar(0, 0, 255));
        wide.submat(new Rect(W / 2, 0, W, H)).setTo(new Scalar(255, 0, 0));
        for (String fit : List.of("crop", "pad", "stretch")) {
            RenderPlan still = TestScenes.plan("framegate-local", "still", W, H, FPS, 4, ImageRole.FIRST_FRAME, wide);
            RenderPlan plan = TestScenes.VALIDATOR.validate(still.request().toBuilder().fit(FitMode.parse(fit)).build());
            Path out = dir.resolve(fit);
            new LocalEngine().render(plan, 0, OutputFiles.in(out).withFramesDir(out.resolve("f")), ProgressListener.NONE, () -> false);
            Mat f = Imgcodecs.imread(out.resolve("f/frame_0001.png").toString());
            double[] centre = f.get(H / 2, W / 2), corner = f.get(2, 2), edge = f.get(H / 2, 2);
            switch (fit) {
                case "crop" -> {
                    assertThat(centre[0]).isEqualTo(255);
                    assertThat(edge[0]).isEqualTo(255);
                }
                case "pad" -> {
                    assertThat(centre[0]).isEqualTo(255);
                    assertThat(corner).containsExactly(0, 0, 0);
                    assertThat(edge[2]).isEqualTo(255);
                }
                default -> {
                    assertThat(centre[0]).isEqualTo(255);
                    assertThat(edge[2]).isEqualTo(255);
                    assertThat(corner[2]).isEqualTo(255);
                }
            }
        }
    }

    @Test
    void previewsFromAnyMp4UseTheSameCodeAsTheEngine(@TempDir Path dir) throws Exception {
        new LocalEngine().render(keyframes(30), 0, OutputFiles.in(dir), ProgressListener.NONE, () -> false);
        Path thumb = dir.resolve("again.webp"), sheet = dir.resolve("again.jpg");
        Previews.fromVideo(dir.resolve("video.mp4"), thumb, sheet);
        // byte-identical previews: decoding the MP4 again yields the frames the engine collected while encoding
        // only up to codec noise, so compare the pictures, not the bytes
        Mat a = Imgcodecs.imread(thumb.toString()), b = Imgcodecs.imread(dir.resolve("thumbnail.webp").toString());
        assertThat(a.size()).isEqualTo(b.size());
        assertThat(TestScenes.psnr(a, b)).isGreaterThan(35);
        Mat sa = Imgcodecs.imread(sheet.toString()), sb = Imgcodecs.imread(dir.resolve("spritesheet.jpg").toString());
        // 30 frames: 25 tiles in a 5 x 5 grid of 160 x 96
        assertThat(sa.cols()).isEqualTo(5 * W);
        assertThat(sa.rows()).isEqualTo(5 * H);
        assertThat(sa.size()).isEqualTo(sb.size());
        assertThat(TestScenes.psnr(sa, sb)).isGreaterThan(30);
        try (Stream<Path> s = Files.list(dir)) {
            assertThat(s.filter(p -> p.getFileName().toString().contains(".part-")).toList()).isEmpty();
        }
    }

    @Test
    void generateRendersEveryVideoWithItsOwnSeed(@TempDir Path dir) throws Exception {
        RenderPlan plan = TestScenes.VALIDATOR.validate(TestScenes.plan("framegate-local", null, W, H, FPS, 8,
                ImageRole.REFERENCE, first).request().toBuilder().numberOfVideos(2).seed(5L).build());
        List<String> notes = new ArrayList<>();
        AtomicInteger maxDone = new AtomicInteger();
        GenerationContext ctx = new GenerationContext() {
            public String jobId() { return "job"; }
            public OutputFiles output(int index) { return OutputFiles.in(dir.resolve("v" + index)); }
            public ProgressListener progress() {
                return (stage, done, total) -> {
                    if (stage.equals("frames")) {
                        assertThat(total).isEqualTo(16);
                        maxDone.accumulateAndGet((int) done, Math::max);
                    }
                };
            }
            public Optional<String> checkpoint() { return Optional.empty(); }
            public void saveCheckpoint(String state) { }
            public void note(String key, String value) { notes.add(key + "=" + value); }
            public boolean isCancelled() { return false; }
        };
        LocalEngine engine = new LocalEngine();
        assertThat(engine.id()).isEqualTo("local");
        assertThat(engine.isLocal()).isTrue();
        engine.generate(plan, ctx);
        assertThat(maxDone.get()).isEqualTo(16);
        assertThat(notes).contains("engine_mode=reference");
        Path v0 = dir.resolve("v0/video.mp4"), v1 = dir.resolve("v1/video.mp4");
        assertThat(sha256(v0)).isNotEqualTo(sha256(v1));
        // video 1 of seed 5 is video 0 of seed 6
        RenderPlan seed6 = TestScenes.VALIDATOR.validate(plan.request().toBuilder().numberOfVideos(1).seed(6L).build());
        new LocalEngine().render(seed6, 0, OutputFiles.in(dir.resolve("s6")), ProgressListener.NONE, () -> false);
        assertThat(sha256(dir.resolve("s6/video.mp4"))).isEqualTo(sha256(v1));
    }

    @Test
    void noImageIsAClearError(@TempDir Path dir) {
        RenderPlan plan = TestScenes.VALIDATOR.validate(io.framegate.domain.GenerationRequest.builder().model("veo-3.1")
                .prompt("a cat").build());
        assertThatThrownBy(() -> new LocalEngine().render(plan, 0, OutputFiles.in(dir), ProgressListener.NONE, () -> false))
                .isInstanceOfSatisfying(GenerationException.class, e -> assertThat(e.code()).isEqualTo("image_required"));
        // what a server asks before it stores a job: the same refusal, as a validation error naming the images
        assertThatThrownBy(() -> new LocalEngine().checkServes(plan))
                .isInstanceOfSatisfying(io.framegate.domain.ValidationException.class, e -> {
                    assertThat(e.first().param()).isEqualTo("images");
                    assertThat(e.first().message()).contains("veo-3.1").contains("none was given");
                });
    }

    static double meanOf(Mat m) {
        return Core.mean(m).val[0];
    }
}
