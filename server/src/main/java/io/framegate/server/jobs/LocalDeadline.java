package io.framegate.server.jobs;

import io.framegate.domain.GenerationBackend;
import io.framegate.domain.GenerationContext;
import io.framegate.domain.GenerationException;
import io.framegate.domain.OutputFiles;
import io.framegate.domain.ProgressListener;
import io.framegate.domain.RenderPlan;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * A local backend with a deadline per attempt ({@code limits.local_render_deadline}): past it the backend's context
 * reads as cancelled (the engine polls it between frames), and the attempt fails with code {@code timeout} after its
 * outputs are deleted, so no partial video is kept. A client's cancel and a shutdown still win over the deadline.
 */
public final class LocalDeadline implements GenerationBackend {
    private final GenerationBackend backend;
    private final Duration deadline;
    private final Clock clock;

    private LocalDeadline(GenerationBackend backend, Duration deadline, Clock clock) {
        this.backend = backend;
        this.deadline = deadline;
        this.clock = clock;
    }

    /** The backend with a deadline; {@code deadline} null leaves it as it is. */
    public static GenerationBackend wrap(GenerationBackend backend, Duration deadline, Clock clock) {
        return deadline == null ? backend : new LocalDeadline(backend, deadline, clock);
    }

    @Override
    public String id() {
        return backend.id();
    }

    @Override
    public boolean isLocal() {
        return backend.isLocal();
    }

    @Override
    public void checkServes(RenderPlan plan) {
        backend.checkServes(plan);
    }

    @Override
    public void generate(RenderPlan plan, GenerationContext ctx) throws Exception {
        Bounded bounded = new Bounded(ctx, clock.instant().plus(deadline));
        try {
            backend.generate(plan, bounded);
        } catch (Exception e) {
            if (bounded.timedOut && !ctx.isCancelled()) throw timeout(plan, ctx, e);
            throw e;
        }
        // a backend told to stop may return normally with part of a video
        if (bounded.timedOut && !ctx.isCancelled()) throw timeout(plan, ctx, null);
    }

    private GenerationException timeout(RenderPlan plan, GenerationContext ctx, Exception cause) {
        for (int i = 0; i < plan.numberOfVideos(); i++) deleteOutputs(ctx.output(i));
        return new GenerationException("timeout", "the local render was stopped after " + text(deadline)
                + ", this server's deadline for one render (limits.local_render_deadline); ask for a smaller size, "
                + "fewer seconds, a lower fps or fewer videos", cause);
    }

    private static void deleteOutputs(OutputFiles o) {
        // the worker deletes its whole scratch directory after a failed attempt anyway
        for (Path p : new Path[] {o.video(), o.thumbnail(), o.spritesheet(), o.framesDir()}) FileTrees.delete(p);
    }

    private static String text(Duration d) {
        return d.toMillis() % 60_000 == 0 ? d.toMinutes() + " min" : d.toMillis() % 1000 == 0 ? d.toSeconds() + " s"
                : d.toMillis() + " ms";
    }

    /** The worker's context, cancelled also once the deadline has passed. */
    private final class Bounded implements GenerationContext {
        private final GenerationContext ctx;
        private final Instant until;
        private volatile boolean timedOut;

        Bounded(GenerationContext ctx, Instant until) {
            this.ctx = ctx;
            this.until = until;
        }

        @Override
        public boolean isCancelled() {
            if (ctx.isCancelled()) return true;
            if (!timedOut && clock.instant().isAfter(until)) timedOut = true;
            return timedOut;
        }

        @Override
        public boolean isShuttingDown() {
            return ctx.isShuttingDown();
        }

        @Override
        public String jobId() {
            return ctx.jobId();
        }

        @Override
        public OutputFiles output(int index) {
            return ctx.output(index);
        }

        @Override
        public ProgressListener progress() {
            return ctx.progress();
        }

        @Override
        public Optional<String> checkpoint() {
            return ctx.checkpoint();
        }

        @Override
        public void saveCheckpoint(String state) {
            ctx.saveCheckpoint(state);
        }

        @Override
        public void note(String key, String value) {
            ctx.note(key, value);
        }
    }
}
