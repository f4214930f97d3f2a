package io.framegate.engine;

import org.opencv.core.Mat;
import org.opencv.core.MatOfByte;
import org.opencv.imgcodecs.Imgcodecs;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * For {@code OpenCvLogTest}, in a process of its own: loads the natives as the engine does ({@code loaded FILE}), or
 * then puts OpenCV's log back to errors ({@code plain FILE}); then OpenCV's own decoder is given the file, without the
 * engine's checks in front, and whatever OpenCV logs goes to this process's stderr. Prints the level OpenCV's log had
 * after the load; exit 0 when the file did not decode.
 */
final class OpenCvLogProbe {
    /** {@code LOG_LEVEL_ERROR}: what OpenCV logs a decoder's refusal at. */
    private static final int ERROR = 2;

    public static void main(String[] args) throws Exception {
        NativeLibs.ensureLoaded();
        int level = args[0].equals("plain") ? OpenCvLog.setLevel(ERROR) : -1;
        MatOfByte buf = new MatOfByte(Files.readAllBytes(Path.of(args[1])));
        Mat m = Imgcodecs.imdecode(buf, Imgcodecs.IMREAD_COLOR);
        if (level < 0) level = OpenCvLog.setLevel(OpenCvLog.SILENT); // reads it (as it was: silent, or not)
        System.out.println("level after loading=" + level + " decoded=" + !m.empty());
        System.exit(m.empty() ? 0 : 1);
    }
}
