package io.framegate.server.media;

import io.framegate.domain.OutputFiles;
import io.framegate.domain.RenderPlan;
import io.framegate.server.jobs.Job;
import io.framegate.server.jobs.OutputFinisher;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * Stitches an extension after its source video, and makes the previews (thumbnail, sprite sheet) a backend did
 * not write (cloud providers return only the MP4).
 */
public final class MediaFinisher implements OutputFinisher {
    @Override
    public void finish(Job job, RenderPlan plan, List<OutputFiles> outputs, Path extensionSource, Path workDir)
            throws IOException {
        for (int i = 0; i < outputs.size(); i++) {
            OutputFiles o = outputs.get(i);
            boolean stitched = false;
            if (extensionSource != null) {
                Path joined = workDir.resolve("stitched-" + i + ".mp4");
                VideoTools.concat(extensionSource, o.video(), joined, true);
                Files.move(joined, o.video(), StandardCopyOption.REPLACE_EXISTING);
                stitched = true;
            }
            boolean needThumb = stitched || !nonEmpty(o.thumbnail());
            boolean needSprite = stitched || !nonEmpty(o.spritesheet());
            if (needThumb || needSprite) {
                VideoTools.previews(o.video(), needThumb ? o.thumbnail() : null, needSprite ? o.spritesheet() : null);
            }
        }
    }

    private static boolean nonEmpty(Path p) throws IOException {
        return p != null && Files.isRegularFile(p) && Files.size(p) > 0;
    }
}
