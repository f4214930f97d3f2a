package io.framegate.provider;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import io.framegate.domain.GenerationRequest;
import io.framegate.domain.ImageRole;
import io.framegate.domain.ModelCatalog;
import io.framegate.domain.RenderPlan;
import io.framegate.domain.RequestValidator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;
import java.util.Random;

/** Upstreams stand in at the wire: one WireMock server per test class, driven by the real provider code. */
abstract class WireTest {
    static final ModelCatalog CATALOG = ModelCatalog.builtIn();
    static final RequestValidator VALIDATOR = new RequestValidator(CATALOG);
    /** Fast timing on virtual time: polling and retries never really wait. */
    static final String TIMING = """
            timing:
              poll_initial: 2s
              poll_max: 8s
              poll_factor: 2
              deadline: 10m
              retry_attempts: 3
              retry_base: 1s
              retry_max: 4s
              cooldown: 1m
              request_timeout: 5s
            """;

    /** Real time, a 2 s deadline and a 5 s request timeout: a call that hangs must be cut at the deadline. */
    static final String SHORT_DEADLINE = """
            timing:
              poll_initial: 100ms
              poll_max: 200ms
              poll_factor: 1
              deadline: 2s
              retry_attempts: 3
              retry_base: 100ms
              retry_max: 200ms
              cooldown: 1m
              request_timeout: 5s
            """;

    static WireMockServer wm;

    @TempDir
    Path tmp;
    VirtualTicker ticker;
    Routing routing;

    @BeforeAll
    static void startWire() {
        wm = new WireMockServer(WireMockConfiguration.options().dynamicPort());
        wm.start();
    }

    @AfterAll
    static void stopWire() {
        wm.stop();
    }

    @BeforeEach
    void resetWire() {
        wm.resetAll();
        ticker = new VirtualTicker();
    }

    @AfterEach
    void closeRouting() {
        if (routing != null) routing.close();
    }

    String url() {
        return wm.baseUrl();
    }

    Routing routing(String yaml, Map<String, String> env) {
        return routing(yaml, env, TIMING);
    }

    Routing routing(String yaml, Map<String, String> env, String timing) {
        return routing(yaml, env, timing, ticker);
    }

    /** With {@link Ticker#SYSTEM} for the few tests about real time (deadlines that bound a hanging call). */
    Routing routing(String yaml, Map<String, String> env, String timing, Ticker clock) {
        FramegateConfig cfg = new ConfigLoader(CATALOG, env::get).parse(yaml + timing, "test.yaml", tmp);
        routing = new Routing(cfg, null, VALIDATOR, PreviewMaker.ENGINE, clock, new Random(7));
        return routing;
    }

    static RenderPlan plan(GenerationRequest req) {
        return VALIDATOR.validate(req);
    }

    static GenerationRequest.Builder keyframes(String model) {
        return GenerationRequest.builder().model(model).prompt("a slow push through the valley")
                .image(ImageRole.FIRST_FRAME, TestMedia.png(1280, 720, 640, 360), "image/png", "first.png")
                .image(ImageRole.LAST_FRAME, TestMedia.png(1280, 720, 300, 300), "image/png", "last.png");
    }
}
