package io.framegate.server.media;

import io.framegate.engine.H264;
import io.framegate.engine.Previews;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.FFmpegFrameRecorder;
import org.bytedeco.javacv.FFmpegLogCallback;
import org.bytedeco.javacv.Frame;
import org.bytedeco.javacv.Java2DFrameConverter;

import javax.imageio.ImageIO;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;

/**
 * What the server does to finished videos with FFmpeg (JavaCV): take the last frame (to continue a video) and stitch
 * two videos (an extension after its source, encoded with the engine's {@link H264} set-up). Previews come from the
 * engine's {@link Previews}.
 */
public final class VideoTools {
    static {
        avutil.av_log_set_level(avutil.AV_LOG_ERROR);
        FFmpegLogCallback.setLevel(avutil.AV_LOG_ERROR);
    }

    private VideoTools() {
    }

    /** The facts about a video that the server reports. */
    public record VideoInfo(int width, int height, double fps, int frames, double seconds) {
    }

    public static VideoInfo probe(Path video) throws IOException {
        try (FFmpegFrameGrabber g = new FFmpegFrameGrabber(video.toFile())) {
            g.start();
            int frames = 0;
            while (g.grabImage() != null) frames++;
            double fps = g.getFrameRate();
            return new VideoInfo(g.getImageWidth(), g.getImageHeight(), fps, frames, fps > 0 ? frames / fps : 0);
        }
    }

    /** The last frame as PNG bytes. */
    public static byte[] lastFramePng(Path video) throws IOException {
        BufferedImage last = null;
        try (FFmpegFrameGrabber g = new FFmpegFrameGrabber(video.toFile());
             Java2DFrameConverter conv = new Java2DFrameConverter()) {
            g.start();
            Frame f;
            Frame kept = null;
            while ((f = g.grabImage()) != null) {
                if (kept != null) kept.close();
                kept = f.clone();
            }
            if (kept == null) throw new IOException(video + " has no frames");
            last = deepCopy(conv.convert(kept));
            kept.close();
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(last, "png", out);
        return out.toByteArray();
    }

    /** A frame taken from a video: its PNG bytes (null when the video has no such frame) and the frames counted. */
    public record TakenFrame(byte[] png, int count) {
    }

    /**
     * Frame {@code n} (from 0; a negative {@code n} for the last frame) as PNG bytes. Decodes up to that frame only,
     * or to the end when it is past the last one (then {@code png} is null and {@code count} says how many there are).
     */
    public static TakenFrame framePng(Path video, int n) throws IOException {
        BufferedImage picked = null;
        int count = 0;
        try (FFmpegFrameGrabber g = new FFmpegFrameGrabber(video.toFile());
             Java2DFrameConverter conv = new Java2DFrameConverter()) {
            g.start();
            Frame f;
            Frame kept = null;
            while ((f = g.grabImage()) != null) {
                if (n < 0) {
                    if (kept != null) kept.close();
                    kept = f.clone();
                } else if (count == n) {
                    picked = deepCopy(conv.convert(f));
                    count++;
                    break;
                }
                count++;
            }
            if (kept != null) {
                picked = deepCopy(conv.convert(kept));
                kept.close();
            }
        }
        if (picked == null) return new TakenFrame(null, count);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(picked, "png", out);
        return new TakenFrame(out.toByteArray(), count);
    }

    /**
     * Writes {@code first} followed by {@code second} to {@code out} as H.264 MP4 at the first video's size and rate.
     * With {@code dropFirstOfSecond} the second video's first frame is skipped (it repeats the first video's last
     * frame when the second was rendered from it).
     */
    public static void concat(Path first, Path second, Path out, boolean dropFirstOfSecond) throws IOException {
        try (FFmpegFrameGrabber a = new FFmpegFrameGrabber(first.toFile());
             FFmpegFrameGrabber b = new FFmpegFrameGrabber(second.toFile())) {
            a.start();
            b.start();
            if (a.getImageWidth() != b.getImageWidth() || a.getImageHeight() != b.getImageHeight()) {
                throw new IOException("cannot stitch videos of different sizes: " + a.getImageWidth() + "x"
                        + a.getImageHeight() + " and " + b.getImageWidth() + "x" + b.getImageHeight());
            }
            double fps = a.getFrameRate() > 0 ? a.getFrameRate() : 24;
            int frames = Previews.frameCount(a) + Previews.frameCount(b) - (dropFirstOfSecond ? 1 : 0);
            try (FFmpegFrameRecorder rec = H264.recorder(out, a.getImageWidth(), a.getImageHeight(), fps, frames)) {
                rec.start();
                Frame f;
                while ((f = a.grabImage()) != null) rec.record(f, avutil.AV_PIX_FMT_BGR24);
                boolean skip = dropFirstOfSecond;
                while ((f = b.grabImage()) != null) {
                    if (skip) {
                        skip = false;
                        continue;
                    }
                    rec.record(f, avutil.AV_PIX_FMT_BGR24);
                }
                rec.stop();
            }
        }
    }

    private static BufferedImage toBgr(BufferedImage src) {
        if (src.getType() == BufferedImage.TYPE_3BYTE_BGR) return src;
        BufferedImage out = new BufferedImage(src.getWidth(), src.getHeight(), BufferedImage.TYPE_3BYTE_BGR);
        Graphics2D g = out.createGraphics();
        g.drawImage(src, 0, 0, null);
        g.dispose();
        return out;
    }

    private static BufferedImage deepCopy(BufferedImage src) {
        return toBgr(src).getSubimage(0, 0, src.getWidth(), src.getHeight());
    }
}
