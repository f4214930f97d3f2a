package io.framegate.provider;

import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.framegate.domain.GenerationRequest;
import io.framegate.domain.InputImage;
import io.framegate.domain.RenderPlan;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** What the wire tests of the provider-hosted upstreams (MiniMax, Seedance, Wan, OpenRouter) share. */
abstract class HostedWireSupport extends WireTest {
    static final Duration T = Duration.ofSeconds(5);

    /** The plan's images fitted to the upstream's constraints, as the backend does before a submit. */
    static UpstreamJob job(GenerationRequest req, VideoUpstream up) throws Exception {
        RenderPlan plan = plan(req);
        List<FittedImage> images = new ArrayList<>();
        for (InputImage img : plan.request().images()) {
            images.add(UpstreamImages.fit(img, plan.size(), io.framegate.domain.FitMode.CROP, up.imageConstraints()).image());
        }
        return new UpstreamJob(plan, images);
    }

    static String dataUri(FittedImage img) {
        return "data:" + img.mimeType() + ";base64," + Base64.getEncoder().encodeToString(img.bytes());
    }

    /** The same WireMock under another host name: a CDN the channel's key must not be sent to. */
    String cdn(String path) {
        return "http://127.0.0.1:" + wm.port() + path;
    }

    static UpstreamException thrown(ThrowingCall call) {
        return catchThrowableOfType(UpstreamException.class, call::run);
    }

    interface ThrowingCall {
        void run() throws Exception;
    }

    static void assertAmbiguousSubmit(UpstreamException e) {
        assertThat(e).isNotNull();
        assertThat(e.refusedBeforeAcceptance()).as("may have been accepted: never sent again").isFalse();
        assertThat(e.requestRejected()).isFalse();
    }

    static void assertProvablyRefused(UpstreamException e, long retryAfterSeconds) {
        assertThat(e).isNotNull();
        assertThat(e.kind()).isEqualTo(UpstreamException.Kind.RATE_LIMITED);
        assertThat(e.refusedBeforeAcceptance()).isTrue();
        assertThat(e.submitRetryable()).isTrue();
        assertThat(e.retryAfter()).isEqualTo(Duration.ofSeconds(retryAfterSeconds));
    }

    static String header(LoggedRequest r, String name) {
        return r.containsHeader(name) ? r.getHeader(name) : null;
    }
}
