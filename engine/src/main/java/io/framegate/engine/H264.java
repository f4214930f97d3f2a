package io.framegate.engine;

import org.bytedeco.ffmpeg.global.avcodec;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.ffmpeg.global.swscale;
import org.bytedeco.javacv.FFmpegFrameRecorder;

import java.nio.file.Path;

/**
 * The one H.264 set-up (libx264, yuv420p, MP4 with the moov atom first) for every video Framegate writes: the engine's
 * renders and the server's stitched extensions. The first and last frames get a fixed low quantiser through x264
 * zones: they are the user's keyframes (or the seam of an extension) and must survive encoding with high fidelity,
 * while the in-betweens use CRF.
 */
public final class H264 {
    /** libx264 preset: fast enough to keep up with synthesis on two cores. */
    public static final String PRESET = "veryfast";
    public static final int CRF = 18;
    /** Quantiser of the first and last frames (x264 QP; lower is better). */
    public static final int KEYFRAME_QP = 6;
    /** x264 frame threads, the same on every machine so that the bitstream does not depend on the CPU count. */
    public static final int X264_THREADS = 4;

    private H264() {
    }

    static void requireEvenSides(int width, int height) {
        if (width % 2 != 0 || height % 2 != 0) {
            throw new IllegalArgumentException("size " + width + "x" + height + " must have even sides for yuv420p H.264");
        }
    }

    /**
     * A recorder (not started) for BGR frames of this size.
     *
     * @param frameCount how many frames will be written (for the last frame's zone); 0 or less when unknown
     */
    public static FFmpegFrameRecorder recorder(Path file, int width, int height, double fps, int frameCount) {
        requireEvenSides(width, height);
        NativeLibs.ensureFFmpegLoaded();
        FFmpegFrameRecorder recorder = new FFmpegFrameRecorder(file.toFile(), width, height, 0);
        recorder.setFormat("mp4");
        recorder.setVideoCodec(avcodec.AV_CODEC_ID_H264);
        recorder.setPixelFormat(avutil.AV_PIX_FMT_YUV420P);
        // accurate rounding and a bicubic chroma filter: about +1.5 dB on the BGR to yuv420p conversion
        recorder.setImageScalingFlags(swscale.SWS_BICUBIC | swscale.SWS_ACCURATE_RND);
        recorder.setFrameRate(fps);
        recorder.setGopSize(Math.max(1, (int) Math.round(fps * 2)));
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
        return recorder;
    }
}
