package io.framegate.domain;

/**
 * Whatever turns a {@link RenderPlan} into video files: the offline engine or a cloud provider. One small
 * interface so that adding a provider is one new package. {@link #generate} blocks until the videos are in the
 * context's output files (or fails); a cloud backend saves its upstream handle with
 * {@link GenerationContext#saveCheckpoint} right after submitting, so that a restarted process resumes polling the
 * same upstream job instead of paying for a second one.
 */
public interface GenerationBackend {
    /** Short name recorded on each job, e.g. {@code local}, {@code gemini:main}, {@code vertex:eu}. */
    String id();

    /** Whether the videos are made on this machine (the job metadata says so, so nobody mistakes one for the other). */
    boolean isLocal();

    /**
     * Checks, with no work and no I/O, that this backend can make the plan at all (the catalog's rules are already
     * met): lets a create be refused with a 400 before a job exists, instead of failing later. Nothing by default.
     *
     * @throws ValidationException naming the parameter, its value and what this backend needs
     */
    default void checkServes(RenderPlan plan) {
    }

    /**
     * Produces {@code plan.numberOfVideos()} videos, writing video {@code i} to {@link GenerationContext#output(int)}.
     *
     * @throws GenerationException for a failure worth reporting to the client (content filtered, upstream failed)
     */
    void generate(RenderPlan plan, GenerationContext ctx) throws Exception;
}
