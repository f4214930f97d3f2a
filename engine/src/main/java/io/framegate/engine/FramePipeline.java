package io.framegate.engine;

import io.framegate.domain.ProgressListener;
import org.opencv.core.Mat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

/**
 * Streams frames from a {@link FrameSource} to the encoder: worker threads synthesise frames ahead (a bounded window,
 * so memory does not grow with the duration) and the calling thread encodes them strictly in order.
 */
final class FramePipeline {
    private FramePipeline() {
    }

    record Timing(long synthesisNanos, long encodeNanos) {
    }

    /** Work done on the caller's thread while the encoder flushes its last frames. */
    interface WhileFlushing {
        void run() throws IOException;
    }

    /** {@code previews} and {@code pngDir} may be null. */
    static Timing run(FrameSource source, VideoEncoder encoder, Previews.Collector previews, Path pngDir,
                      BooleanSupplier cancelled, ProgressListener progress) throws IOException {
        return run(source, encoder, previews, pngDir, cancelled, progress, () -> { });
    }

    /**
     * As above; {@code whileFlushing} runs on the calling thread once every frame is written, while the encoder
     * flushes on a worker (x264's last frames and the index: ~30 ms at 360p, as long as the previews' encoding, which
     * needs only the collected frames). The flush is waited for even when {@code whileFlushing} throws.
     */
    static Timing run(FrameSource source, VideoEncoder encoder, Previews.Collector previews, Path pngDir,
                      BooleanSupplier cancelled, ProgressListener progress, WhileFlushing whileFlushing)
            throws IOException {
        int workers = Math.max(1, Runtime.getRuntime().availableProcessors());
        int window = workers * 2 + 1;
        boolean widened = false;
        AtomicLong synthesis = new AtomicLong();
        // set when the run stops early: frames whose render has not begun are skipped (a widened window holds up to a
        // whole short job); a render already running finishes, so that its frame is released
        AtomicBoolean stopped = new AtomicBoolean();
        AtomicInteger threadNo = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(workers, r -> {
            Thread t = new Thread(r, "framegate-synth-" + threadNo.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        StartupTrace.mark("pipeline start");
        Deque<Future<Mat>> pending = new ArrayDeque<>();
        long encode = 0;
        int n = source.frameCount();
        int submitted = 0;
        CvThreads.pipelineStarted(workers);
        try {
            for (int i = 0; i < n; i++) {
                while (submitted < n && submitted < i + window) submit(pool, pending, source, submitted++, pngDir, synthesis, stopped);
                if (cancelled.getAsBoolean()) throw new CancellationException("cancelled at frame " + i + " of " + n);
                Mat frame = take(pending.removeFirst());
                if (i < 2) StartupTrace.mark("frame " + i + " ready");
                if (!widened) {
                    // the first write waits for the encoder to open (FFmpeg's load, x264's start, on threads of their
                    // own): the workers go on rendering meanwhile, as far as a small memory budget allows
                    widened = true;
                    window = window(window, n, frame);
                    while (submitted < n && submitted < i + window) submit(pool, pending, source, submitted++, pngDir, synthesis, stopped);
                }
                try {
                    long t0 = System.nanoTime();
                    encoder.write(frame);
                    if (previews != null) previews.accept(frame);
                    encode += System.nanoTime() - t0;
                    if (i < 2) StartupTrace.mark("frame " + i + " encoded");
                } finally {
                    source.recycle(frame);
                }
                progress.onProgress("frames", i + 1, n);
            }
            StartupTrace.mark("all frames encoded");
            AtomicLong flushNanos = new AtomicLong();
            Future<Void> flush = pool.submit(() -> {
                long t0 = System.nanoTime();
                encoder.finish();
                flushNanos.set(System.nanoTime() - t0);
                StartupTrace.mark("encoder finished");
                return null;
            });
            try {
                whileFlushing.run();
            } catch (IOException | RuntimeException | Error e) {
                // the flush is waited for all the same; its own failure, if any, goes with this one
                try {
                    await(flush, "interrupted while the encoder flushed");
                } catch (IOException | RuntimeException | Error f) {
                    e.addSuppressed(f);
                }
                throw e;
            }
            await(flush, "interrupted while the encoder flushed");
            return new Timing(synthesis.get(), encode + flushNanos.get());
        } finally {
            try {
                drain(pool, pending, stopped);
            } finally {
                // whatever the drain met: a pool left at one thread would slow every later render of a server
                CvThreads.pipelineEnded(workers);
            }
        }
    }

    /**
     * Frames rendered ahead of the encoder may take this much memory (at least the base window's frames). It counts
     * output frames only: an image sequence's pairs prepared for them come on top (two keyframes and a splat set each,
     * ~2 MB at 640x360), about half as many pairs as frames at factor 2. Only the CLI's interpolate renders sequences;
     * a server job (one pair) holds at most this much more than before.
     */
    static final long AHEAD_BYTES = 24L << 20;

    /**
     * The window once the first frame's size is known: {@code base} frames, or as many as {@link #AHEAD_BYTES} holds
     * (at 640x360 a whole 25-frame job, at 1280x720 nine frames), at most {@code n}.
     */
    static int window(int base, int n, Mat frame) {
        long bytes = Math.max(1, frame.total() * frame.elemSize());
        return (int) Math.max(base, Math.min(n, AHEAD_BYTES / bytes));
    }

    private static void submit(ExecutorService pool, Deque<Future<Mat>> pending, FrameSource source, int index,
                               Path pngDir, AtomicLong synthesis, AtomicBoolean stopped) {
        pending.addLast(pool.submit(() -> {
            if (stopped.get()) return null;
            long t0 = System.nanoTime();
            Mat frame = source.render(index);
            if (pngDir != null) {
                byte[] png = Previews.encode(".png", frame, org.opencv.imgcodecs.Imgcodecs.IMWRITE_PNG_COMPRESSION, 3);
                Files.write(pngDir.resolve(String.format("frame_%04d.png", index + 1)), png);
            }
            synthesis.addAndGet(System.nanoTime() - t0);
            return frame;
        }));
    }

    /**
     * Lets the frames being rendered finish (no interrupt), drops those not started, and releases them: a task cut loose here could write
     * its PNG after the caller has deleted the temporary frames directory, and its frame would never be released.
     */
    private static void drain(ExecutorService pool, Deque<Future<Mat>> pending, AtomicBoolean stopped) {
        // not Future.cancel: it also "cancels" a render that is running, whose frame would then never be released
        stopped.set(true);
        pool.shutdown();
        // waited for even when interrupted (a worker pool's shutdown interrupts renders); the interrupt is kept
        boolean interrupted = false;
        while (true) {
            try {
                if (pool.awaitTermination(1, TimeUnit.SECONDS)) break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        for (Future<Mat> f : pending) {
            try {
                Mat m = f.get(); // done: the pool has terminated
                if (m != null) m.release();
            } catch (InterruptedException e) {
                interrupted = true;
            } catch (ExecutionException ignored) {
                // the render failed: nothing to release
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
    }

    private static Mat take(Future<Mat> f) throws IOException {
        return await(f, "interrupted");
    }

    /**
     * A future's value, its failure thrown as it was thrown inside (an I/O error stays one), and an interrupt as a
     * {@link CancellationException}: the engine's word for an interrupted render, not an I/O failure.
     */
    static <T> T await(Future<T> f, String interrupted) throws IOException {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CancellationException(interrupted);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof IOException io) throw io;
            if (c instanceof RuntimeException re) throw re;
            if (c instanceof Error err) throw err;
            throw new IOException(c);
        }
    }
}
