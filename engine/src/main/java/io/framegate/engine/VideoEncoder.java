package io.framegate.engine;

import org.bytedeco.ffmpeg.global.avcodec;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.ffmpeg.global.swscale;
import org.bytedeco.javacv.FFmpegFrameRecorder;
import org.bytedeco.javacv.Frame;
import org.opencv.core.Mat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * H.264 (libx264, yuv420p) MP4 writer with the moov atom first. The first and last frames get a fixed low quantiser
 * through x264 zones: they are the user's keyframes and must survive encoding with high fidelity, while the
 * in-betweens use CRF.
 */
final class VideoEncoder implements AutoCloseable {
    /** libx264 preset: fast enough to keep up with synthesis on two cores. */
    static final String PRESET = "veryfast";
    static final int CRF = 18;
    /** Quantiser of the first and last frames (x264 QP; lower is better). */
    static final int KEYFRAME_QP = 6;
    /** x264 frame threads, the same on every machine so that the bitstream does not depend on the CPU count. */
    static final int X264_THREADS = 4;

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
        if (width % 2 != 0 || height % 2 != 0) {
            throw new IllegalArgumentException("size " + width + "x" + height + " must have even sides for yuv420p H.264");
        }
        NativeLibs.ensureLoaded();
        this.width = width;
        this.height = height;
        this.pixels = ByteBuffer.allocateDirect(width * height * 3);
        this.bytes = new byte[width * height * 3];
        recorder = new FFmpegFrameRecorder(file.toFile(), width, height, 0);
        recorder.setFormat("mp4");
        recorder.setVideoCodec(avcodec.AV_CODEC_ID_H264);
        recorder.setPixelFormat(avutil.AV_PIX_FMT_YUV420P);
        // accurate rounding and a bicubic chroma filter: about +1.5 dB on the BGR to yuv420p conversion
        recorder.setImageScalingFlags(swscale.SWS_BICUBIC | swscale.SWS_ACCURATE_RND);
        recorder.setFrameRate(fps);
        recorder.setGopSize(Math.max(1, fps * 2));
        recorder.setVideoOption("preset", PRESET);
        recorder.setVideoOption("crf", String.valueOf(CRF));
        int last = frameCount - 1;
        // no-mbtree: with macroblock-tree rate control this libx264 build gave different bitstreams for the same
        // frames from run to run (one thread too; JavaCV issue #1293 reports the same); without it output is repeatable
        // threads fixed: x264's frame threads change the bitstream, and by default it takes 1.5 per CPU, so the same
        // frames gave different MP4s on one CPU and on two (ProcessDeterminismTest); 4 keeps a few cores busy anywhere
        recorder.setVideoOption("x264-params", "threads=" + X264_THREADS + ":no-mbtree=1:zones=0,0,q=" + KEYFRAME_QP
                + (last > 0 ? "/" + last + "," + last + ",q=" + KEYFRAME_QP : ""));
        recorder.setOption("movflags", "+faststart");
        recorder.setMetadata("encoder", "Framegate offline engine");
    }

    void write(Mat bgr) throws IOException {
        if (bgr.cols() != width || bgr.rows() != height || bgr.channels() != 3) {
            throw new IllegalArgumentException("frame " + written + " is " + bgr.cols() + "x" + bgr.rows() + "x"
                    + bgr.channels() + ", expected " + width + "x" + height + "x3");
        }
        if (!started) {
            recorder.start();
            started = true;
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
