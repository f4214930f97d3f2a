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
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An input image that is a frame of an earlier result of the same key (a Veo {@code gcsUri} such as
 * {@code .../sample_0_frame_12.png}). The surface submits a placeholder naming the job, video and frame; at submission
 * the source video is copied into the new job's files (so deleting the source later is safe), and the worker decodes
 * the frame before generating, as it does for an extension's last frame. No video is decoded on an HTTP thread.
 */
public final class ResultFrame {
    /** {@link InputImage#source()} of a placeholder: {@code framegate:frame:<jobId>:<video index>:<frame or last>}. */
    private static final String PREFIX = "framegate:frame:";
    private static final Pattern SOURCE = Pattern.compile("framegate:frame:([A-Za-z0-9_-]+):(\\d{1,4}):(\\d{1,6}|last)");
    /** Frame number that stands for the last frame. */
    public static final int LAST = VideoFiles.LAST;

    private ResultFrame() {
    }

    /** Where a placeholder's frame comes from. */
    public record Ref(String jobId, int videoIndex, int frame) {
    }

    /** A source video to copy into the new job, for the image at {@code imageIndex}. */
    record Source(int imageIndex, StoredObject video) {
    }

    /** Opens video {@code index} of the caller's job {@code jobId} (ownership and state checked by the caller). */
    @FunctionalInterface
    interface Videos {
        StoredObject open(String jobId, int index);
    }

    /** The stand-in for frame {@code frame} ({@link #LAST} for the last) of video {@code videoIndex} of a job. */
    public static InputImage placeholder(ImageRole role, String jobId, int videoIndex, int frame) {
        return new InputImage(role, new byte[0], "image/png", PREFIX + jobId + ":" + videoIndex + ":"
                + (frame == LAST ? "last" : String.valueOf(frame)));
    }

    public static Optional<Ref> parse(InputImage image) {
        if (image.source() == null || !image.source().startsWith(PREFIX)) return Optional.empty();
        Matcher m = SOURCE.matcher(image.source());
        if (!m.matches()) return Optional.empty();
        int frame = "last".equals(m.group(3)) ? LAST : Integer.parseInt(m.group(3));
        return Optional.of(new Ref(m.group(1), Integer.parseInt(m.group(2)), frame));
    }

    /** The stored name of the copy of the video the image at {@code imageIndex} is a frame of. */
    static String sourceFileName(int imageIndex) {
        return "frame-source-" + imageIndex + ".mp4";
    }

    /** The source videos of the request's placeholders, each checked against {@link ExtensionFrame#MAX_SOURCE_BYTES}. */
    static List<Source> sources(GenerationRequest request, Videos videos) {
        List<Source> out = new ArrayList<>();
        for (int i = 0; i < request.images().size(); i++) {
            Optional<Ref> ref = parse(request.images().get(i));
            if (ref.isEmpty()) continue;
            StoredObject video = videos.open(ref.get().jobId(), ref.get().videoIndex());
            if (video.size() > ExtensionFrame.MAX_SOURCE_BYTES) {
                throw new JobStateException("video " + ref.get().jobId() + " is too large to take a frame from (over "
                        + ExtensionFrame.MAX_SOURCE_BYTES / (1024 * 1024) + " MB)");
            }
            out.add(new Source(i, video));
        }
        return out;
    }

    static long bytes(List<Source> sources) {
        return sources.stream().mapToLong(s -> s.video().size()).sum();
    }

    /** Streams each source video into the new job's files (a video is never read whole into the heap). */
    static void store(ResultStore results, String jobId, List<Source> sources) throws IOException {
        for (Source s : sources) {
            try (InputStream in = s.video().openRange(0, s.video().size())) {
                results.put(jobId, sourceFileName(s.imageIndex()), in);
            }
        }
    }

    /** The request with each placeholder replaced by its decoded frame (PNG); a request without one as it is. */
    static GenerationRequest fill(GenerationRequest request, ResultStore results, String jobId, Path workDir)
            throws IOException, GenerationException {
        if (request.images().stream().allMatch(i -> parse(i).isEmpty())) return request;
        List<InputImage> images = new ArrayList<>();
        for (int i = 0; i < request.images().size(); i++) {
            InputImage img = request.images().get(i);
            Optional<Ref> ref = parse(img);
            if (ref.isEmpty()) {
                images.add(img);
                continue;
            }
            StoredObject src = results.open(jobId, sourceFileName(i)).orElseThrow(() -> new GenerationException(
                    "internal_error", "the video an input image is a frame of is missing"));
            Files.createDirectories(workDir);
            Path video = workDir.resolve(sourceFileName(i));
            try {
                try (InputStream in = src.openRange(0, src.size())) {
                    Files.copy(in, video, StandardCopyOption.REPLACE_EXISTING);
                }
                int n = ref.get().frame();
                VideoFiles.TakenFrame frame = VideoFiles.framePng(video, n);
                if (frame.png() == null) {
                    throw new GenerationException("invalid_request", "an input image names frame " + n + " of video "
                            + ref.get().videoIndex() + " of " + ref.get().jobId() + ", which has " + frame.count()
                            + " frames (0.." + (frame.count() - 1) + ")");
                }
                images.add(new InputImage(img.role(), frame.png(), "image/png", "frame "
                        + (n == LAST ? "last" : String.valueOf(n)) + " of " + ref.get().jobId()));
            } finally {
                Files.deleteIfExists(video);
            }
        }
        return request.toBuilder().images(images).build();
    }
}
