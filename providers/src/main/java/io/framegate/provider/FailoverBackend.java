package io.framegate.provider;

import io.framegate.domain.GenerationBackend;
import io.framegate.domain.GenerationContext;
import io.framegate.domain.GenerationException;
import io.framegate.domain.Money;
import io.framegate.domain.RenderPlan;
import io.framegate.domain.ValidationException;
import io.framegate.domain.Violation;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * A route: the ordered channels configured for one model. A job goes to the first channel that can honour it
 * (every image role, size and parameter, checked before any call); when that channel provably refuses the job
 * (no connection, 429, 503, refused credential, after its retries) it cools down and the job moves on, <b>only</b>
 * to channels whose upstream model supports everything the request needs. A submit with an unclear outcome (no
 * answer, 500/502/504, no job handle) never moves on: the upstream may have accepted it, and another channel would
 * be a second paid job ({@link SubmitReconciler}). Once an upstream has accepted a job, every poll and download stays
 * on that channel; a content filter or an upstream failure is final.
 */
public final class FailoverBackend implements GenerationBackend {
    private static final Logger LOG = LoggerFactory.getLogger(FailoverBackend.class);

    private final String id;
    private final List<UpstreamBackend> targets;
    private final Ticker ticker;

    public FailoverBackend(String id, List<UpstreamBackend> targets, Ticker ticker) {
        if (targets.isEmpty()) throw new IllegalArgumentException("a route needs at least one channel");
        this.id = id;
        this.targets = List.copyOf(targets);
        this.ticker = ticker;
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public boolean isLocal() {
        return false;
    }

    public List<UpstreamBackend> targets() {
        return targets;
    }

    /**
     * The targets able to serve this plan, in the order they would be tried.
     *
     * @throws ValidationException when none can, with each target's reasons (model and missing capability)
     */
    public List<UpstreamBackend.Prepared> preflight(RenderPlan plan) {
        List<UpstreamBackend.Prepared> ok = new ArrayList<>();
        List<Violation> problems = new ArrayList<>();
        for (UpstreamBackend t : targets) {
            try {
                ok.add(t.prepare(plan));
            } catch (ValidationException e) {
                problems.addAll(e.violations());
            }
        }
        if (ok.isEmpty()) throw new ValidationException(problems.stream().distinct().toList());
        Instant now = ticker.now();
        // healthy channels in configured order, then cooling ones by when they cool off
        List<UpstreamBackend.Prepared> ordered = new ArrayList<>(ok.stream().filter(p -> !p.target().channel().coolingAt(now)).toList());
        ok.stream().filter(p -> p.target().channel().coolingAt(now))
                .sorted(Comparator.comparing(p -> p.target().channel().coolingUntil()))
                .forEach(ordered::add);
        return ordered;
    }

    /**
     * What a job of this plan may cost on this route: the dearest channel it may fail over to (what it reserves), empty
     * when any of them has no price.
     *
     * @throws io.framegate.domain.ValidationException no channel can honour the plan
     */
    public Optional<Money> maxPrice(RenderPlan plan) {
        return dearest(preflight(plan));
    }

    /** The dearest of the candidates' prices, empty when any one is unpriced. */
    static Optional<Money> dearest(List<UpstreamBackend.Prepared> candidates) {
        Optional<Money> max = Optional.of(Money.ZERO);
        for (UpstreamBackend.Prepared p : candidates) {
            Optional<Money> price = p.upstreamPlan().maxPrice();
            max = max.isEmpty() || price.isEmpty() ? Optional.empty()
                    : Optional.of(price.get().micros() > max.get().micros() ? price.get() : max.get());
        }
        return max;
    }

    @Override
    public void generate(RenderPlan plan, GenerationContext ctx) throws Exception {
        Checkpoint cp = ctx.checkpoint().map(Checkpoint::parse).orElse(null);
        if (cp != null && cp.phase() != Checkpoint.Phase.REFUSED) {
            resume(plan, cp, ctx);
            return;
        }
        List<UpstreamBackend.Prepared> candidates = preflight(plan);
        ProviderSettings s = candidates.get(0).target().settings();
        CallGuard guard = new CallGuard(ticker, ticker.now().plus(s.deadline()), ctx::isCancelled);
        Submitted sent = submitTo(candidates, ctx, guard);
        sent.prepared().target().complete(sent.checkpoint().handle(), sent.prepared().upstreamPlan(), ctx, guard,
                ticker.now());
    }

    /** The channel that accepted a job and the checkpoint that records it. */
    private record Submitted(UpstreamBackend.Prepared prepared, Checkpoint checkpoint) {
    }

    /**
     * Step one of a job run step by step (in a worker slot): submits it, failing over between channels as
     * {@link #generate} does, or, resumed from a {@code submitting} checkpoint, looks for the job that submit made.
     * Returns the {@code submitted} checkpoint (already saved); the job then waits for its polls without a thread.
     */
    public Checkpoint submit(RenderPlan plan, GenerationContext ctx) throws Exception {
        Checkpoint cp = ctx.checkpoint().map(Checkpoint::parse).orElse(null);
        if (cp != null && cp.phase() == Checkpoint.Phase.SUBMITTED) return cp;
        if (cp != null && cp.phase() == Checkpoint.Phase.SUBMITTING) {
            UpstreamBackend t = targetOf(cp);
            return t.resumeSubmitting(upstreamPlanOf(t, plan), cp, ctx, resumeGuard(t, cp, ctx));
        }
        List<UpstreamBackend.Prepared> candidates = preflight(plan);
        ProviderSettings s = candidates.get(0).target().settings();
        CallGuard guard = new CallGuard(ticker, ticker.now().plus(s.deadline()), ctx::isCancelled);
        Checkpoint sent = submitTo(candidates, ctx, guard).checkpoint();
        targetOf(sent).noteTarget(sent.handle(), ctx);
        return sent;
    }

    /** How long after its submit a job's first poll is due ({@code poll_initial}). */
    public java.time.Duration firstPollAfter(Checkpoint submitted) throws GenerationException {
        return targetOf(submitted).settings().pollInitial();
    }

    /**
     * One poll of a job waiting on its upstream (no plan needed: the checkpoint names channel and handle); see
     * {@link PollStep}. {@code interval} null means the first poll.
     */
    public PollStep poll(Checkpoint cp, GenerationContext ctx, java.time.Duration interval, int polls)
            throws GenerationException {
        UpstreamBackend t = targetOf(cp);
        ProviderSettings s = t.settings();
        return t.pollOnce(cp.handle(), ctx, deadlineOf(cp), interval != null ? interval : s.pollInitial(), polls);
    }

    /** The deadline of a submitted job: its submit plus its channel's {@code timing.deadline}. */
    public Instant deadlineOf(Checkpoint submitted) throws GenerationException {
        return submitted.submittedAt().plus(targetOf(submitted).settings().deadline());
    }

    /**
     * In a worker slot: a job whose upstream is done (or that was resumed from its checkpoint) is polled once more and
     * downloaded ({@link PollStep.Delivered}); if it is still running it goes back to waiting ({@link PollStep.Wait}).
     */
    public PollStep collect(RenderPlan plan, Checkpoint cp, GenerationContext ctx, int polls) throws Exception {
        UpstreamBackend t = targetOf(cp);
        return t.collect(cp.handle(), upstreamPlanOf(t, plan), ctx, resumeGuard(t, cp, ctx), cp.submittedAt(), polls);
    }

    /** The job ends here (e.g. cancelled while it waited): asks the upstream to stop it, noting the outcome. */
    public boolean cancelUpstream(Checkpoint cp, GenerationContext ctx, String why) {
        if (cp == null || cp.phase() != Checkpoint.Phase.SUBMITTED || cp.handle() == null) return false;
        UpstreamBackend t = targets.stream().filter(x -> x.channel().name().equals(cp.channel())).findFirst().orElse(null);
        if (t == null) return false;
        t.cancelUpstream(cp.handle(), ctx, why);
        return true;
    }

    private Submitted submitTo(List<UpstreamBackend.Prepared> candidates, GenerationContext ctx, CallGuard guard)
            throws Exception {
        String key = idempotencyKey(ctx.jobId());
        List<String> failures = new ArrayList<>();
        Checkpoint last = null;
        for (UpstreamBackend.Prepared p : candidates) {
            UpstreamBackend t = p.target();
            Checkpoint sent;
            try {
                sent = t.submit(p, ctx, guard, key);
            } catch (UpstreamException e) {
                last = Checkpoint.submitting(t.channel().upstream().provider(), t.channel().name(),
                        t.upstreamModel().id(), ticker.now(), key).refused();
                if (e.requestRejected()) {
                    // the request itself is refused: nothing was started, and no channel is to blame
                    ctx.saveCheckpoint(last.toJson());
                    if (e.contentFiltered()) {
                        ctx.note("content_filtered", e.getMessage());
                        throw new GenerationException("content_filtered", t.id() + " refused the job's content: "
                                + e.getMessage(), e);
                    }
                    throw new GenerationException("upstream_failed", t.id() + " refused the job: " + e.getMessage(), e);
                }
                // provably refused before acceptance (no connection, 429, 503, 401/403): another channel may take it
                t.channel().failed(ticker.now().plus(t.settings().cooldown()), e.getMessage());
                failures.add(t.id() + ": " + e.getMessage());
                LOG.warn("channel {} refused a job ({}); cooling down for {}", t.id(), e.getMessage(),
                        t.settings().cooldown());
                ctx.note("failover", String.join("; ", failures));
                continue;
            }
            t.channel().succeeded();
            return new Submitted(p, sent);
        }
        if (last != null) ctx.saveCheckpoint(last.toJson());
        throw new GenerationException("upstream_failed", "no channel of " + id + " accepted the job: "
                + String.join("; ", failures));
    }

    /** The key sent with every submit of one Framegate job (where the upstream takes one): stable, and not the job id. */
    static String idempotencyKey(String jobId) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(("framegate-submit:" + jobId).getBytes(StandardCharsets.UTF_8));
            return "framegate-" + HexFormat.of().formatHex(h, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Continues a job an earlier attempt sent to one channel; never submits again. A job whose submit was under way
     * is first looked for upstream ({@link SubmitReconciler}).
     */
    private void resume(RenderPlan plan, Checkpoint cp, GenerationContext ctx) throws Exception {
        UpstreamBackend t = targetOf(cp);
        RenderPlan upstreamPlan = upstreamPlanOf(t, plan);
        CallGuard guard = resumeGuard(t, cp, ctx);
        String handle = cp.handle();
        if (cp.phase() == Checkpoint.Phase.SUBMITTING) {
            handle = t.resumeSubmitting(upstreamPlan, cp, ctx, guard).handle();
        } else {
            ctx.note("resumed", "polling " + cp.handle() + " on " + t.id() + " from checkpoint");
        }
        t.complete(handle, upstreamPlan, ctx, guard, cp.submittedAt());
    }

    /** The channel (and upstream model) the checkpoint names; only its credential can reach the upstream job. */
    private UpstreamBackend targetOf(Checkpoint cp) throws GenerationException {
        String what = cp.handle() != null ? "job " + cp.handle() : "the job";
        return targets.stream()
                .filter(x -> x.channel().name().equals(cp.channel()) && x.upstreamModel().id().equals(cp.upstreamModel()))
                .findFirst()
                .or(() -> targets.stream().filter(x -> x.channel().name().equals(cp.channel())).findFirst())
                .orElseThrow(() -> new GenerationException(cp.phase() == Checkpoint.Phase.SUBMITTING
                        ? "upstream_submit_uncertain" : "upstream_failed", what
                        + " was submitted on channel " + cp.channel() + ", which " + id + " no longer has ("
                        + targets.stream().map(x -> x.channel().name()).collect(Collectors.joining(", "))
                        + "); only that channel's credential can reach it"));
    }

    private static RenderPlan upstreamPlanOf(UpstreamBackend t, RenderPlan plan) {
        try {
            return t.prepare(plan).upstreamPlan();
        } catch (ValidationException e) {
            return plan;
        }
    }

    /** A resumed job's deadline: its submit's, but never so near that it gets no look at all. */
    private CallGuard resumeGuard(UpstreamBackend t, Checkpoint cp, GenerationContext ctx) {
        ProviderSettings s = t.settings();
        Instant now = ticker.now();
        Instant deadline = cp.submittedAt().plus(s.deadline());
        Instant floor = now.plus(s.pollMax().multipliedBy(2)).plus(s.requestTimeout());
        return new CallGuard(ticker, deadline.isAfter(floor) ? deadline : floor, ctx::isCancelled);
    }
}
