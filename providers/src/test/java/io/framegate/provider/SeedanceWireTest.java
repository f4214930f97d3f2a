package io.framegate.provider;

import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.framegate.domain.GenerationRequest;
import io.framegate.domain.ImageRole;
import io.framegate.domain.OutputFiles;
import io.framegate.provider.seedance.SeedanceUpstream;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;

import static com.github.tomakehurst.wiremock.client.WireMock.*;
import static org.assertj.core.api.Assertions.assertThat;

/** Seedance on BytePlus ModelArk at the wire, against the JSON of the ModelArk video generation API reference. */
class SeedanceWireTest extends HostedWireSupport {
    static final String KEY = "ark-test-key-1";
    static final String ID = "cgt-20250331175019-68d9t";
    static final String TASKS = "/api/v3/contents/generations/tasks";

    SeedanceUpstream upstream() {
        return new SeedanceUpstream(url() + "/api/v3", new Secret(KEY, "test"), T);
    }

    static String task(String status, String extra) {
        return """
                {"id": "%s", "model": "seedance-1-5-pro-251215", "status": "%s"%s,
                 "created_at": 1743414619, "updated_at": 1743414673}
                """.formatted(ID, status, extra);
    }

    @Test
    void submitWithFirstAndLastFrameSendsContentItemsWithRolesAsDataUris() throws Exception {
        SeedanceUpstream up = upstream();
        wm.stubFor(post(urlEqualTo(TASKS)).willReturn(okJson("{\"id\": \"" + ID + "\"}")));
        UpstreamJob job = job(keyframes("seedance-1-5-pro-251215").seconds(5).size("1280x720").seed(42L).audio(false)
                .build(), up);

        assertThat(up.submit(job, "k", T)).isEqualTo(ID);

        LoggedRequest r = wm.findAll(postRequestedFor(urlEqualTo(TASKS))).get(0);
        assertThat(r.getHeader("Authorization")).isEqualTo("Bearer " + KEY);
        assertThat(r.getHeader("Content-Type")).isEqualTo("application/json");
        String expected = """
                {"model": "seedance-1-5-pro-251215",
                 "content": [
                   {"type": "text", "text": "a slow push through the valley"},
                   {"type": "image_url", "image_url": {"url": "%s"}, "role": "first_frame"},
                   {"type": "image_url", "image_url": {"url": "%s"}, "role": "last_frame"}],
                 "ratio": "16:9", "resolution": "720p", "duration": 5, "seed": 42, "generate_audio": false}
                """.formatted(dataUri(job.imagesWith(ImageRole.FIRST_FRAME).get(0)),
                dataUri(job.imagesWith(ImageRole.LAST_FRAME).get(0)));
        wm.verify(postRequestedFor(urlEqualTo(TASKS)).withRequestBody(equalToJson(expected)));
    }

    @Test
    void referenceImagesGoAsReferenceImageRoleOnSeedance2AndCannotMixWithFrames() throws Exception {
        SeedanceUpstream up = upstream();
        wm.stubFor(post(urlEqualTo(TASKS)).willReturn(okJson("{\"id\": \"" + ID + "\"}")));
        GenerationRequest req = GenerationRequest.builder().model("dreamina-seedance-2-0-260128").prompt("tea")
                .seconds(4).size("1280x720")
                .image(ImageRole.REFERENCE, TestMedia.png(640, 360, 100, 100), "image/png", "a.png")
                .image(ImageRole.REFERENCE, TestMedia.png(640, 360, 300, 200), "image/png", "b.png").build();
        UpstreamJob job = job(req, up);
        assertThat(up.refuse(job)).isNull();
        up.submit(job, "k", T);
        wm.verify(postRequestedFor(urlEqualTo(TASKS)).withRequestBody(matchingJsonPath("$.content[1].role",
                equalTo("reference_image"))).withRequestBody(matchingJsonPath("$.content[2].role", equalTo("reference_image"))));

        List<FittedImage> mixed = List.of(new FittedImage(ImageRole.FIRST_FRAME, new byte[1], "image/png", 1, 1),
                new FittedImage(ImageRole.REFERENCE, new byte[1], "image/png", 1, 1));
        assertThat(up.refuse(new UpstreamJob(job.plan(), mixed))).contains("cannot mix");
        List<FittedImage> asset = List.of(new FittedImage(ImageRole.ASSET, new byte[1], "image/png", 1, 1));
        assertThat(up.refuse(new UpstreamJob(job.plan(), asset))).contains("asset");
    }

    @Test
    void pollsThroughEveryStatusAndDownloadsTheVideoUrlWithoutTheKey() throws Exception {
        SeedanceUpstream up = upstream();
        String state = Scenario.STARTED;
        for (String s : List.of("queued", "running")) {
            wm.stubFor(get(urlEqualTo(TASKS + "/" + ID)).inScenario("t").whenScenarioStateIs(state)
                    .willReturn(okJson(task(s, ", \"error\": null"))).willSetStateTo(s));
            state = s;
        }
        String video = cdn("/ark-content-generation/video.mp4?X-Tos-Signature=abc");
        wm.stubFor(get(urlEqualTo(TASKS + "/" + ID)).inScenario("t").whenScenarioStateIs(state).willReturn(okJson(task(
                "succeeded", """
                        , "error": null, "content": {"video_url": "%s"}, "seed": 10, "resolution": "720p", "ratio": "16:9",
                         "duration": 5, "framespersecond": 24, "usage": {"completion_tokens": 108900, "total_tokens": 108900}
                        """.formatted(video)))));
        wm.stubFor(get(urlPathEqualTo("/ark-content-generation/video.mp4")).willReturn(aResponse().withBody(TestMedia.mp4())));

        List<Poll> polls = new ArrayList<>();
        Poll p;
        do {
            p = up.poll(ID, T);
            polls.add(p);
        } while (p instanceof Poll.Running);
        assertThat(polls).hasSize(3).first().isInstanceOf(Poll.Running.class);
        Poll.Done done = (Poll.Done) polls.get(2);
        assertThat(done.videos().get(0).uri()).isEqualTo(video);
        OutputFiles out = OutputFiles.in(tmp.resolve("v0"));
        Files.createDirectories(out.video().getParent());
        up.fetch(ID, done.videos().get(0), 0, out, T);
        assertThat(Files.readAllBytes(out.video())).isEqualTo(TestMedia.mp4());
        LoggedRequest get = wm.findAll(getRequestedFor(urlPathEqualTo("/ark-content-generation/video.mp4"))).get(0);
        assertThat(header(get, "Authorization")).isNull();
        assertThat(get.getUrl()).contains("X-Tos-Signature=abc");
    }

    @Test
    void failedCancelledAndExpiredTasksMapToFilteredFailedAndExpired() throws Exception {
        SeedanceUpstream up = upstream();
        wm.stubFor(get(urlEqualTo(TASKS + "/" + ID)).willReturn(okJson(task("failed", """
                , "error": {"code": "OutputVideoSensitiveContentDetected", "message": "The request failed because the output video may contain sensitive information."}
                """))));
        assertThat(up.poll(ID, T)).isInstanceOf(Poll.Filtered.class).asString().contains("OutputVideoSensitiveContentDetected");
        wm.stubFor(get(urlEqualTo(TASKS + "/" + ID)).willReturn(okJson(task("failed", """
                , "error": {"code": "InternalServiceError", "message": "The service encountered an unexpected internal error."}
                """))));
        assertThat(up.poll(ID, T)).isEqualTo(new Poll.Failed("InternalServiceError",
                "The service encountered an unexpected internal error."));
        wm.stubFor(get(urlEqualTo(TASKS + "/" + ID)).willReturn(okJson(task("cancelled", ""))));
        assertThat(((Poll.Failed) up.poll(ID, T)).code()).isEqualTo("cancelled");
        wm.stubFor(get(urlEqualTo(TASKS + "/" + ID)).willReturn(okJson(task("expired", ""))));
        assertThat(((Poll.Failed) up.poll(ID, T)).code()).isEqualTo("expired");
    }

    @Test
    void aFlaggedInputIsARejectionNamingArksCode() throws Exception {
        SeedanceUpstream up = upstream();
        wm.stubFor(post(urlEqualTo(TASKS)).willReturn(aResponse().withStatus(400).withHeader("Content-Type", "application/json")
                .withBody("""
                        {"error": {"code": "InputImageSensitiveContentDetected", "message": "The request failed because the input image may contain sensitive information. Request id: 0217",
                         "param": "", "type": "BadRequest"}}
                        """)));
        UpstreamJob job = job(keyframes("seedance-1-5-pro-251215").seconds(5).build(), up);
        UpstreamException e = thrown(() -> up.submit(job, "k", T));
        assertThat(e.requestRejected()).isTrue();
        assertThat(e.getMessage()).contains("HTTP 400 InputImageSensitiveContentDetected").doesNotContain("Request id");
    }

    @Test
    void http429WithRetryAfterIsAProvableRefusalAnd5xxOtherThan503IsAmbiguous() throws Exception {
        SeedanceUpstream up = upstream();
        UpstreamJob job = job(keyframes("seedance-1-5-pro-251215").seconds(5).build(), up);
        wm.stubFor(post(urlEqualTo(TASKS)).willReturn(aResponse().withStatus(429).withHeader("Retry-After", "12")
                .withBody("{\"error\": {\"code\": \"RateLimitExceeded.EndpointRPMExceeded\", \"message\": \"...\"}}")));
        UpstreamException limited = thrown(() -> up.submit(job, "k", T));
        assertProvablyRefused(limited, 12);
        assertThat(limited.getMessage()).contains("RateLimitExceeded.EndpointRPMExceeded");
        for (int status : new int[]{500, 502, 504}) {
            wm.stubFor(post(urlEqualTo(TASKS)).willReturn(aResponse().withStatus(status)));
            assertAmbiguousSubmit(thrown(() -> up.submit(job, "k", T)));
        }
        wm.stubFor(post(urlEqualTo(TASKS)).willReturn(okJson("{}")));
        assertAmbiguousSubmit(thrown(() -> up.submit(job, "k", T)));
    }

    @Test
    void cancelDeletesTheTask() throws Exception {
        SeedanceUpstream up = upstream();
        wm.stubFor(delete(urlEqualTo(TASKS + "/" + ID)).willReturn(okJson("{}")));
        assertThat(up.cancel(ID, T)).isTrue();
        wm.verify(deleteRequestedFor(urlEqualTo(TASKS + "/" + ID)).withHeader("Authorization", equalTo("Bearer " + KEY)));
        // Ark refuses to cancel a running task: the caller notes the failed cancel
        wm.stubFor(delete(urlEqualTo(TASKS + "/" + ID)).willReturn(aResponse().withStatus(400)
                .withBody("{\"error\": {\"code\": \"InvalidParameter\", \"message\": \"running\"}}")));
        assertThat(thrown(() -> up.cancel(ID, T)).kind()).isEqualTo(UpstreamException.Kind.REJECTED);
    }
}
