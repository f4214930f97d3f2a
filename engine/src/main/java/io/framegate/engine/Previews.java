package io.framegate.engine;

import org.opencv.core.CvType;
import org.opencv.core.Mat;
import org.opencv.core.Rect;
import org.opencv.core.Scalar;
import org.opencv.core.Size;
import org.opencv.imgcodecs.Imgcodecs;
import org.opencv.imgproc.Imgproc;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The two previews the OpenAI Videos API offers next to a video: a thumbnail (WebP, full frame size, the middle frame)
 * and a spritesheet (JPEG grid of up to {@value #MAX_TILES} frames spread evenly over the video, tiles at most
 * {@value #TILE_MAX_WIDTH} px wide). The engine feeds its frames to a {@link Collector} while encoding; cloud
 * providers call {@link #fromVideo}, which decodes an MP4 through the same collector.
 */
public final class Previews {
    static final int MAX_TILES = 25;
    static final int TILE_MAX_WIDTH = 256;
    static final int WEBP_QUALITY = 90;
    static final int JPEG_QUALITY = 85;

    private Previews() {
    }

    /**
     * Writes the thumbnail and spritesheet of an MP4 (atomically: temp file, then move); either target may be null
     * (not wanted). The frames are chosen exactly as for a video the engine renders (the same {@link Collector} with
     * the video's exact frame count), so a stitched extension, a remix and a cloud result get the previews a fresh
     * render of the same frames gets.
     */
    public static void fromVideo(Path mp4, Path thumbnail, Path spritesheet) throws IOException {
        if (thumbnail == null && spritesheet == null) return;
        NativeLibs.ensureLoaded();
        try (VideoReader video = new VideoReader(mp4)) {
            Collector collector = new Collector(video.expectedFrames());
            AtomicFiles files = new AtomicFiles();
            try {
                Mat bgr;
                while ((bgr = video.next()) != null) collector.accept(bgr);
                if (collector.seen() == 0) throw new IOException(mp4 + ": no video frame to make previews from");
                collector.writeTo(thumbnail != null ? files.temp(thumbnail) : null,
                        spritesheet != null ? files.temp(spritesheet) : null);
                files.commit();
            } finally {
                files.abort();
                collector.release();
            }
        }
    }

    /**
     * Receives every frame of a video in order and keeps only what the previews need: the middle frame and a bounded
     * set of small tiles (memory does not grow with the duration).
     */
    public static final class Collector {
        private final int expectedFrames;
        private final int thumbnailIndex;
        private Mat thumbnail;
        private Mat lastFrame;
        /** Kept tiles with their frame indices; every {@code stride}-th frame is kept, stride doubles when full. */
        private final List<Mat> tiles = new ArrayList<>();
        private final List<Integer> tileIndices = new ArrayList<>();
        private int stride;
        private int seen;

        /** @param expectedFrames how many frames will come (an estimate is fine) */
        public Collector(int expectedFrames) {
            this.expectedFrames = Math.max(1, expectedFrames);
            this.thumbnailIndex = (this.expectedFrames - 1) / 2;
            this.stride = Math.max(1, this.expectedFrames / MAX_TILES);
        }

        /** Takes frame number {@link #seen()}; the frame is copied as needed, the caller keeps ownership. */
        public void accept(Mat bgr) {
            int index = seen++;
            if (index == thumbnailIndex) thumbnail = bgr.clone();
            if (index >= expectedFrames - 1) {
                if (lastFrame == null) lastFrame = new Mat();
                bgr.copyTo(lastFrame);
            }
            if (index % stride == 0) {
                tiles.add(tile(bgr));
                tileIndices.add(index);
                if (tiles.size() >= 2 * MAX_TILES) {
                    stride *= 2;
                    for (int i = tiles.size() - 1; i >= 0; i--) {
                        if (tileIndices.get(i) % stride != 0) {
                            tiles.remove(i).release();
                            tileIndices.remove(i);
                        }
                    }
                }
            }
        }

        public int seen() {
            return seen;
        }

        /** How many sampled tiles are held now (at most twice {@value #MAX_TILES}, however many frames came). */
        int keptTiles() {
            return tiles.size();
        }

        /** Encodes the previews to the given files (a null file: not wanted). */
        public void writeTo(Path thumbnailFile, Path spritesheetFile) throws IOException {
            if (seen == 0) throw new IOException("no frame was collected");
            // fewer frames than expected: the last frame, else the last tile, rather than no thumbnail
            Mat thumb = thumbnail != null ? thumbnail : lastFrame != null ? lastFrame : tiles.getLast();
            if (thumbnailFile != null) {
                Files.write(thumbnailFile, encode(".webp", thumb, Imgcodecs.IMWRITE_WEBP_QUALITY, WEBP_QUALITY));
            }
            if (spritesheetFile == null) return;
            Mat sheet = spritesheet();
            try {
                Files.write(spritesheetFile, encode(".jpg", sheet, Imgcodecs.IMWRITE_JPEG_QUALITY, JPEG_QUALITY));
            } finally {
                sheet.release();
            }
        }

        public void release() {
            if (thumbnail != null) thumbnail.release();
            if (lastFrame != null) lastFrame.release();
            tiles.forEach(Mat::release);
            tiles.clear();
            tileIndices.clear();
        }

        /** Up to {@value #MAX_TILES} tiles chosen evenly from the kept ones, in a near-square grid. */
        private Mat spritesheet() {
            int kept = tiles.size();
            int count = Math.min(MAX_TILES, kept);
            int cols = (int) Math.ceil(Math.sqrt(count));
            int rows = (int) Math.ceil((double) count / cols);
            Mat first = tiles.getFirst();
            int tw = first.cols();
            int th = first.rows();
            Mat sheet = new Mat(rows * th, cols * tw, CvType.CV_8UC3, new Scalar(0, 0, 0));
            for (int k = 0; k < count; k++) {
                int pick = count == 1 ? 0 : (int) Math.round((double) k * (kept - 1) / (count - 1));
                tiles.get(pick).copyTo(sheet.submat(new Rect((k % cols) * tw, (k / cols) * th, tw, th)));
            }
            return sheet;
        }

        private static Mat tile(Mat bgr) {
            int tw = Math.min(TILE_MAX_WIDTH, bgr.cols());
            int th = Math.max(1, (int) Math.round((double) bgr.rows() * tw / bgr.cols()));
            Mat out = new Mat();
            Imgproc.resize(bgr, out, new Size(tw, th), 0, 0, Imgproc.INTER_AREA);
            return out;
        }
    }

    static byte[] encode(String ext, Mat image, int param, int value) throws IOException {
        try {
            return ImageDecoder.encode(ext, image, param, value);
        } catch (IllegalStateException e) {
            throw new IOException(e.getMessage(), e);
        }
    }
}
