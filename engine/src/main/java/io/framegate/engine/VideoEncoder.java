package io.framegate.engine;

import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameRecorder;
import org.bytedeco.javacv.Frame;
import org.opencv.core.Mat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;

/**
 * Writes the engine's frames to an MP4 with the one {@link H264} set-up. The encoder opens (FFmpeg's muxer and x264
 * with its threads: 50-200 ms before the first frame can be written) on a thread of its own, started by the
 * constructor, so that it opens while the caller decodes the keyframes and computes the flow; the first
 * {@link #write} waits for it and throws what opening it failed with.
 */
final class VideoEncoder implements AutoCloseable {
    private final FutureTask<FFmpegFrameRecorder> opening;
    private FFmpegFrameRecorder recorder;
    /**
     * The frame handed to the recorder. Frames are copied here rather than converted with JavaCV's
     * {@code OpenCVFrameConverter}, whose class initialiser loads JavaCPP's whole OpenCV preset (about a second).
     */
    private final ByteBuffer pixels;
    private final byte[] bytes;
    private final int width;
    private final int height;
    private int written;
    private boolean closed;

    VideoEncoder(Path file, int width, int height, int fps, int frameCount) {
        H264.requireEvenSides(width, height);
        this.width = width;
        this.height = height;
        this.pixels = ByteBuffer.allocateDirect(width * height * 3);
        this.bytes = new byte[width * height * 3];
        opening = new FutureTask<>(() -> {
            FFmpegFrameRecorder r = H264.recorder(file, width, height, fps, frameCount);
            r.setMetadata("encoder", "Framegate offline engine");
            StartupTrace.mark("encoder made");
            try {
                r.start();
            } catch (org.bytedeco.javacv.FrameRecorder.Exception e) {
                r.release();
                // JavaCV's text ("avio_open2 error() error -2: Could not open '...' (For more details, make sure
                // FFmpegLogCallback.set() has been called.)") names the temporary file and a call of its own
                throw new IOException("FFmpeg could not open the file for writing: " + ffmpegReason(e.getMessage()), e);
            } catch (Throwable e) {
                r.release();
                throw e;
            }
            StartupTrace.mark("encoder started");
            return r;
        });
        Thread t = new Thread(opening, "framegate-encoder-open");
        t.setDaemon(true);
        t.start();
    }

    /**
     * The gist of a JavaCV recorder error: FFmpeg's own text for its error code (av_strerror: "no such file or
     * directory", "permission denied", ...) when it has one, else the message without JavaCV's advice.
     */
    static String ffmpegReason(String message) {
        if (message == null) return "unknown error";
        java.util.regex.Matcher code = java.util.regex.Pattern.compile("error (-\\d+)").matcher(message);
        if (code.find()) {
            NativeLibs.ensureFFmpegLoaded();
            byte[] text = new byte[128];
            if (org.bytedeco.ffmpeg.global.avutil.av_strerror(Integer.parseInt(code.group(1)), text, text.length) == 0) {
                String s = new String(text, java.nio.charset.StandardCharsets.UTF_8);
                s = s.substring(0, Math.max(0, s.indexOf('\0'))); // C string: up to its NUL
                if (!s.isEmpty()) return Character.toLowerCase(s.charAt(0)) + s.substring(1);
            }
        }
        return message.replaceAll("\\s*\\(For more details.*$", "").trim();
    }

    /** The started recorder, once opening it has finished; what opening it failed with otherwise. */
    private FFmpegFrameRecorder recorder() throws IOException {
        if (recorder == null) recorder = FramePipeline.await(opening, "interrupted while the encoder opened");
        return recorder;
    }

    void write(Mat bgr) throws IOException {
        if (bgr.cols() != width || bgr.rows() != height || bgr.channels() != 3) {
            throw new IllegalArgumentException("frame " + written + " is " + bgr.cols() + "x" + bgr.rows() + "x"
                    + bgr.channels() + ", expected " + width + "x" + height + "x3");
        }
        FFmpegFrameRecorder r = recorder();
        Mat packed = bgr.isContinuous() ? bgr : bgr.clone();
        try {
            packed.get(0, 0, bytes);
        } finally {
            if (packed != bgr) packed.release();
        }
        pixels.clear();
        pixels.put(bytes).flip();
        r.recordImage(width, height, Frame.DEPTH_UBYTE, 3, width * 3, avutil.AV_PIX_FMT_BGR24, pixels);
        written++;
    }

    int written() {
        return written;
    }

    /** Flushes the encoder and writes the index (moved to the front of the file). */
    void finish() throws IOException {
        if (written == 0) throw new IOException("no frame was written");
        recorder().stop();
    }

    /**
     * Releases the encoder. Waits for it to finish opening first, even when interrupted (a worker pool's shutdown
     * interrupts renders): the caller deletes the temporary file next, and an opening left running would write it
     * again and keep x264's threads. Opening is short (a muxer and x264 starting). An encoder that failed to open
     * released itself; its error went (or goes) to the writer, never again from here.
     */
    @Override
    public void close() throws IOException {
        if (closed) return;
        closed = true;
        FFmpegFrameRecorder r = recorder != null ? recorder : openedOrNull();
        if (r != null) r.release();
    }

    private FFmpegFrameRecorder openedOrNull() {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return opening.get();
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (ExecutionException | CancellationException e) {
                    return null;
                }
            }
        } finally {
            if (interrupted) Thread.currentThread().interrupt();
        }
    }
}
