package io.framegate.cli;

import io.framegate.domain.GenerationContext;
import io.framegate.domain.OutputFiles;
import io.framegate.domain.ProgressListener;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The context of a CLI generation through a routed backend: the backend writes into hidden part files beside the
 * targets, which are moved into place only when it succeeds, so a failure leaves no partial output.
 */
final class CliContext implements GenerationContext {
    private final OutputFiles target;
    private final OutputFiles parts;
    private final ProgressListener progress;
    private final Map<String, String> notes = new LinkedHashMap<>();
    private String checkpoint;

    CliContext(OutputFiles target, ProgressListener progress) {
        this.target = target;
        this.progress = progress;
        this.parts = new OutputFiles(part(target.video()), part(target.thumbnail()), part(target.spritesheet()),
                target.framesDir());
    }

    private static Path part(Path p) {
        return p.resolveSibling("." + p.getFileName() + ".part");
    }

    @Override
    public String jobId() {
        return "cli";
    }

    @Override
    public OutputFiles output(int index) {
        if (index != 0) throw new IllegalArgumentException("the CLI makes one video per run");
        return parts;
    }

    @Override
    public ProgressListener progress() {
        return progress;
    }

    @Override
    public Optional<String> checkpoint() {
        return Optional.ofNullable(checkpoint);
    }

    @Override
    public void saveCheckpoint(String state) {
        checkpoint = state;
    }

    @Override
    public synchronized void note(String key, String value) {
        notes.put(key, value);
    }

    @Override
    public boolean isCancelled() {
        return false;
    }

    synchronized Map<String, String> notes() {
        return new LinkedHashMap<>(notes);
    }

    /** Moves the finished part files into place (the video last, so its presence means the run succeeded). */
    void commit() throws IOException {
        for (Path[] pair : new Path[][]{{parts.thumbnail(), target.thumbnail()}, {parts.spritesheet(), target.spritesheet()},
                {parts.video(), target.video()}}) {
            if (Files.exists(pair[0])) Files.move(pair[0], pair[1], StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
    }

    void discard() {
        for (Path p : new Path[]{parts.video(), parts.thumbnail(), parts.spritesheet()}) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException ignored) {
                // best effort: a stray hidden part file is harmless
            }
        }
    }
}
