package io.framegate.provider;

import io.framegate.domain.GenerationContext;
import io.framegate.domain.GenerationException;
import io.framegate.domain.RenderPlan;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;

/**
 * What to do after a submit whose outcome is unknown (no answer, a 5xx other than 503, an answer without a job
 * handle, or a process that stopped mid-submit): the upstream may have accepted, and bill, the job, so it is never
 * sent again. Where the upstream lists its jobs, the one this submit created is looked for (same model, prompt,
 * size, duration and input-reference presence, created between the submit minus a clock slack and its request
 * timeout plus that slack, and not held by another job of this server) and adopted when exactly one matches; any
 * ambiguity (none, several) ends
 * {@code upstream_submit_uncertain}, with a WARN line and a {@code submit_uncertain} note so that an operator can find
 * the upstream job, and no cost recorded.
 */
final class SubmitReconciler {
    private static final Logger LOG = LoggerFactory.getLogger(SubmitReconciler.class);
    /** A job the upstream is still creating may not be listed at once: look this many times, a poll interval apart. */
    static final int LOOKS = 3;

    private final UpstreamBackend target;
    private final Retrier retrier;

    SubmitReconciler(UpstreamBackend target, Retrier retrier) {
        this.target = target;
        this.retrier = retrier;
    }

    /** The handle of the job the unclear submit created; @throws GenerationException {@code upstream_submit_uncertain} */
    String afterUnclearSubmit(RenderPlan upstreamPlan, Checkpoint sending, GenerationContext ctx, CallGuard guard,
                              String what) throws GenerationException {
        if (ctx.isShuttingDown()) {
            // the checkpoint still says "submitting": the next start looks for the job
            throw new GenerationException("cancelled", "stopping while a submit to " + target.id() + " was unanswered");
        }
        VideoUpstream upstream = target.channel().upstream();
        if (!upstream.canListJobs()) {
            throw uncertain(ctx, sending, what + "; " + upstream.provider() + " upstreams cannot list their jobs");
        }
        UpstreamJob job = new UpstreamJob(upstreamPlan, List.of());
        ProviderSettings s = target.settings();
        List<String> found = List.of();
        int taken = 0;
        try {
            for (int look = 1; look <= LOOKS && found.isEmpty(); look++) {
                if (look > 1) guard.sleep(s.pollInitial(), "looking for the job of an unclear submit");
                // the submit's own call could not have created a job later than its request timeout after it
                List<String> listed = retrier.idempotent("list jobs of " + target.id(), guard,
                        () -> upstream.findSubmitted(job, sending.idempotencyKey(), sending.at(),
                                sending.at().plus(s.requestTimeout()),
                                guard.callTimeout(s.requestTimeout())),
                        msg -> ctx.note("retry", msg));
                // another job of this server holds it: someone else's video, never to be adopted (nor cancelled)
                // (and one whose id cannot be used is no better than none)
                listed = listed.stream().filter(UpstreamHandles::usable).toList();
                found = listed.stream().filter(h -> !ctx.isHandleTaken(h)).toList();
                taken += listed.size() - found.size();
            }
        } catch (UpstreamException e) {
            throw uncertain(ctx, sending, what + "; listing the upstream's jobs failed: " + e.getMessage());
        } catch (GenerationException e) {
            if (e.code().equals("cancelled") && ctx.isShuttingDown()) throw e; // the next start looks again
            throw uncertain(ctx, sending, what + "; " + e.getMessage());
        }
        if (found.size() == 1) {
            // record it, then look again: another job reconciling at the same moment may have picked it too, and
            // then neither keeps it (both end uncertain) rather than both polling, or cancelling, one upstream job
            ctx.saveCheckpoint(sending.submitted(found.get(0), target.ticker().now()).toJson());
            if (ctx.isHandleTaken(found.get(0))) {
                ctx.saveCheckpoint(sending.toJson());
                throw uncertain(ctx, sending, what + "; the only matching job in the upstream's job list was taken by "
                        + "another job at the same moment");
            }
            ctx.note("reconciled", "an unclear submit to " + target.id() + " (" + what + ") created " + found.get(0)
                    + ", found in the upstream's job list; adopted instead of submitting again");
            LOG.info("job {}: adopted upstream job {} on {} after an unclear submit ({})", ctx.jobId(), found.get(0),
                    target.id(), what);
            return found.get(0);
        }
        throw uncertain(ctx, sending, what + "; " + (found.isEmpty()
                ? "no matching job in the upstream's job list" + (taken > 0 ? " that no other job holds" : "")
                : found.size() + " jobs in the upstream's job list match, so none can be told to be this one"));
    }

    private GenerationException uncertain(GenerationContext ctx, Checkpoint sending, String why) {
        ctx.note("submit_uncertain", "submit to " + target.id() + " sent at " + sending.at() + " got no clear answer ("
                + why + "); not sent again" + (sending.idempotencyKey() != null
                ? "; idempotency key " + sending.idempotencyKey() : ""));
        LOG.warn("job {}: submit to channel {} sent at {} got no clear answer ({}); it was not sent again, to avoid "
                        + "paying twice. Check the upstream for a job created then (idempotency key {}).",
                ctx.jobId(), target.id(), sending.at(), why, sending.idempotencyKey());
        return new GenerationException("upstream_submit_uncertain", "the upstream may or may not have started this "
                + "job: the submit to channel " + target.channel().name() + " at " + sending.at()
                + " got no clear answer (" + why + "). It was not sent again, to avoid paying twice, and no cost was "
                + "recorded; an operator can check the upstream for a job created then.");
    }
}
