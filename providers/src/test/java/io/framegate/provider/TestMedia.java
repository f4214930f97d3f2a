package io.framegate.provider;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.FFmpegFrameRecorder;
import org.bytedeco.javacv.Frame;
import org.bytedeco.javacv.OpenCVFrameConverter;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Point;
import org.bytedeco.opencv.opencv_core.Rect;
import org.bytedeco.opencv.opencv_core.Scalar;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.bytedeco.ffmpeg.global.avcodec.AV_CODEC_ID_H264;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_YUV420P;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imdecode;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imencode;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_COLOR;
import static org.bytedeco.opencv.global.opencv_imgproc.circle;
import static org.bytedeco.opencv.global.opencv_imgproc.rectangle;

/** Real media for the upstream stand-ins: a tiny H.264 MP4 made with FFmpeg, and images made with OpenCV. */
final class TestMedia {
    private static byte[] mp4;

    private TestMedia() {
    }

    /** A 64x36, 12-frame H.264 MP4 (a moving square), made once per test run. */
    static synchronized byte[] mp4() throws IOException {
        if (mp4 != null) return mp4;
        Path file = Files.createTempFile("framegate-test-", ".mp4");
        try (FFmpegFrameRecorder rec = new FFmpegFrameRecorder(file.toFile(), 64, 36, 0);
             OpenCVFrameConverter.ToMat conv = new OpenCVFrameConverter.ToMat()) {
            rec.setFormat("mp4");
            rec.setVideoCodec(AV_CODEC_ID_H264);
            rec.setPixelFormat(AV_PIX_FMT_YUV420P);
            rec.setFrameRate(24);
            rec.start();
            for (int i = 0; i < 12; i++) {
                try (Mat m = new Mat(36, 64, CV_8UC3, new Scalar(40, 80, 120, 0))) {
                    rectangle(m, new Rect(4 + i * 3, 8, 12, 12), new Scalar(255, 255, 255, 0), -1, 8, 0);
                    rec.record(conv.convert(m));
                }
            }
            rec.stop();
        }
        mp4 = Files.readAllBytes(file);
        Files.delete(file);
        return mp4;
    }

    /** A PNG of the given size: flat grey with a detailed disc at ({@code cx}, {@code cy}). */
    static byte[] png(int w, int h, int cx, int cy) {
        try (Mat m = new Mat(h, w, CV_8UC3, new Scalar(128, 128, 128, 0))) {
            int r = Math.max(4, Math.min(w, h) / 8);
            for (int k = r; k > 0; k -= 3) {
                circle(m, new Point(cx, cy), k, k % 2 == 0 ? new Scalar(0, 0, 0, 0) : new Scalar(255, 255, 255, 0), -1, 8, 0);
            }
            return encode(m, ".png");
        }
    }

    static byte[] encode(Mat m, String ext) {
        try (BytePointer buf = new BytePointer()) {
            imencode(ext, m, buf);
            byte[] b = new byte[(int) buf.limit()];
            buf.get(b);
            return b;
        }
    }

    static Mat decode(byte[] bytes) {
        try (Mat buf = new Mat(1, bytes.length, org.bytedeco.opencv.global.opencv_core.CV_8U)) {
            buf.data().put(bytes);
            return imdecode(buf, IMREAD_COLOR);
        }
    }

    /** Frames in an MP4, read back with FFmpeg: proves a downloaded file is a real, decodable video. */
    static int frameCount(Path video) throws IOException {
        try (FFmpegFrameGrabber g = new FFmpegFrameGrabber(video.toFile())) {
            g.start();
            int n = 0;
            Frame f;
            while ((f = g.grabImage()) != null) n++;
            g.stop();
            return n;
        }
    }
}
