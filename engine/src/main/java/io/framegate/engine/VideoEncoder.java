package io.framegate.engine;

import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameRecorder;
import org.bytedeco.javacv.Frame;
import org.opencv.core.Mat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/** Writes the engine's frames to an MP4 with the one {@link H264} set-up. */
final class VideoEncoder implements AutoCloseable {
    private final FFmpegFrameRecorder recorder;
    /**
     * The frame handed to the recorder. Frames are copied here rather than converted with JavaCV's
     * {@code OpenCVFrameConverter}, whose class initialiser loads JavaCPP's whole OpenCV preset (about a second).
     */
    private final ByteBuffer pixels;
    private final byte[] bytes;
    private final int width;
    private final int height;
    private int written;
    private boolean started;

    VideoEncoder(Path file, int width, int height, int fps, int frameCount) {
        this.width = width;
        this.height = height;
        this.pixels = ByteBuffer.allocateDirect(width * height * 3);
        this.bytes = new byte[width * height * 3];
        recorder = H264.recorder(file, width, height, fps, frameCount);
        recorder.setMetadata("encoder", "Framegate offline engine");
        StartupTrace.mark("encoder made");
    }

    void write(Mat bgr) throws IOException {
        if (bgr.cols() != width || bgr.rows() != height || bgr.channels() != 3) {
            throw new IllegalArgumentException("frame " + written + " is " + bgr.cols() + "x" + bgr.rows() + "x"
                    + bgr.channels() + ", expected " + width + "x" + height + "x3");
        }
        if (!started) {
            recorder.start();
            started = true;
            StartupTrace.mark("encoder started");
        }
        Mat packed = bgr.isContinuous() ? bgr : bgr.clone();
        try {
            packed.get(0, 0, bytes);
        } finally {
            if (packed != bgr) packed.release();
        }
        pixels.clear();
        pixels.put(bytes).flip();
        recorder.recordImage(width, height, Frame.DEPTH_UBYTE, 3, width * 3, avutil.AV_PIX_FMT_BGR24, pixels);
        written++;
    }

    int written() {
        return written;
    }

    /** Flushes the encoder and writes the index (moved to the front of the file). */
    void finish() throws IOException {
        if (!started) throw new IOException("no frame was written");
        recorder.stop();
    }

    @Override
    public void close() throws IOException {
        recorder.release();
    }
}
