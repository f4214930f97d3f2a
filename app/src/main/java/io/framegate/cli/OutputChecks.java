package io.framegate.cli;

import io.framegate.domain.OutputFiles;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * What `generate` and `interpolate` refuse about their output files before any work: a name that does not end in
 * .mp4 (the video is always H.264 in MP4; an `-o clip.avi` once got MP4 bytes under an AVI name), a video or preview
 * name that is a directory, an -o whose nearest existing parent is a file or not writable, a --frames that is a file.
 */
final class OutputChecks {
    private OutputChecks() {
    }

    /**
     * Adds a problem per thing wrong with {@code files} ({@code output} as the user gave it); {@code previews}: whether
     * the command writes the thumbnail and spritesheet too.
     */
    static void check(Path output, OutputFiles files, boolean previews, List<String> problems) {
        String name = files.video().getFileName().toString();
        if (!name.toLowerCase(Locale.ROOT).endsWith(".mp4")) {
            problems.add("-o " + output + ": the video is written as H.264 in an MP4 file; give a name ending in .mp4");
        }
        if (Files.isDirectory(files.video())) {
            problems.add("-o " + output + ": is a directory; give the name of the MP4 to write");
        }
        if (previews) {
            for (Path preview : List.of(files.thumbnail(), files.spritesheet())) {
                if (Files.isDirectory(preview)) {
                    problems.add("-o " + output + ": its preview " + preview + " is a directory; remove it or choose "
                            + "another -o");
                }
            }
        }
        Path parent = files.video().getParent();
        while (parent != null && !Files.exists(parent)) parent = parent.getParent();
        if (parent != null && !Files.isDirectory(parent)) {
            problems.add("-o " + output + ": cannot write there: " + parent + " is a file, not a directory");
        } else if (parent != null && !Files.isWritable(parent)) {
            problems.add("-o " + output + ": cannot write there: " + parent + " is not writable");
        }
        Path framesDir = files.framesDir();
        if (framesDir != null && Files.exists(framesDir) && !Files.isDirectory(framesDir)) {
            problems.add("--frames " + framesDir + ": is a file, not a directory");
        }
    }
}
