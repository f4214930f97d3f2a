package io.framegate.server.jobs;

import io.framegate.domain.GenerationBackend;
import io.framegate.domain.GenerationContext;
import io.framegate.domain.RenderPlan;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** A cloud backend whose every job hangs (ignoring cancellation, like a stuck upstream call) until released. */
final class BlockingBackend implements GenerationBackend, AutoCloseable {
    private final String id;
    private final CountDownLatch release = new CountDownLatch(1);
    final List<String> started = new CopyOnWriteArrayList<>();

    BlockingBackend(String id) {
        this.id = id;
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public boolean isLocal() {
        return false;
    }

    @Override
    public void generate(RenderPlan plan, GenerationContext ctx) throws Exception {
        started.add(ctx.jobId());
        if (!release.await(2, TimeUnit.MINUTES)) throw new IllegalStateException("never released");
        throw new io.framegate.domain.GenerationException("upstream_timeout", "the test upstream hung");
    }

    /** Lets every hung job end (failed). */
    @Override
    public void close() {
        release.countDown();
    }
}
