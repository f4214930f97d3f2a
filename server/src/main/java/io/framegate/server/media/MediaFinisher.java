package io.framegate.server.media;

import io.framegate.engine.VideoFiles;
import io.framegate.domain.GenerationException;
import io.framegate.domain.ImageRole;
import io.framegate.domain.InputImage;
import io.framegate.domain.OutputFiles;
import io.framegate.domain.RenderPlan;
import io.framegate.server.jobs.Job;
import io.framegate.server.jobs.OutputFinisher;
import io.framegate.engine.KeyframeFidelity;
import io.framegate.engine.Previews;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;

/**
 * Stitches an extension after its source video, and makes the previews (thumbnail, sprite sheet) a backend did
 * not write (cloud providers return only the MP4). Scores how well the video honours the request's keyframes
 * ({@link #notes}).
 */
public final class MediaFinisher implements OutputFinisher {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(MediaFinisher.class);

    /**
     * The {@value FidelityNote#NOTE} note of a request with a first and/or last frame, measured on its first video
     * (local and cloud results alike); none for an extension (its video starts with its source video) or when the
     * measurement fails (logged: a score is a report, never a reason to fail a finished video).
     */
    @Override
    public Map<String, String> notes(Job job, RenderPlan plan, List<OutputFiles> outputs) {
        InputImage first = keyframe(plan, ImageRole.FIRST_FRAME), last = keyframe(plan, ImageRole.LAST_FRAME);
        if (job.extendedFrom() != null || (first == null && last == null) || outputs.isEmpty()) return Map.of();
        try {
            KeyframeFidelity.Result r = KeyframeFidelity.measure(outputs.getFirst().video(), first, last,
                    plan.request().fitOrDefault());
            if (!r.honoured()) {
                LOG.info("job {}: the video does not start/end on the requested keyframes ({})", job.id(),
                        FidelityNote.encode(r));
            }
            return Map.of(FidelityNote.NOTE, FidelityNote.encode(r));
        } catch (IOException | GenerationException | RuntimeException e) {
            LOG.warn("job {}: keyframe fidelity not measured", job.id(), e);
            return Map.of();
        }
    }

    private static InputImage keyframe(RenderPlan plan, ImageRole role) {
        return plan.request().images().stream().filter(i -> i.role() == role).findFirst().orElse(null);
    }

    @Override
    public void finish(Job job, RenderPlan plan, List<OutputFiles> outputs, Path extensionSource, Path workDir)
            throws IOException {
        for (int i = 0; i < outputs.size(); i++) {
            OutputFiles o = outputs.get(i);
            boolean stitched = false;
            if (extensionSource != null) {
                Path joined = workDir.resolve("stitched-" + i + ".mp4");
                VideoFiles.concat(extensionSource, o.video(), joined, true);
                Files.move(joined, o.video(), StandardCopyOption.REPLACE_EXISTING);
                stitched = true;
            }
            boolean needThumb = stitched || !nonEmpty(o.thumbnail());
            boolean needSprite = stitched || !nonEmpty(o.spritesheet());
            if (needThumb || needSprite) {
                Previews.fromVideo(o.video(), needThumb ? o.thumbnail() : null, needSprite ? o.spritesheet() : null);
            }
        }
    }

    private static boolean nonEmpty(Path p) throws IOException {
        return p != null && Files.isRegularFile(p) && Files.size(p) > 0;
    }
}
