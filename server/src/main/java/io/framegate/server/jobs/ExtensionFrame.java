package io.framegate.server.jobs;

import io.framegate.domain.GenerationException;
import io.framegate.domain.GenerationRequest;
import io.framegate.domain.ImageRole;
import io.framegate.domain.InputImage;
import io.framegate.engine.VideoFiles;
import io.framegate.server.storage.ResultStore;
import io.framegate.server.storage.StoredObject;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The image an extension starts from is the last frame of the video it continues. A surface submits a
 * {@link #placeholder} in its place (so validation and routing see the role); the worker reads the stored source
 * video ({@link JobService#EXTENSION_SOURCE}) and puts the real frame in before generating. Decoding a video thus
 * never happens on an HTTP thread.
 */
public final class ExtensionFrame {
    /** The {@link InputImage#source()} that marks the placeholder. */
    public static final String SOURCE = "framegate:last-frame-of-extended-video";
    /**
     * A source video above this size is refused rather than copied (Framegate's own videos are far smaller); copies
     * are streamed, never read whole into memory.
     */
    public static final long MAX_SOURCE_BYTES = 512L * 1024 * 1024;

    private ExtensionFrame() {
    }

    /** The stand-in for the source video's last frame, with the role the model takes it in. */
    public static InputImage placeholder(ImageRole role) {
        return new InputImage(role, new byte[0], "image/png", SOURCE);
    }

    /**
     * The request with each placeholder replaced by the last frame of the job's stored source video; a request
     * without placeholders (or one stored before placeholders existed) is returned as it is.
     */
    static GenerationRequest fill(GenerationRequest request, ResultStore results, String jobId, Path workDir)
            throws IOException, GenerationException {
        request = ResultFrame.fill(request, results, jobId, workDir); // frames of earlier results named as images
        if (request.images().stream().noneMatch(i -> SOURCE.equals(i.source()))) return request;
        StoredObject src = results.open(jobId, JobService.EXTENSION_SOURCE).orElseThrow(() ->
                new GenerationException("internal_error", "the source video of this extension is missing"));
        if (src.size() > MAX_SOURCE_BYTES) {
            throw new GenerationException("invalid_request", "the video to extend is larger than "
                    + MAX_SOURCE_BYTES / (1024 * 1024) + " MB");
        }
        Files.createDirectories(workDir);
        Path video = workDir.resolve("extension-frame-source.mp4");
        try {
            try (InputStream in = src.openRange(0, src.size())) {
                Files.copy(in, video, StandardCopyOption.REPLACE_EXISTING);
            }
            byte[] frame = VideoFiles.framePng(video, VideoFiles.LAST).png();
            if (frame == null) throw new IOException("the video to extend has no frames");
            List<InputImage> images = new ArrayList<>();
            for (InputImage img : request.images()) {
                images.add(SOURCE.equals(img.source()) ? new InputImage(img.role(), frame, "image/png",
                        "last frame of the extended video") : img);
            }
            return request.toBuilder().images(images).build();
        } finally {
            Files.deleteIfExists(video);
        }
    }
}
