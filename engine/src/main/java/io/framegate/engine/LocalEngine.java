package io.framegate.engine;

import io.framegate.domain.FitMode;

import io.framegate.domain.GenerationBackend;
import io.framegate.domain.GenerationContext;
import io.framegate.domain.GenerationException;
import io.framegate.domain.ImageRole;
import io.framegate.domain.InputImage;
import io.framegate.domain.OutputFiles;
import io.framegate.domain.ProgressListener;
import io.framegate.domain.RenderPlan;
import io.framegate.domain.ValidationException;
import io.framegate.domain.VideoSize;
import io.framegate.domain.Violation;
import org.opencv.core.Mat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.function.BooleanSupplier;

/**
 * The offline engine as a {@link GenerationBackend}: decode, fit, estimate motion, synthesise, encode, all on this
 * machine. The roles of the input images choose the mode:
 * <ul>
 *   <li>{@code first_frame} + {@code last_frame}: motion-compensated in-betweens ({@link KeyframeInterpolator});
 *       nearly identical keyframes give a seamless loop with a there-and-back camera move instead;</li>
 *   <li>{@code first_frame} alone: the camera moves away from that exact frame (move read from the prompt);</li>
 *   <li>{@code reference} (or {@code asset}/{@code style}): a camera move over the image ({@link CameraAnimator}).</li>
 * </ul>
 * The request's {@code fit} ({@link FitMode}) and option {@code easing} = ease-in-out (default) | linear. The model
 * {@code framegate-local-fast} uses a coarser, faster optical flow. Video {@code i} of a plan uses seed
 * {@code plan.seed() + i}; the same plan and seed give the same video.
 * <p>
 * Outputs are written atomically: a failure or a cancellation (a {@link CancellationException}) leaves no file at
 * any target path.
 */
public final class LocalEngine implements GenerationBackend {
    /** The model id that selects the faster flow preset. */
    public static final String FAST_MODEL = "framegate-local-fast";
    /** Keyframes at least this similar (PSNR, dB) are treated as one image: the video becomes a loop. */
    static final double LOOP_PSNR = 38;

    public LocalEngine() {
    }

    @Override
    public String id() {
        return "local";
    }

    @Override
    public boolean isLocal() {
        return true;
    }

    /** Refuses a plan with no image to animate: a model served here by default (sora-2, veo-*) may take none. */
    @Override
    public void checkServes(RenderPlan plan) {
        if (!hasImageToAnimate(plan)) throw new ValidationException(new Violation("images", "0", noImage(plan)));
    }

    private static boolean hasImageToAnimate(RenderPlan plan) {
        for (ImageRole role : List.of(ImageRole.FIRST_FRAME, ImageRole.REFERENCE, ImageRole.ASSET, ImageRole.STYLE)) {
            if (one(plan, role) != null) return true;
        }
        return false;
    }

    private static String noImage(RenderPlan plan) {
        return plan.model().id() + " is served by the offline engine here, which animates images: give a reference "
                + "image or a first frame (plus an optional last frame); none was given";
    }

    /**
     * Starts loading the engine's native libraries (OpenCV, FFmpeg) in the background, for a command that will render:
     * they then load while its arguments are parsed and checked. Optional; a failure surfaces at first use.
     */
    public static void preload() {
        NativeLibs.loadInBackground();
    }

    /** Checks an upload before any work starts: decodes it and returns its size. */
    public static ImageInfo probe(InputImage image) throws GenerationException {
        return ImageDecoder.probe(image);
    }

    @Override
    public void generate(RenderPlan plan, GenerationContext ctx) throws Exception {
        int videos = plan.numberOfVideos();
        for (int i = 0; i < videos; i++) {
            if (ctx.isCancelled()) throw new CancellationException("cancelled before video " + (i + 1) + " of " + videos);
            int index = i;
            ProgressListener outer = ctx.progress();
            ProgressListener progress = (stage, done, total) -> {
                if ("frames".equals(stage)) outer.onProgress(stage, (long) index * total + done, (long) videos * total);
                else outer.onProgress(stage, done, total);
            };
            RenderStats stats = render(plan, i, ctx.output(i), progress, ctx::isCancelled);
            if (i == 0) {
                ctx.note("engine_mode", stats.mode());
                ctx.note("engine_motion", stats.motion());
            }
        }
    }

    /**
     * Renders video {@code videoIndex} of the plan into {@code out}.
     *
     * @throws GenerationException   {@code bad_image} for an unreadable input, {@code image_required} without images,
     *                               {@code invalid_option} for a bad {@code easing}
     * @throws CancellationException when {@code cancelled} turned true; no output file is left behind
     */
    public RenderStats render(RenderPlan plan, int videoIndex, OutputFiles out, ProgressListener progress,
                              BooleanSupplier cancelled) throws GenerationException, IOException {
        long start = System.nanoTime();
        NativeLibs.ensureLoaded();
        VideoSize size = plan.size();
        int w = size.width(), h = size.height();
        int frames = plan.frameCount();
        long seed = plan.seed() + videoIndex;
        FitMode fit = plan.request().fitOrDefault();
        Easing easing = Easing.parse(plan.request().options().get("easing"));
        KeyframeInterpolator.Preset preset = FAST_MODEL.equals(plan.model().id())
                ? KeyframeInterpolator.Preset.FAST : KeyframeInterpolator.Preset.QUALITY;
        String prompt = plan.request().prompt();

        InputImage firstImage = one(plan, ImageRole.FIRST_FRAME);
        InputImage lastImage = one(plan, ImageRole.LAST_FRAME);
        InputImage reference = one(plan, ImageRole.REFERENCE);
        if (reference == null) reference = one(plan, ImageRole.ASSET);
        if (reference == null) reference = one(plan, ImageRole.STYLE);
        // a server refuses such a plan at create (checkServes); a job queued before that check existed ends here
        if (firstImage == null && reference == null) throw new GenerationException("image_required", noImage(plan));

        StartupTrace.mark("render start");
        AtomicFiles files = new AtomicFiles();
        VideoEncoder encoder = null;
        try {
            // the encoder opens on a thread of its own while the keyframes are decoded and the flow is computed
            encoder = new VideoEncoder(files.temp(out.video()), w, h, plan.fps(), frames);
            progress.onProgress("decode", 0, 1);
            Mat source = null, first = null, last = null;
            FrameSource frameSource = null;
            String mode;
            long decodeNanos, prepareNanos;
            try {
                if (firstImage != null) {
                    source = ImageDecoder.decode(firstImage);
                    Mat lastSource = lastImage == null ? null : ImageDecoder.decode(lastImage);
                    first = ImageFitter.fit(source, w, h, fit);
                    if (lastSource != null) {
                        last = ImageFitter.fit(lastSource, w, h, fit);
                        lastSource.release();
                    }
                } else {
                    source = ImageDecoder.decode(reference);
                }
                decodeNanos = System.nanoTime() - start;
                StartupTrace.mark("decoded");
                progress.onProgress("decode", 1, 1);
                if (cancelled.getAsBoolean()) throw new CancellationException("cancelled after decoding");

                long t0 = System.nanoTime();
                progress.onProgress("motion", 0, 1);
                CameraMotion motion = CameraMotion.fromPrompt(prompt);
                double seconds = plan.durationSeconds();
                if (first != null && last != null && ImageFitter.psnr(first, last) < LOOP_PSNR) {
                    mode = "keyframes";
                    frameSource = new KeyframeSource(KeyframeInterpolator.prepare(first, last, preset), first, last,
                            frames, easing);
                } else if (first != null && last != null) {
                    mode = "loop";
                    frameSource = new CameraAnimator(source, w, h, fit, motion, CameraAnimator.PathKind.LOOP, frames,
                            seconds, easing, seed, first, last);
                } else if (first != null) {
                    mode = "keyframes";
                    frameSource = new CameraAnimator(source, w, h, fit, motion, CameraAnimator.PathKind.FROM_FIRST, frames,
                            seconds, easing, seed, first, null);
                } else {
                    mode = "reference";
                    frameSource = new CameraAnimator(source, w, h, fit, motion, CameraAnimator.PathKind.REFERENCE, frames,
                            seconds, easing, seed, null, null);
                }
                prepareNanos = System.nanoTime() - t0;
                StartupTrace.mark("prepared (flow)");
                progress.onProgress("motion", 1, 1);
            } catch (RuntimeException | GenerationException e) {
                if (frameSource != null) frameSource.close();
                throw e;
            } finally {
                if (source != null) source.release();
                if (first != null) first.release();
                if (last != null) last.release();
            }

            try (FrameSource src = frameSource) {
                Path pngDir = out.framesDir() == null ? null : files.tempDir(out.framesDir());
                Previews.Collector previews = new Previews.Collector(frames);
                FramePipeline.Timing timing;
                long[] previewNanos = new long[1];
                try (VideoEncoder opened = encoder) {
                    // the previews are encoded while the encoder flushes (each ~30-40 ms at 360p)
                    timing = FramePipeline.run(src, opened, previews, pngDir, cancelled, progress, () -> {
                        long t0 = System.nanoTime();
                        progress.onProgress("previews", 0, 1);
                        previews.writeTo(files.temp(out.thumbnail()), files.temp(out.spritesheet()));
                        previewNanos[0] = System.nanoTime() - t0;
                        StartupTrace.mark("previews written");
                    });
                } finally {
                    previews.release();
                }
                if (cancelled.getAsBoolean()) throw new CancellationException("cancelled after encoding");
                files.commit();
                progress.onProgress("previews", 1, 1);
                return new RenderStats(frames, size, plan.fps(), mode, src.motion(), ms(decodeNanos), ms(prepareNanos),
                        ms(timing.synthesisNanos()), ms(timing.encodeNanos() + previewNanos[0]),
                        ms(System.nanoTime() - start));
            }
        } finally {
            try {
                if (encoder != null) encoder.close();
            } finally {
                files.abort();
            }
        }
    }

    private static InputImage one(RenderPlan plan, ImageRole role) {
        List<InputImage> list = plan.request().imagesWith(role);
        return list.isEmpty() ? null : list.getFirst();
    }

    private static long ms(long nanos) {
        return Math.round(nanos / 1e6);
    }
}
