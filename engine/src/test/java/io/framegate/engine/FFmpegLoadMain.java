package io.framegate.engine;

import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.opencv.core.CvType;
import org.opencv.core.Mat;
import org.opencv.core.Scalar;

import java.nio.file.Path;

/** A fresh process for {@code NativeLibsTest}: loads FFmpeg, writes a video and reads it back; prints how it loaded. */
public final class FFmpegLoadMain {
    public static void main(String[] args) throws Exception {
        NativeLibs.ensureLoaded();
        NativeLibs.ensureFFmpegLoaded();
        Path mp4 = Path.of(args[0]);
        try (VideoEncoder encoder = new VideoEncoder(mp4, 64, 48, 24, 3)) {
            Mat frame = new Mat(48, 64, CvType.CV_8UC3, new Scalar(10, 20, 30));
            for (int i = 0; i < 3; i++) encoder.write(frame);
            encoder.finish();
            frame.release();
        }
        int frames = 0;
        try (FFmpegFrameGrabber grabber = new FFmpegFrameGrabber(mp4.toFile())) {
            grabber.start();
            while (grabber.grabImage() != null) frames++;
            grabber.stop();
        }
        System.out.println("ffmpeg " + NativeLibs.ffmpegHow() + "; frames read back " + frames);
    }
}
