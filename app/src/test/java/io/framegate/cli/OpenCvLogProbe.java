package io.framegate.cli;

import org.opencv.core.Mat;
import org.opencv.core.MatOfByte;
import org.opencv.imgcodecs.Imgcodecs;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * For {@code CliImageInputTest}, in a process of its own: {@code silence FILE} silences OpenCV's log as the CLI does,
 * {@code plain FILE} does not; then OpenCV's own decoder is given the file, without the engine's checks in front, and
 * whatever OpenCV logs goes to this process's stderr. Exit 0 when the file did not decode.
 */
final class OpenCvLogProbe {
    public static void main(String[] args) throws Exception {
        boolean silenced = args[0].equals("silence") && OpenCvLog.silence();
        if (args[0].equals("plain")) OpenCvLog.loadNatives();
        MatOfByte buf = new MatOfByte(Files.readAllBytes(Path.of(args[1])));
        Mat m = Imgcodecs.imdecode(buf, Imgcodecs.IMREAD_COLOR);
        System.out.println("silenced=" + silenced + " decoded=" + !m.empty());
        System.exit(m.empty() ? 0 : 1);
    }
}
