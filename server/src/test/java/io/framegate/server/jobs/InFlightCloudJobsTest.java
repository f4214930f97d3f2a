package io.framegate.server.jobs;

import io.framegate.domain.GenerationRequest;
import io.framegate.domain.JobStatus;
import io.framegate.domain.ModelCatalog;
import io.framegate.provider.ConfigLoader;
import io.framegate.provider.FramegateConfig;
import io.framegate.provider.Routing;
import io.framegate.provider.Ticker;
import io.framegate.server.FramegateServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 10 item 4: cloud jobs waiting on their upstream hold no thread and no worker slot. {@code N} jobs (2,000 by
 * default; {@code -Dinflight.jobs=10000} for the memory figure) are all submitted to an OpenAI-compatible stand-in that
 * keeps them {@code in_progress}, with 8 cloud slots: every one is created upstream (and so in flight) at once while
 * the JVM's live thread count stays within 100 of what it was before the pool started; when the stand-in finishes
 * them, every job completes, each created upstream exactly once. Prints heap and RSS with all N in flight.
 */
class InFlightCloudJobsTest {
    @TempDir
    Path dir;

    static final String CONFIG = """
            providers:
              agg: {type: openai, base_url: '%s', api_key_env: AGG_KEY}
            routes:
              sora-2: [{channel: agg, allow_retired: true}]
            timing: {poll_initial: %ds, poll_max: %ds, poll_factor: 2, deadline: 60m, retry_attempts: 2, retry_base: 50ms,
                     retry_max: 100ms, request_timeout: 10s}
            """;

    @Test
    void thousandsOfWaitingCloudJobsTakeNoThreadsAndAllComplete() throws Exception {
        int n = Integer.getInteger("inflight.jobs", 2000);
        ModelCatalog catalog = ModelCatalog.builtIn();
        try (OpenAiStandIn upstream = new OpenAiStandIn(); Core core = new Core(dir)) {
            FramegateConfig cfg = new ConfigLoader(catalog, Map.of("AGG_KEY", "sk-test")::get)
                    // polls every 2-10 s per 2,000 jobs in flight (the defaults are 10-30 s): what one instance keeps up with
                    .parse(CONFIG.formatted(upstream.baseUrl(), 2 * scale(n), 10 * scale(n)), "test.yaml", dir);
            try (Routing routing = new Routing(cfg, null, core.validator, null, Ticker.SYSTEM, new Random(7))) {
                JobService jobs = new JobService(core.store, core.results, core.validator, FramegateServer.newJsonMapper(),
                        Clock.systemUTC(), routing);
                WorkerSettings settings = new WorkerSettings(1, 8, Duration.ofSeconds(30), Duration.ofMillis(200),
                        Duration.ofSeconds(5));
                int baseline = liveThreads();
                AtomicInteger peak = new AtomicInteger(baseline);
                AtomicBoolean sampling = new AtomicBoolean(true);
                Thread sampler = Thread.ofPlatform().daemon().start(() -> {
                    while (sampling.get()) {
                        peak.accumulateAndGet(liveThreads(), Math::max);
                        try {
                            Thread.sleep(20);
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                });
                try (WorkerPool pool = new WorkerPool(core.store, jobs, core.results, core.validator, routing,
                        OutputFinisher.NONE, dir.resolve("work"), settings, Clock.systemUTC())) {
                    pool.start(true);
                    Memory idle = Memory.now();
                    long t0 = System.nanoTime();
                    List<String> ids = new ArrayList<>();
                    for (int i = 0; i < n; i++) ids.add(jobs.submit("key_" + (i % 20), "openai", request(i), null).id());
                    WaitQueue waits = new WaitQueue(core.store.jdbi());
                    Duration patience = Duration.ofMinutes(10).multipliedBy(scale(n)); // a loaded 2-core machine
                    awaitTrue(() -> waits.waiting() == n, patience, "all " + n + " jobs waiting upstream");
                    long submitted = System.nanoTime();
                    assertThat(upstream.creates).as("every job created upstream, none finished yet").hasValue(n);
                    assertThat(pool.runningCount()).as("a waiting job holds no worker slot").isLessThanOrEqualTo(8);
                    int threadsNow = liveThreads();
                    Memory m = Memory.now();
                    System.out.printf("in-flight cloud jobs: %d waiting upstream after %.1f s; threads %d (baseline %d,"
                                    + " peak %d); heap used after GC %.1f MiB, RSS %.1f MiB%n", n,
                            (submitted - t0) / 1e9, threadsNow, baseline, peak.get(), m.heapMiB, m.rssMiB);
                    System.out.printf("per 1,000 in-flight jobs: heap +%.1f MiB, RSS +%.1f MiB (idle pool: heap %.1f MiB,"
                                    + " RSS %.1f MiB; the embedded H2's cache is in this heap)%n",
                            (m.heapMiB - idle.heapMiB) * 1000 / n, (m.rssMiB - idle.rssMiB) * 1000 / n, idle.heapMiB,
                            idle.rssMiB);

                    upstream.finishAll();
                    for (String id : ids) {
                        Job done = awaitJob(core, id, patience);
                        assertThat(done.status()).as("job %s: %s %s", id, done.errorCode(), done.errorMessage())
                                .isEqualTo(JobStatus.COMPLETED);
                    }
                    System.out.printf("all %d completed %.1f s after the upstream finished them; %d polls, %d downloads%n",
                            n, (System.nanoTime() - submitted) / 1e9, upstream.polls.get(), upstream.downloads.get());
                    assertThat(upstream.creates).as("exactly one upstream job per job").hasValue(n);
                    assertThat(upstream.videos.values()).allSatisfy(c -> assertThat(c).hasValue(1));
                    assertThat(core.jobs.openContent("key_0", ids.get(0), ContentVariant.VIDEO, 0).orElseThrow()
                            .object().readAllBytes()).isEqualTo(OpenAiStandIn.VIDEO);
                } finally {
                    sampling.set(false);
                    sampler.join();
                }
                assertThat(peak.get() - baseline).as("live threads over the baseline while %d jobs were in flight", n)
                        .isLessThan(100);
            }
        }
    }

    static int scale(int jobs) {
        return Math.max(1, jobs / 2000);
    }

    static GenerationRequest request(int i) {
        return GenerationRequest.builder().model("sora-2").prompt("waves on a pier " + i).seconds(4).size("1280x720").build();
    }

    static int liveThreads() {
        return ManagementFactory.getThreadMXBean().getThreadCount();
    }

    /** Heap used after a full collection, and the process's resident set. */
    record Memory(double heapMiB, double rssMiB) {
        static Memory now() throws Exception {
            for (int i = 0; i < 3; i++) {
                System.gc();
                Thread.sleep(100);
            }
            long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
            long rssKb = Files.readAllLines(Path.of("/proc/self/status")).stream().filter(l -> l.startsWith("VmRSS:"))
                    .map(l -> Long.parseLong(l.replaceAll("\\D", ""))).findFirst().orElse(0L);
            return new Memory(heap / 1048576.0, rssKb / 1024.0);
        }
    }

    static void awaitTrue(java.util.function.BooleanSupplier cond, Duration max, String what) throws InterruptedException {
        long deadline = System.nanoTime() + max.toNanos();
        while (!cond.getAsBoolean()) {
            assertThat(System.nanoTime()).as(what).isLessThan(deadline);
            Thread.sleep(100);
        }
    }

    static Job awaitJob(Core core, String id, Duration max) throws InterruptedException {
        long deadline = System.nanoTime() + max.toNanos();
        while (true) {
            Job j = core.store.find(id).map(JobStore.Row::job).orElseThrow();
            if (j.status().isFinal()) return j;
            assertThat(System.nanoTime()).as("job %s ends", id).isLessThan(deadline);
            Thread.sleep(50);
        }
    }
}
