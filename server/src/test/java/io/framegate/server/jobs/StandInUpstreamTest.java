package io.framegate.server.jobs;

import io.framegate.domain.ModelCatalog;
import io.framegate.provider.ConfigLoader;
import io.framegate.provider.FramegateConfig;
import io.framegate.provider.Routing;
import io.framegate.provider.Ticker;
import io.framegate.server.FramegateServer;
import io.framegate.server.LedgerInvariants;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Cloud jobs against an {@link OpenAiStandIn}: the job core with {@code sora-2} routed to the stand-in (fast polls and
 * retries, on real time), a job service that submits there, and worker pools on both; a new one for each test.
 */
abstract class StandInUpstreamTest {
    static final String CONFIG = """
            providers:
              agg: {type: openai, base_url: '%s', api_key_env: AGG_KEY}
            routes:
              sora-2: [{channel: agg, allow_retired: true}]
            timing: {poll_initial: 200ms, poll_max: 400ms, poll_factor: 2, deadline: 5m, retry_attempts: 2,
                     retry_base: 50ms, retry_max: 100ms, request_timeout: 10s}
            """;

    @TempDir
    Path dir;
    OpenAiStandIn upstream;
    Core core;
    Routing routing;
    JobService jobs;

    @BeforeEach
    void setUp() throws Exception {
        upstream = new OpenAiStandIn();
        core = new Core(dir);
        FramegateConfig cfg = new ConfigLoader(ModelCatalog.builtIn(), Map.of("AGG_KEY", "sk-test")::get)
                .parse(config().formatted(upstream.baseUrl()), "test.yaml", dir);
        routing = new Routing(cfg, null, core.validator, null, Ticker.SYSTEM, new Random(7));
        jobs = new JobService(core.store, core.results, core.validator, FramegateServer.newJsonMapper(), Clock.systemUTC(),
                routing);
    }

    /** The config, {@code %s} standing for the stand-in's base URL: {@link #CONFIG} unless a test class needs other timing. */
    String config() {
        return CONFIG;
    }

    @AfterEach
    void tearDown() {
        routing.close();
        core.close();
        upstream.close();
    }

    /** One local and two cloud slots; the defaults' 3 attempts for the submit, 10 to collect the video. */
    static WorkerSettings defaults() {
        return new WorkerSettings(1, 2, Duration.ofSeconds(30), Duration.ofMillis(100), Duration.ofSeconds(5));
    }

    WorkerPool pool() {
        return pool(defaults());
    }

    WorkerPool pool(WorkerSettings settings) {
        return new WorkerPool(core.store, jobs, core.results, core.validator, routing, OutputFinisher.NONE,
                dir.resolve("work"), settings, Clock.systemUTC());
    }

    JobStore.Row row(String id) {
        return core.store.find(id).orElseThrow();
    }

    List<String> ledger(String id) {
        return LedgerInvariants.kinds(core.db.jdbi(), id);
    }
}
