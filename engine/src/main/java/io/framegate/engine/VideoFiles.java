package io.framegate.engine;

import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameRecorder;
import org.bytedeco.javacv.Frame;
import org.opencv.core.Mat;

import java.io.IOException;
import java.nio.file.Path;

/**
 * What is done to finished videos: measure one, take one of its frames as PNG (a frame of a result named as an input
 * image, the last frame of a video to extend), stitch two (an extension after its source, with the one {@link H264}
 * set-up). Decoding goes through {@link VideoReader}, as for previews.
 */
public final class VideoFiles {
    /** A negative frame number: the last frame. */
    public static final int LAST = -1;

    private VideoFiles() {
    }

    /** The facts about a video that the server reports; {@code frames} are counted by decoding them all. */
    public record Info(int width, int height, double fps, int frames, double seconds) {
    }

    /** A frame taken from a video: its PNG bytes (null when the video has no such frame) and the frames counted. */
    public record TakenFrame(byte[] png, int count) {
    }

    public static Info probe(Path video) throws IOException {
        try (VideoReader r = new VideoReader(video)) {
            while (r.nextFrame() != null) {
                // counting
            }
            double fps = r.fps();
            return new Info(r.width(), r.height(), fps, r.read(), fps > 0 ? r.read() / fps : 0);
        }
    }

    /**
     * Frame {@code n} (from 0; {@link #LAST} or any negative number for the last frame) as PNG bytes. Decodes up to
     * that frame only, or to the end when it is past the last one (then {@code png} is null and {@code count} says how
     * many frames there are).
     */
    public static TakenFrame framePng(Path video, int n) throws IOException {
        NativeLibs.ensureLoaded();
        Mat kept = null;
        try (VideoReader r = new VideoReader(video)) {
            Mat bgr;
            while ((bgr = r.next()) != null) {
                if (n < 0 || r.read() - 1 == n) {
                    if (kept == null) kept = new Mat();
                    bgr.copyTo(kept);
                    if (n >= 0) break;
                }
            }
            if (kept == null) return new TakenFrame(null, r.read());
            byte[] png = Previews.encode(".png", kept, org.opencv.imgcodecs.Imgcodecs.IMWRITE_PNG_COMPRESSION, 3);
            return new TakenFrame(png, r.read());
        } finally {
            if (kept != null) kept.release();
        }
    }

    /**
     * Writes {@code first} followed by {@code second} to {@code out} as H.264 MP4 at the first video's size and rate.
     * With {@code dropFirstOfSecond} the second video's first frame is skipped (it repeats the first video's last
     * frame when the second was rendered from it).
     */
    public static void concat(Path first, Path second, Path out, boolean dropFirstOfSecond) throws IOException {
        try (VideoReader a = new VideoReader(first); VideoReader b = new VideoReader(second)) {
            if (a.width() != b.width() || a.height() != b.height()) {
                throw new IOException("cannot stitch videos of different sizes: " + a.width() + "x" + a.height()
                        + " and " + b.width() + "x" + b.height());
            }
            double fps = a.fps() > 0 ? a.fps() : 24;
            int frames = a.expectedFrames() + b.expectedFrames() - (dropFirstOfSecond ? 1 : 0);
            try (FFmpegFrameRecorder rec = H264.recorder(out, a.width(), a.height(), fps, frames)) {
                rec.start();
                Frame f;
                while ((f = a.nextFrame()) != null) rec.record(f, avutil.AV_PIX_FMT_BGR24);
                while ((f = b.nextFrame()) != null) {
                    if (dropFirstOfSecond && b.read() == 1) continue;
                    rec.record(f, avutil.AV_PIX_FMT_BGR24);
                }
                rec.stop();
            }
        }
    }
}
