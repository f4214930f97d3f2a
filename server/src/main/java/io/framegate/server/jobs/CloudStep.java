package io.framegate.server.jobs;

import io.framegate.domain.GenerationContext;
import io.framegate.domain.Money;
import io.framegate.domain.RenderPlan;
import io.framegate.provider.Checkpoint;
import io.framegate.provider.FailoverBackend;
import io.framegate.provider.PollStep;

/**
 * The part of a cloud job that needs a worker slot: its submit (then it waits for its first poll,
 * {@code poll_initial} later) or, once submitted, the collection of its result (one poll, then the download; a job
 * still running goes back to waiting).
 */
final class CloudStep {
    private final FailoverBackend route;
    private final Checkpoint checkpoint;
    private final PollStep outcome;

    private CloudStep(FailoverBackend route, Checkpoint checkpoint, PollStep outcome) {
        this.route = route;
        this.checkpoint = checkpoint;
        this.outcome = outcome;
    }

    static CloudStep run(FailoverBackend route, RenderPlan plan, GenerationContext ctx, int polls) throws Exception {
        Checkpoint cp = ctx.checkpoint().map(Checkpoint::parse).orElse(null);
        if (cp != null && cp.phase() == Checkpoint.Phase.SUBMITTED) {
            return new CloudStep(route, cp, route.collect(plan, cp, ctx, polls));
        }
        Checkpoint sent = route.submit(plan, ctx);
        java.time.Duration first = route.firstPollAfter(sent);
        return new CloudStep(route, sent, new PollStep.Wait(first, first, 0));
    }

    /**
     * Why a job not yet sent upstream must not be sent on its route now, or null: it was priced at create ({@code
     * notes}' estimate, what it reserved) and the route, changed in the config since, may cost more, or cannot say
     * what it costs. Its id is its model's, so only the price tells.
     */
    static String repriced(FailoverBackend route, RenderPlan plan, java.util.Map<String, String> notes) {
        String reserved = notes.get(JobNotes.ESTIMATED_COST_USD);
        if (reserved == null) return null; // accepted unpriced (no budget applied): nothing to exceed
        Money was = Money.parseUsd(reserved);
        java.util.Optional<Money> now = route.maxPrice(plan);
        if (now.isPresent() && now.get().compareTo(was) <= 0) return null;
        return "the server's routing changed since this video was accepted: " + route.id() + " may now cost "
                + now.map(m -> "$" + m.usdShort()).orElse("an unknown price") + ", more than the $" + was.usdShort()
                + " reserved for it; create it again";
    }

    /** Whether the job now waits on its upstream (submitted, or still running). */
    boolean waits() {
        return outcome instanceof PollStep.Wait;
    }

    PollStep.Wait waitStep() {
        return (PollStep.Wait) outcome;
    }

    void cancelUpstream(GenerationContext ctx, String why) {
        route.cancelUpstream(checkpoint, ctx, why);
    }
}
