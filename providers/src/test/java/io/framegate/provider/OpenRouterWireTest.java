package io.framegate.provider;

import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.framegate.domain.GenerationRequest;
import io.framegate.domain.ImageRole;
import io.framegate.domain.OutputFiles;
import io.framegate.provider.openrouter.OpenRouterUpstream;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;

import static com.github.tomakehurst.wiremock.client.WireMock.*;
import static org.assertj.core.api.Assertions.assertThat;

/** OpenRouter's video API at the wire, against the JSON of openrouter.ai's video-generation API reference. */
class OpenRouterWireTest extends HostedWireSupport {
    static final String KEY = "sk-or-v1-test";
    static final String JOB = "job-abc123";

    OpenRouterUpstream upstream(boolean inline) {
        return new OpenRouterUpstream(url() + "/api/v1", new Secret(KEY, "test"), T, inline);
    }

    static String job(String status, String extra) {
        return """
                {"id": "%s", "polling_url": "/api/v1/videos/%s", "status": "%s"%s}
                """.formatted(JOB, JOB, status, extra);
    }

    @Test
    void imagesAreRefusedUnlessTheChannelSendsThemInlineBecauseTheApiTakesUrlsOnly() throws Exception {
        UpstreamJob job = job(keyframes("openrouter/google/veo-3.1").seconds(8).size("1280x720").build(), upstream(true));
        assertThat(upstream(false).refuse(job)).contains("public URLs").contains("inline_images");
        assertThat(upstream(true).refuse(job)).isNull();
        UpstreamJob textOnly = job(GenerationRequest.builder().model("openrouter/google/veo-3.1").prompt("a fox").build(), upstream(false));
        assertThat(upstream(false).refuse(textOnly)).isNull();
    }

    @Test
    void submitWithFirstAndLastFrameSendsFrameImagesWithFrameTypes() throws Exception {
        OpenRouterUpstream up = upstream(true);
        wm.stubFor(post(urlEqualTo("/api/v1/videos")).willReturn(aResponse().withStatus(202)
                .withHeader("Content-Type", "application/json").withBody(job("pending", ""))));
        UpstreamJob job = job(keyframes("openrouter/google/veo-3.1").seconds(8).size("1920x1080").seed(42L).audio(true).build(), up);

        assertThat(up.submit(job, "k", T)).isEqualTo(JOB);

        LoggedRequest r = wm.findAll(postRequestedFor(urlEqualTo("/api/v1/videos"))).get(0);
        assertThat(r.getHeader("Authorization")).isEqualTo("Bearer " + KEY);
        assertThat(r.getHeader("Content-Type")).isEqualTo("application/json");
        wm.verify(postRequestedFor(urlEqualTo("/api/v1/videos")).withRequestBody(equalToJson("""
                {"model": "google/veo-3.1", "prompt": "a slow push through the valley", "duration": 8,
                 "resolution": "1080p", "aspect_ratio": "16:9", "seed": 42, "generate_audio": true,
                 "frame_images": [
                   {"type": "image_url", "image_url": {"url": "%s"}, "frame_type": "first_frame"},
                   {"type": "image_url", "image_url": {"url": "%s"}, "frame_type": "last_frame"}]}
                """.formatted(dataUri(job.imagesWith(ImageRole.FIRST_FRAME).get(0)),
                dataUri(job.imagesWith(ImageRole.LAST_FRAME).get(0))))));
    }

    @Test
    void withFramegateServedUrlsAChannelWithoutInlineImagesSendsEachFrameAsItsSignedUrl() throws Exception {
        OpenRouterUpstream up = upstream(false);
        wm.stubFor(post(urlEqualTo("/api/v1/videos")).willReturn(aResponse().withStatus(202).withBody(job("pending", ""))));
        UpstreamJob fitted = job(keyframes("openrouter/google/veo-3.1").seconds(8).size("1280x720").build(), up);
        List<FittedImage> asked = new ArrayList<>();
        UpstreamJob job = new UpstreamJob(fitted.plan(), fitted.images(), img -> {
            asked.add(img);
            return "https://fg.example.com/v1/inputs/video_1/upstream-input-" + fitted.images().indexOf(img) + "?expires=9&signature=s";
        });
        assertThat(up.refuse(job)).isNull();

        up.submit(job, "k", T);

        assertThat(asked).containsExactlyElementsOf(fitted.images());
        wm.verify(postRequestedFor(urlEqualTo("/api/v1/videos")).withRequestBody(equalToJson("""
                {"model": "google/veo-3.1", "prompt": "a slow push through the valley", "duration": 8,
                 "resolution": "720p", "aspect_ratio": "16:9", "generate_audio": true,
                 "frame_images": [
                   {"type": "image_url", "image_url": {"url": "https://fg.example.com/v1/inputs/video_1/upstream-input-0?expires=9&signature=s"}, "frame_type": "first_frame"},
                   {"type": "image_url", "image_url": {"url": "https://fg.example.com/v1/inputs/video_1/upstream-input-1?expires=9&signature=s"}, "frame_type": "last_frame"}]}
                """)));
    }

    @Test
    void referenceImagesGoAsInputReferences() throws Exception {
        OpenRouterUpstream up = upstream(true);
        wm.stubFor(post(urlEqualTo("/api/v1/videos")).willReturn(aResponse().withStatus(202).withBody(job("pending", ""))));
        UpstreamJob job = job(GenerationRequest.builder().model("openrouter/alibaba/wan-2.7").prompt("a fox").seconds(5)
                .image(ImageRole.REFERENCE, TestMedia.png(640, 360, 100, 100), "image/png", "fox.png").build(), up);
        up.submit(job, "k", T);
        wm.verify(postRequestedFor(urlEqualTo("/api/v1/videos")).withRequestBody(equalToJson("""
                {"model": "alibaba/wan-2.7", "prompt": "a fox", "duration": 5, "resolution": "720p", "aspect_ratio": "16:9",
                 "input_references": [{"type": "image_url", "image_url": {"url": "%s"}}]}
                """.formatted(dataUri(job.imagesWith(ImageRole.REFERENCE).get(0))))));
    }

    @Test
    void pollsPendingInProgressCompletedAndDownloadsFromTheContentEndpointWithTheKey() throws Exception {
        OpenRouterUpstream up = upstream(false);
        String state = Scenario.STARTED;
        for (String s : List.of("pending", "in_progress")) {
            wm.stubFor(get(urlEqualTo("/api/v1/videos/" + JOB)).inScenario("j").whenScenarioStateIs(state)
                    .willReturn(okJson(job(s, ""))).willSetStateTo(s));
            state = s;
        }
        wm.stubFor(get(urlEqualTo("/api/v1/videos/" + JOB)).inScenario("j").whenScenarioStateIs(state).willReturn(okJson(
                job("completed", ", \"generation_id\": \"gen-xyz789\", \"unsigned_urls\": [\"" + url()
                        + "/api/v1/videos/" + JOB + "/content?index=0\"], \"usage\": {\"cost\": 0.5}"))));
        wm.stubFor(get(urlEqualTo("/api/v1/videos/" + JOB + "/content?index=0")).willReturn(aResponse()
                .withHeader("Content-Type", "video/mp4").withBody(TestMedia.mp4())));

        List<Poll> polls = new ArrayList<>();
        Poll p;
        do {
            p = up.poll(JOB, T);
            polls.add(p);
        } while (p instanceof Poll.Running);
        assertThat(polls).hasSize(3);
        Poll.Done done = (Poll.Done) polls.get(2);
        assertThat(done.videos()).hasSize(1);
        OutputFiles out = OutputFiles.in(tmp.resolve("v0"));
        Files.createDirectories(out.video().getParent());
        up.fetch(JOB, done.videos().get(0), 0, out, T);
        assertThat(Files.readAllBytes(out.video())).isEqualTo(TestMedia.mp4());
        wm.verify(getRequestedFor(urlEqualTo("/api/v1/videos/" + JOB + "/content?index=0"))
                .withHeader("Authorization", equalTo("Bearer " + KEY)));
    }

    @Test
    void moderationFailureIsFilteredOtherFailuresFailAndCancelledOrExpiredEnd() throws Exception {
        OpenRouterUpstream up = upstream(false);
        wm.stubFor(get(urlEqualTo("/api/v1/videos/" + JOB)).willReturn(okJson(job("failed",
                ", \"error\": \"The prompt was blocked by the provider's content moderation.\""))));
        assertThat(up.poll(JOB, T)).isEqualTo(new Poll.Filtered("The prompt was blocked by the provider's content moderation."));
        wm.stubFor(get(urlEqualTo("/api/v1/videos/" + JOB)).willReturn(okJson(job("failed",
                ", \"error\": \"Provider returned error\""))));
        assertThat(up.poll(JOB, T)).isEqualTo(new Poll.Failed(null, "Provider returned error"));
        wm.stubFor(get(urlEqualTo("/api/v1/videos/" + JOB)).willReturn(okJson(job("cancelled", ""))));
        assertThat(((Poll.Failed) up.poll(JOB, T)).code()).isEqualTo("cancelled");
        wm.stubFor(get(urlEqualTo("/api/v1/videos/" + JOB)).willReturn(okJson(job("expired", ""))));
        assertThat(((Poll.Failed) up.poll(JOB, T)).code()).isEqualTo("expired");
    }

    @Test
    void http429WithRetryAfterIsAProvableRefusalAnd502IsAmbiguousAndThereIsNoCancel() throws Exception {
        OpenRouterUpstream up = upstream(false);
        UpstreamJob job = job(GenerationRequest.builder().model("openrouter/google/veo-3.1").prompt("a fox").build(), up);
        wm.stubFor(post(urlEqualTo("/api/v1/videos")).willReturn(aResponse().withStatus(429).withHeader("Retry-After", "20")
                .withBody("{\"error\": {\"code\": 429, \"message\": \"Rate limit exceeded\"}}")));
        assertProvablyRefused(thrown(() -> up.submit(job, "k", T)), 20);
        wm.stubFor(post(urlEqualTo("/api/v1/videos")).willReturn(aResponse().withStatus(502)
                .withBody("{\"error\": {\"code\": 502, \"message\": \"Provider returned error\"}}")));
        assertAmbiguousSubmit(thrown(() -> up.submit(job, "k", T)));
        int before = wm.getAllServeEvents().size();
        assertThat(up.cancel(JOB, T)).isFalse();
        assertThat(wm.getAllServeEvents()).hasSize(before);
    }
}
