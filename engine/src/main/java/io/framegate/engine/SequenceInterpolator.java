package io.framegate.engine;

import io.framegate.domain.GenerationException;
import io.framegate.domain.ImageLimits;
import io.framegate.domain.ImageRole;
import io.framegate.domain.InputImage;
import io.framegate.domain.ProgressListener;
import org.opencv.core.Mat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Frame-rate up-conversion of an image sequence in one run: every consecutive pair goes through the
 * {@link KeyframeInterpolator} (flow computed once per pair), {@code factor - 1} frames are inserted between them, the
 * input frames themselves are passed through unchanged, and all frames stream to one H.264 encoder. Frames are
 * decoded and pairs prepared lazily by the synthesis workers, and released as soon as no pending frame needs them,
 * so memory stays bounded for long sequences.
 */
public final class SequenceInterpolator {
    /** Largest accepted factor (frames inserted per pair + 1). */
    public static final int MAX_FACTOR = 16;

    private SequenceInterpolator() {
    }

    /**
     * What one run produced and where the time went (decode, flow and synthesis are summed over the worker threads
     * and overlap with encoding).
     */
    public record Result(int inputFrames, int frames, int width, int height, int fps, int factor, long decodeMs,
                         long flowMs, long synthesisMs, long encodeMs, long totalMs) {
    }

    /**
     * Writes {@code output} (MP4) with {@code (frames - 1) * factor + 1} frames at {@code fps}; with {@code framesDir}
     * every output frame is also written there as {@code frame_0001.png ..}. Frames read and checked before
     * ({@link ImageDecoder#check}) are given by {@code checked}: entry {@code i} is the {@link #digest} of frame
     * {@code i}'s bytes as they were checked, or null. A frame read here with those bytes is not walked again (the walk
     * costs about a PNG's decode); one whose bytes differ (changed since) is checked here.
     *
     * @param checked null when no frame was checked before
     * @throws GenerationException {@code bad_image} for a file that is not a readable image, {@code bad_size} for a
     *                             frame whose size differs from the first one or has odd sides; nothing is written then
     */
    public static Result interpolate(List<Path> frames, List<byte[]> checked, int factor, int fps, Path output,
                                     Path framesDir, KeyframeInterpolator.Preset preset, ProgressListener progress)
            throws GenerationException, IOException {
        if (frames.size() < 2) throw new IllegalArgumentException("need at least 2 frames, got " + frames.size());
        if (factor < 2 || factor > MAX_FACTOR) throw new IllegalArgumentException("factor " + factor + " not in 2.." + MAX_FACTOR);
        long start = System.nanoTime();
        NativeLibs.ensureLoaded();
        Frames inputs = new Frames(frames, checked);
        Mat first = inputs.decode(0);
        int w = first.cols(), h = first.rows();
        StartupTrace.mark("first frame decoded");
        if (w % 2 != 0 || h % 2 != 0) {
            first.release();
            throw new GenerationException("bad_size", frames.getFirst() + ": " + w + "x" + h
                    + " has an odd side; H.264 (yuv420p) needs even width and height");
        }
        int total = (frames.size() - 1) * factor + 1;
        AtomicFiles files = new AtomicFiles();
        try (SequenceSource source = new SequenceSource(inputs, factor, preset, first, w, h)) {
            Path temp = files.temp(output);
            Path pngDir = framesDir == null ? null : files.tempDir(framesDir);
            FramePipeline.Timing timing;
            try (VideoEncoder encoder = new VideoEncoder(temp, w, h, fps, total)) {
                timing = FramePipeline.run(source, encoder, null, pngDir, () -> false, progress);
            } catch (BadFrame e) {
                throw e.error;
            }
            files.commit();
            return new Result(frames.size(), total, w, h, fps, factor, ms(source.decodeNanos.get()),
                    ms(source.flowNanos.get()), ms(source.synthNanos.get()), ms(timing.encodeNanos()),
                    ms(System.nanoTime() - start));
        } finally {
            files.abort();
        }
    }

    /** The SHA-256 of an image's bytes: how a frame read again is known to be the one that was checked. */
    public static byte[] digest(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e); // every JDK has SHA-256
        }
    }

    /** The frame files, and the digests of those checked before. */
    private record Frames(List<Path> files, List<byte[]> checked) {
        int size() {
            return files.size();
        }

        Path get(int q) {
            return files.get(q);
        }

        Mat decode(int q) throws GenerationException {
            Path file = files.get(q);
            byte[] bytes;
            long cap = ImageLimits.DEFAULTS.maxRequestBytes();
            try (java.io.InputStream in = Files.newInputStream(file)) {
                // bounded: a file that grew (or was swapped) since the caller looked is not read whole into memory
                bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, cap + 1));
            } catch (IOException e) {
                throw new GenerationException("bad_image", file + ": cannot read (" + e.getMessage() + ")", e);
            }
            if (bytes.length > cap) {
                throw new GenerationException("bad_image", file + " is larger than " + cap + " bytes (the largest "
                        + "image allowed)");
            }
            boolean same = checked != null && checked.get(q) != null && MessageDigest.isEqual(checked.get(q), digest(bytes));
            return ImageDecoder.decode(new InputImage(ImageRole.FIRST_FRAME, bytes, null, file.toString(), same));
        }
    }

    private static long ms(long nanos) {
        return Math.round(nanos / 1e6);
    }

    /** A bad input frame met by a synthesis worker, carried out of {@link FrameSource#render}. */
    private static final class BadFrame extends RuntimeException {
        final GenerationException error;

        BadFrame(GenerationException cause) {
            super(cause.getMessage(), cause, false, false);
            this.error = cause;
        }
    }

    /** A value made once on first use and released when its last user is done. */
    private static final class Shared<T> {
        private final AtomicInteger uses;
        private T value;

        Shared(int uses) {
            this.uses = new AtomicInteger(uses);
        }

        synchronized T get(Supplier<T> make) {
            if (value == null) value = make.get();
            return value;
        }

        /** Counts one use as done; true when it was the last (the caller releases the value). */
        boolean done() {
            return uses.decrementAndGet() == 0;
        }

        synchronized T value() {
            return value;
        }
    }

    /**
     * Frame {@code i} is input frame {@code i / factor} when {@code i % factor == 0}, else the in-between at
     * {@code t = (i % factor) / factor} of pair {@code i / factor}. Input frame {@code q} is used by its own output
     * frame and by preparing pairs {@code q - 1} and {@code q}; pair {@code p} by its {@code factor - 1} in-betweens.
     */
    private static final class SequenceSource implements FrameSource {
        private final Frames files;
        private final int factor;
        private final KeyframeInterpolator.Preset preset;
        private final int width;
        private final int height;
        private final Map<Integer, Shared<Mat>> decoded = new ConcurrentHashMap<>();
        private final Map<Integer, Shared<KeyframeInterpolator>> pairs = new ConcurrentHashMap<>();
        final AtomicLong decodeNanos = new AtomicLong();
        final AtomicLong flowNanos = new AtomicLong();
        final AtomicLong synthNanos = new AtomicLong();
        private volatile String motion = "";
        private final FramePool pool = new FramePool();

        SequenceSource(Frames files, int factor, KeyframeInterpolator.Preset preset, Mat first, int width, int height) {
            this.files = files;
            this.factor = factor;
            this.preset = preset;
            this.width = width;
            this.height = height;
            frameSlot(0).get(() -> first);
        }

        @Override
        public int frameCount() {
            return (files.size() - 1) * factor + 1;
        }

        private Shared<Mat> frameSlot(int q) {
            int last = files.size() - 1;
            return decoded.computeIfAbsent(q, k -> new Shared<>(1 + (q > 0 ? 1 : 0) + (q < last ? 1 : 0)));
        }

        private Mat input(int q) {
            return frameSlot(q).get(() -> {
                long t0 = System.nanoTime();
                try {
                    Mat m = files.decode(q);
                    int w = m.cols(), h = m.rows();
                    if (w != width || h != height) {
                        m.release();
                        throw new BadFrame(new GenerationException("bad_size", files.get(q) + ": " + w + "x" + h
                                + ", but the first frame is " + width + "x" + height
                                + "; every frame must have the same size"));
                    }
                    return m;
                } catch (GenerationException e) {
                    throw new BadFrame(e);
                } finally {
                    decodeNanos.addAndGet(System.nanoTime() - t0);
                }
            });
        }

        private void inputDone(int q) {
            Shared<Mat> slot = decoded.get(q);
            if (slot != null && slot.done()) {
                decoded.remove(q);
                Mat m = slot.value();
                if (m != null) m.release();
            }
        }

        private KeyframeInterpolator pair(int p) {
            return pairs.computeIfAbsent(p, k -> new Shared<>(factor - 1)).get(() -> {
                Mat a = input(p), b = input(p + 1);
                long t0 = System.nanoTime();
                KeyframeInterpolator k = KeyframeInterpolator.prepare(a, b, preset);
                flowNanos.addAndGet(System.nanoTime() - t0);
                if (p < 2) StartupTrace.mark("pair " + p + " prepared");
                if (p == 0) motion = k.description();
                inputDone(p);
                inputDone(p + 1);
                return k;
            });
        }

        @Override
        public Mat render(int index) {
            int p = index / factor, k = index % factor;
            if (k == 0) {
                Mat copy = pool.take();
                input(p).copyTo(copy);
                inputDone(p);
                return copy;
            }
            KeyframeInterpolator interpolator = pair(p);
            long t0 = System.nanoTime();
            Mat frame = pool.take();
            interpolator.frameAt((double) k / factor, frame);
            synthNanos.addAndGet(System.nanoTime() - t0);
            Shared<KeyframeInterpolator> slot = pairs.get(p);
            if (slot.done()) {
                pairs.remove(p);
                interpolator.close();
            }
            return frame;
        }

        @Override
        public void recycle(Mat frame) {
            pool.give(frame);
        }

        @Override
        public String motion() {
            return motion;
        }

        @Override
        public void close() {
            for (Shared<KeyframeInterpolator> s : pairs.values()) {
                KeyframeInterpolator k = s.value();
                if (k != null) k.close();
            }
            for (Shared<Mat> s : decoded.values()) {
                Mat m = s.value();
                if (m != null) m.release();
            }
            pairs.clear();
            decoded.clear();
            pool.close();
        }
    }
}
