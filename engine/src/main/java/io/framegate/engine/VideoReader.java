package io.framegate.engine;

import org.bytedeco.ffmpeg.avformat.AVFormatContext;
import org.bytedeco.ffmpeg.avformat.AVStream;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.Frame;
import org.bytedeco.javacv.OpenCVFrameConverter;
import org.opencv.core.Mat;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Decodes a video file's frames in order: the one decoding loop of the engine (previews, the fidelity check, taking a
 * frame, stitching). Each frame is valid until the next call; callers copy what they keep.
 */
final class VideoReader implements AutoCloseable {
    private final FFmpegFrameGrabber grabber;
    private OpenCVFrameConverter.ToOrgOpenCvCoreMat converter;
    private int read;

    VideoReader(Path video) throws IOException {
        NativeLibs.ensureFFmpegLoaded();
        grabber = new FFmpegFrameGrabber(video.toFile());
        try {
            grabber.start();
        } catch (IOException | RuntimeException e) {
            grabber.release();
            throw e;
        }
    }

    int width() {
        return grabber.getImageWidth();
    }

    int height() {
        return grabber.getImageHeight();
    }

    /** The frame rate the container states, or 0 when it states none. */
    double fps() {
        return grabber.getFrameRate();
    }

    /** The frames of the first video stream as the container counts them (exact in MP4), else FFmpeg's estimate. */
    int expectedFrames() {
        AVFormatContext fc = grabber.getFormatContext();
        for (int i = 0; fc != null && i < fc.nb_streams(); i++) {
            AVStream st = fc.streams(i);
            if (st.codecpar().codec_type() == avutil.AVMEDIA_TYPE_VIDEO && st.nb_frames() > 0) {
                return (int) Math.min(Integer.MAX_VALUE, st.nb_frames());
            }
        }
        return Math.max(1, grabber.getLengthInVideoFrames());
    }

    /** How many frames were read so far. */
    int read() {
        return read;
    }

    /** The next decoded frame as JavaCV holds it, or null at the end. */
    Frame nextFrame() throws IOException {
        Frame f = grabber.grabImage();
        if (f != null) read++;
        return f;
    }

    /** The next decoded frame as a BGR image (owned by the reader), or null at the end. */
    Mat next() throws IOException {
        Frame f = nextFrame();
        if (f == null) return null;
        if (converter == null) converter = new OpenCVFrameConverter.ToOrgOpenCvCoreMat();
        return converter.convert(f);
    }

    @Override
    public void close() throws IOException {
        try {
            grabber.close();
        } finally {
            if (converter != null) converter.close();
        }
    }
}
