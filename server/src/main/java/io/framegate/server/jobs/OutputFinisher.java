package io.framegate.server.jobs;

import io.framegate.domain.OutputFiles;
import io.framegate.domain.RenderPlan;

import java.nio.file.Path;
import java.util.List;

/**
 * Turns what a backend wrote into a job's final files, before they are stored: stitches an extension after its
 * source video, makes previews a backend did not write. Runs on the worker thread.
 */
@FunctionalInterface
public interface OutputFinisher {
    /** Leaves the checked files as they are. */
    OutputFinisher NONE = (job, plan, outputs, extensionSource, workDir) -> { };

    /**
     * @param job             the job being finished
     * @param plan            what was rendered
     * @param outputs         the backend's files, one entry per video
     * @param extensionSource the video this job continues (for an extension), else null
     * @param workDir         scratch space of this attempt
     */
    void finish(Job job, RenderPlan plan, List<OutputFiles> outputs, Path extensionSource, Path workDir) throws Exception;

    /** Notes to store with the completed job, read from its finished files (e.g. keyframe fidelity); none by default. */
    default java.util.Map<String, String> notes(Job job, RenderPlan plan, List<OutputFiles> outputs) {
        return java.util.Map.of();
    }
}
