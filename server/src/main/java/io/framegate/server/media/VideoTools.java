package io.framegate.server.media;

import org.bytedeco.ffmpeg.global.avcodec;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.FFmpegFrameRecorder;
import org.bytedeco.javacv.FFmpegLogCallback;
import org.bytedeco.javacv.Frame;
import org.bytedeco.javacv.Java2DFrameConverter;

import javax.imageio.ImageIO;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What the server does to finished videos with FFmpeg (JavaCV): take the last frame (to continue a video), stitch
 * two videos (an extension after its source), and make the two previews (WebP thumbnail, JPEG sprite sheet).
 */
public final class VideoTools {
    /** Frames in a sprite sheet: a 5 x 5 grid. */
    public static final int SPRITE_COLUMNS = 5;
    public static final int SPRITE_ROWS = 5;
    /** Width of one sprite sheet tile in pixels. */
    public static final int SPRITE_TILE_WIDTH = 160;

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
            try (FFmpegFrameRecorder rec = h264Recorder(out, a.getImageWidth(), a.getImageHeight(), fps)) {
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

    /** An H.264 (yuv420p) MP4 recorder for frames of this size. */
    public static FFmpegFrameRecorder h264Recorder(Path out, int width, int height, double fps) {
        FFmpegFrameRecorder rec = new FFmpegFrameRecorder(out.toFile(), width, height, 0);
        rec.setFormat("mp4");
        rec.setVideoCodec(avcodec.AV_CODEC_ID_H264);
        rec.setPixelFormat(avutil.AV_PIX_FMT_YUV420P);
        rec.setFrameRate(fps);
        rec.setVideoOption("preset", "veryfast");
        rec.setVideoOption("crf", "20");
        rec.setOption("movflags", "+faststart");
        return rec;
    }

    /** Writes the WebP thumbnail (the middle frame) and the JPEG sprite sheet of a video. */
    public static void previews(Path video, Path thumbnailWebp, Path spritesheetJpg) throws IOException {
        List<BufferedImage> frames = new ArrayList<>();
        try (FFmpegFrameGrabber g = new FFmpegFrameGrabber(video.toFile());
             Java2DFrameConverter conv = new Java2DFrameConverter()) {
            g.start();
            Frame f;
            while ((f = g.grabImage()) != null) frames.add(scaled(conv.convert(f), Math.min(640, g.getImageWidth())));
        }
        if (frames.isEmpty()) throw new IOException(video + " has no frames");
        if (thumbnailWebp != null) writeWebp(frames.get(frames.size() / 2), thumbnailWebp);
        if (spritesheetJpg != null) writeSpritesheet(frames, spritesheetJpg);
    }

    private static void writeSpritesheet(List<BufferedImage> frames, Path out) throws IOException {
        int tiles = SPRITE_COLUMNS * SPRITE_ROWS;
        BufferedImage sample = frames.get(0);
        int tw = SPRITE_TILE_WIDTH;
        int th = Math.max(2, Math.round((float) sample.getHeight() * tw / sample.getWidth()));
        BufferedImage sheet = new BufferedImage(tw * SPRITE_COLUMNS, th * SPRITE_ROWS, BufferedImage.TYPE_INT_RGB);
        Graphics2D gr = sheet.createGraphics();
        gr.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        for (int i = 0; i < tiles; i++) {
            int idx = (int) Math.min(frames.size() - 1, Math.round((double) i * (frames.size() - 1) / (tiles - 1)));
            gr.drawImage(frames.get(idx), (i % SPRITE_COLUMNS) * tw, (i / SPRITE_COLUMNS) * th, tw, th, null);
        }
        gr.dispose();
        Files.createDirectories(out.toAbsolutePath().getParent());
        if (!ImageIO.write(sheet, "jpg", out.toFile())) throw new IOException("no JPEG writer");
    }

    private static void writeWebp(BufferedImage img, Path out) throws IOException {
        int w = img.getWidth() & ~1;
        int h = img.getHeight() & ~1;
        Files.createDirectories(out.toAbsolutePath().getParent());
        try (FFmpegFrameRecorder rec = new FFmpegFrameRecorder(out.toFile(), w, h, 0);
             Java2DFrameConverter conv = new Java2DFrameConverter()) {
            rec.setFormat("webp");
            rec.setVideoCodec(avcodec.AV_CODEC_ID_WEBP);
            rec.setPixelFormat(avutil.AV_PIX_FMT_YUV420P);
            rec.setFrameRate(1);
            rec.setVideoOption("loop", "0");
            rec.start();
            BufferedImage even = img.getWidth() == w && img.getHeight() == h ? img : img.getSubimage(0, 0, w, h);
            rec.record(conv.convert(toBgr(even)));
            rec.stop();
        }
    }

    private static BufferedImage scaled(BufferedImage src, int width) {
        int w = Math.max(2, width & ~1);
        int h = Math.max(2, Math.round((float) src.getHeight() * w / src.getWidth()) & ~1);
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
        Graphics2D g = out.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.drawImage(src, 0, 0, w, h, null);
        g.dispose();
        return out;
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
