package io.framegate.server.jobs;

import io.framegate.provider.Checkpoint;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How a job ends when the server gives up on it (its attempts crashed), from what its checkpoint says about the
 * upstream. A submit that was under way may have been accepted, and billed: the job ends
 * {@code upstream_submit_uncertain} like any unclear submit, so that it is logged, counted and listed for the
 * operator. A job the upstream accepted used up its download attempts ({@link AttemptBudget}): it ends
 * {@code download_abandoned}, saying so, and its upstream job is left alone, its id noted for the operator.
 */
final class GivingUp {
    private static final Logger LOG = LoggerFactory.getLogger(GivingUp.class);

    /** The code and client-facing message the job fails with. */
    record Ending(String code, String message) {
    }

    private GivingUp() {
    }

    static Ending end(String checkpoint, JobRunContext ctx) {
        Checkpoint cp = checkpoint == null ? null : Checkpoint.parse(checkpoint);
        if (cp != null && cp.phase() == Checkpoint.Phase.SUBMITTING) {
            ctx.note("submit_uncertain", "a submit to channel " + cp.channel() + " sent at " + cp.at() + " was under "
                    + "way when the worker crashed; not sent again" + (cp.idempotencyKey() != null
                    ? "; idempotency key " + cp.idempotencyKey() : ""));
            return new Ending(JobOutcomes.SUBMIT_UNCERTAIN, "the upstream may or may not have started this job: the "
                    + "server failed while submitting it and gave up after repeated attempts. It was not sent again, "
                    + "to avoid paying twice, and no cost was recorded; an operator can check the upstream for a job "
                    + "created at " + cp.at() + ".");
        }
        if (cp != null && cp.phase() == Checkpoint.Phase.SUBMITTED && cp.handle() != null) {
            // not cancelled: it may be finished (nothing records that it still runs), and most upstreams' cancel
            // deletes a finished video; kept there, the operator can still fetch what was paid for
            ctx.note("upstream_kept", "upstream job " + cp.handle() + " on channel " + cp.channel() + " was left "
                    + "there, not cancelled, as it may be finished; an operator can fetch its video there");
            LOG.warn("job {}: gave up collecting upstream job {} on channel {} after repeated download attempts; the "
                    + "upstream accepted (and bills) it, and it is left there for an operator to fetch", ctx.jobId(),
                    cp.handle(), cp.channel());
            return new Ending(JobOutcomes.DOWNLOAD_ABANDONED, Completion.DOWNLOAD_ABANDONED);
        }
        return new Ending("internal_error", Completion.GAVE_UP);
    }
}
