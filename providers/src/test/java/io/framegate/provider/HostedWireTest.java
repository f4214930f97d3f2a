package io.framegate.provider;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.framegate.domain.GenerationRequest;
import io.framegate.domain.ImageRole;
import io.framegate.domain.InputImage;
import io.framegate.domain.ModelCatalog;
import io.framegate.domain.RenderPlan;
import io.framegate.domain.RequestValidator;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Wire tests of Kling, Runway and Luma against the built-in catalog: the upstream driven directly for exact bodies
 * and classifications, and through one {@link UpstreamBackend} (retries, polling, download, notes) on virtual time.
 */
abstract class HostedWireTest extends WireTest {
    static final ModelCatalog HOSTED = CATALOG;
    static final RequestValidator HOSTED_VALIDATOR = VALIDATOR;
    /** {@link WireTest#TIMING} as settings. */
    static final ProviderSettings FAST = new ProviderSettings(Duration.ofSeconds(2), Duration.ofSeconds(8), 2,
            Duration.ofMinutes(10), 3, Duration.ofSeconds(1), Duration.ofSeconds(4), Duration.ofMinutes(1),
            Duration.ofSeconds(5));
    static final Duration CALL = Duration.ofSeconds(5);

    static RenderPlan hostedPlan(GenerationRequest req) {
        return HOSTED_VALIDATOR.validate(req);
    }

    static GenerationRequest.Builder firstAndLast(String model) {
        return GenerationRequest.builder().model(model).prompt("a slow push through the valley")
                .image(ImageRole.FIRST_FRAME, TestMedia.png(1280, 720, 640, 360), "image/png", "first.png")
                .image(ImageRole.LAST_FRAME, TestMedia.png(1280, 720, 300, 300), "image/png", "last.png");
    }

    /** The job as {@link UpstreamBackend#submit} hands it to the upstream: images fitted to its constraints. */
    static UpstreamJob job(RenderPlan plan, VideoUpstream upstream) throws Exception {
        List<FittedImage> images = new ArrayList<>();
        for (InputImage img : plan.request().images()) {
            images.add(UpstreamImages.fit(img, plan.size(), io.framegate.domain.FitMode.CROP, upstream.imageConstraints()).image());
        }
        return new UpstreamJob(plan, images);
    }

    /** One channel, one upstream model: what a route of one target does. */
    FailoverBackend backend(VideoUpstream upstream, String model) {
        return new FailoverBackend("route:" + model, List.of(target(upstream, model)), ticker);
    }

    /** The same, with Framegate-served input URLs ({@code null}: none, as without a public base URL). */
    FailoverBackend backend(VideoUpstream upstream, String model, InputUrls urls) {
        return new FailoverBackend("route:" + model, List.of(target(upstream, model, urls)), ticker);
    }

    UpstreamBackend target(VideoUpstream upstream, String model) {
        return target(upstream, model, null);
    }

    UpstreamBackend target(VideoUpstream upstream, String model, InputUrls urls) {
        return new UpstreamBackend(new Channel("c1", upstream), HOSTED.require(model), ReferenceAs.FIRST_FRAME,
                HOSTED_VALIDATOR, FAST, PreviewMaker.ENGINE, ticker, new Retrier(3, Duration.ofSeconds(1),
                Duration.ofSeconds(4), new Random(7)), urls);
    }

    static JsonNode body(LoggedRequest r) throws Exception {
        return Http.JSON.readTree(r.getBodyAsString());
    }
}
