package io.framegate.provider;

import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.framegate.domain.ImageRole;
import io.framegate.domain.OutputFiles;
import io.framegate.provider.wan.WanUpstream;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;

import static com.github.tomakehurst.wiremock.client.WireMock.*;
import static org.assertj.core.api.Assertions.assertThat;

/** Wan on DashScope at the wire, against the JSON of Model Studio's first-and-last-frame and Wan 2.7 references. */
class WanWireTest extends HostedWireSupport {
    static final String KEY = "sk-dashscope-test";
    static final String TASK = "0385dc79-5ff8-4d82-bcb6-xxxxxx";
    static final String KF2V = "/api/v1/services/aigc/image2video/video-synthesis";
    static final String MEDIA = "/api/v1/services/aigc/video-generation/video-synthesis";

    WanUpstream upstream() {
        return new WanUpstream(url() + "/api/v1", new Secret(KEY, "test"), T);
    }

    static String created() {
        return """
                {"output": {"task_status": "PENDING", "task_id": "%s"}, "request_id": "4909100c-7b5a-9f92-bfe5-xxxxxx"}
                """.formatted(TASK);
    }

    static String task(String status, String extra) {
        return """
                {"request_id": "2ca1c497-f9e0-449d-9a3f-xxxxxx",
                 "output": {"task_id": "%s", "task_status": "%s", "submit_time": "2025-09-07 20:30:34.518",
                  "scheduled_time": "2025-09-07 20:30:44.183"%s}}
                """.formatted(TASK, status, extra);
    }

    @Test
    void kf2vSubmitSendsTheAsyncHeaderAndFirstAndLastFrameUrlsAsDataUris() throws Exception {
        WanUpstream up = upstream();
        wm.stubFor(post(urlEqualTo(KF2V)).willReturn(okJson(created())));
        UpstreamJob job = job(keyframes("wan2.2-kf2v-flash").negativePrompt("people").seed(7L).size("1920x1080").build(), up);

        assertThat(up.submit(job, "k", T)).isEqualTo(TASK);

        LoggedRequest r = wm.findAll(postRequestedFor(urlEqualTo(KF2V))).get(0);
        assertThat(r.getHeader("X-DashScope-Async")).isEqualTo("enable");
        assertThat(r.getHeader("Authorization")).isEqualTo("Bearer " + KEY);
        assertThat(r.getHeader("Content-Type")).isEqualTo("application/json");
        wm.verify(postRequestedFor(urlEqualTo(KF2V)).withRequestBody(equalToJson("""
                {"model": "wan2.2-kf2v-flash",
                 "input": {"prompt": "a slow push through the valley", "negative_prompt": "people",
                           "first_frame_url": "%s", "last_frame_url": "%s"},
                 "parameters": {"resolution": "1080P", "seed": 7}}
                """.formatted(dataUri(job.imagesWith(ImageRole.FIRST_FRAME).get(0)),
                dataUri(job.imagesWith(ImageRole.LAST_FRAME).get(0))))));
    }

    @Test
    void wan27SubmitGoesToVideoGenerationWithMediaAndDuration() throws Exception {
        WanUpstream up = upstream();
        wm.stubFor(post(urlEqualTo(MEDIA)).willReturn(okJson(created())));
        UpstreamJob job = job(keyframes("wan2.7-i2v").seconds(10).size("1280x720").build(), up);
        up.submit(job, "k", T);
        wm.verify(postRequestedFor(urlEqualTo(MEDIA)).withHeader("X-DashScope-Async", equalTo("enable"))
                .withRequestBody(equalToJson("""
                {"model": "wan2.7-i2v",
                 "input": {"prompt": "a slow push through the valley",
                           "media": [{"type": "first_frame", "url": "%s"}, {"type": "last_frame", "url": "%s"}]},
                 "parameters": {"resolution": "720P", "duration": 10}}
                """.formatted(dataUri(job.imagesWith(ImageRole.FIRST_FRAME).get(0)),
                        dataUri(job.imagesWith(ImageRole.LAST_FRAME).get(0))))));
        assertThat(wm.findAll(postRequestedFor(urlEqualTo(KF2V)))).isEmpty();
    }

    @Test
    void pollsPendingRunningSucceededAndDownloadsTheOssUrlWithoutTheKey() throws Exception {
        WanUpstream up = upstream();
        String state = Scenario.STARTED;
        for (String s : List.of("PENDING", "RUNNING")) {
            wm.stubFor(get(urlEqualTo("/api/v1/tasks/" + TASK)).inScenario("t").whenScenarioStateIs(state)
                    .willReturn(okJson(task(s, ""))).willSetStateTo(s));
            state = s;
        }
        String video = cdn("/1d/f8/20250907/result.mp4?Expires=1757334653&OSSAccessKeyId=LTAI&Signature=abc");
        wm.stubFor(get(urlEqualTo("/api/v1/tasks/" + TASK)).inScenario("t").whenScenarioStateIs(state).willReturn(okJson(
                task("SUCCEEDED", """
                        , "end_time": "2025-09-07 20:31:37.491", "video_url": "%s",
                          "orig_prompt": "a slow push", "actual_prompt": "a slow push, cinematic"},
                         "usage": {"video_duration": 5, "video_count": 1, "SR": 1080
                        """.formatted(video)))));
        wm.stubFor(get(urlPathEqualTo("/1d/f8/20250907/result.mp4")).willReturn(aResponse().withBody(TestMedia.mp4())));

        List<Poll> polls = new ArrayList<>();
        Poll p;
        do {
            p = up.poll(TASK, T);
            polls.add(p);
        } while (p instanceof Poll.Running);
        assertThat(polls).hasSize(3);
        Poll.Done done = (Poll.Done) polls.get(2);
        OutputFiles out = OutputFiles.in(tmp.resolve("v0"));
        Files.createDirectories(out.video().getParent());
        up.fetch(TASK, done.videos().get(0), 0, out, T);
        assertThat(Files.readAllBytes(out.video())).isEqualTo(TestMedia.mp4());
        assertThat(header(wm.findAll(getRequestedFor(urlPathEqualTo("/1d/f8/20250907/result.mp4"))).get(0),
                "Authorization")).isNull();
        wm.verify(getRequestedFor(urlEqualTo("/api/v1/tasks/" + TASK)).withHeader("Authorization", equalTo("Bearer " + KEY)));
    }

    @Test
    void dataInspectionFailureIsTheContentFilterOtherFailuresFailCanceledAndUnknownEnd() throws Exception {
        WanUpstream up = upstream();
        wm.stubFor(get(urlEqualTo("/api/v1/tasks/" + TASK)).willReturn(okJson(task("FAILED",
                ", \"code\": \"DataInspectionFailed\", \"message\": \"Output data may contain inappropriate content.\""))));
        assertThat(up.poll(TASK, T)).isEqualTo(new Poll.Filtered("Output data may contain inappropriate content. (DataInspectionFailed)"));
        wm.stubFor(get(urlEqualTo("/api/v1/tasks/" + TASK)).willReturn(okJson(task("FAILED",
                ", \"code\": \"InternalError.Algo\", \"message\": \"An internal error has occured during execution.\""))));
        assertThat(up.poll(TASK, T)).isEqualTo(new Poll.Failed("InternalError.Algo",
                "An internal error has occured during execution."));
        wm.stubFor(get(urlEqualTo("/api/v1/tasks/" + TASK)).willReturn(okJson(task("CANCELED", ""))));
        assertThat(((Poll.Failed) up.poll(TASK, T)).code()).isEqualTo("cancelled");
        wm.stubFor(get(urlEqualTo("/api/v1/tasks/" + TASK)).willReturn(okJson(task("UNKNOWN", ""))));
        assertThat(((Poll.Failed) up.poll(TASK, T)).code()).isEqualTo("expired");
    }

    @Test
    void throttlingWithRetryAfterIsAProvableRefusalA500IsAmbiguousAndAnInspectedInputIsRejected() throws Exception {
        WanUpstream up = upstream();
        UpstreamJob job = job(keyframes("wan2.2-kf2v-flash").build(), up);
        wm.stubFor(post(urlEqualTo(KF2V)).willReturn(aResponse().withStatus(429).withHeader("Retry-After", "3")
                .withBody("{\"request_id\": \"r1\", \"code\": \"Throttling.RateQuota\", \"message\": \"Requests rate limit exceeded\"}")));
        UpstreamException limited = thrown(() -> up.submit(job, "k", T));
        assertProvablyRefused(limited, 3);
        assertThat(limited.getMessage()).contains("Throttling.RateQuota");
        wm.stubFor(post(urlEqualTo(KF2V)).willReturn(aResponse().withStatus(500)
                .withBody("{\"request_id\": \"r2\", \"code\": \"InternalError\", \"message\": \"internal\"}")));
        assertAmbiguousSubmit(thrown(() -> up.submit(job, "k", T)));
        wm.stubFor(post(urlEqualTo(KF2V)).willReturn(aResponse().withStatus(400)
                .withBody("{\"request_id\": \"r3\", \"code\": \"DataInspectionFailed\", \"message\": \"Input data may contain inappropriate content.\"}")));
        UpstreamException inspected = thrown(() -> up.submit(job, "k", T));
        assertThat(inspected.requestRejected()).isTrue();
        assertThat(inspected.getMessage()).contains("HTTP 400 DataInspectionFailed").doesNotContain("inappropriate");
    }

    @Test
    void cancelPostsToTheTasksCancelPath() throws Exception {
        WanUpstream up = upstream();
        wm.stubFor(post(urlEqualTo("/api/v1/tasks/" + TASK + "/cancel")).willReturn(okJson("{\"request_id\": \"r4\"}")));
        assertThat(up.cancel(TASK, T)).isTrue();
        wm.verify(postRequestedFor(urlEqualTo("/api/v1/tasks/" + TASK + "/cancel"))
                .withHeader("Authorization", equalTo("Bearer " + KEY)));
    }

    @Test
    void kf2vWithoutALastFrameIsRefusedBeforeAnyCall() throws Exception {
        WanUpstream up = upstream();
        UpstreamJob job = job(keyframes("wan2.7-i2v").build(), up);
        UpstreamJob firstOnly = new UpstreamJob(plan(keyframes("wan2.2-kf2v-flash").build()),
                job.imagesWith(ImageRole.FIRST_FRAME));
        assertThat(up.refuse(firstOnly)).contains("wan2.2-kf2v-flash").contains("last_frame_url");
        assertThat(up.refuse(job)).isNull();
    }
}
