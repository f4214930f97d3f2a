package io.framegate.provider;

import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.framegate.domain.OutputFiles;
import io.framegate.provider.minimax.MiniMaxUpstream;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;

import static com.github.tomakehurst.wiremock.client.WireMock.*;
import static org.assertj.core.api.Assertions.assertThat;

/** MiniMax Hailuo at the wire, against the JSON of platform.minimax.io's API reference. */
class MiniMaxWireTest extends HostedWireSupport {
    static final String KEY = "mm-test-key-1";
    static final String TASK = "106916112212032";
    static final String FILE = "176844028768320";

    MiniMaxUpstream upstream() {
        return new MiniMaxUpstream(url(), new Secret(KEY, "test"), T);
    }

    static String query(String status, String extra) {
        return """
                {"task_id": "%s", "status": "%s"%s, "base_resp": {"status_code": 0, "status_msg": "success"}}
                """.formatted(TASK, status, extra);
    }

    @Test
    void submitWithFirstAndLastFrameSendsTheDocumentedBodyWithDataUrlsAndBearer() throws Exception {
        MiniMaxUpstream up = upstream();
        wm.stubFor(post(urlEqualTo("/v1/video_generation")).willReturn(okJson(
                "{\"task_id\":\"" + TASK + "\",\"base_resp\":{\"status_code\":0,\"status_msg\":\"success\"}}")));
        UpstreamJob job = job(keyframes("MiniMax-Hailuo-02").seconds(6).size("1920x1080").build(), up);

        assertThat(up.submit(job, "k", T)).isEqualTo(TASK);

        LoggedRequest r = wm.findAll(postRequestedFor(urlEqualTo("/v1/video_generation"))).get(0);
        assertThat(r.getHeader("Authorization")).isEqualTo("Bearer " + KEY);
        assertThat(r.getHeader("Content-Type")).isEqualTo("application/json");
        String expected = """
                {"model": "MiniMax-Hailuo-02", "prompt": "a slow push through the valley",
                 "first_frame_image": "%s", "last_frame_image": "%s", "duration": 6, "resolution": "1080P"}
                """.formatted(dataUri(job.imagesWith(io.framegate.domain.ImageRole.FIRST_FRAME).get(0)),
                dataUri(job.imagesWith(io.framegate.domain.ImageRole.LAST_FRAME).get(0)));
        wm.verify(postRequestedFor(urlEqualTo("/v1/video_generation")).withRequestBody(equalToJson(expected)));
        assertThat(job.images().get(0).mimeType()).isEqualTo("image/png");
    }

    @Test
    void pollsThroughEveryStatusThenRetrievesTheFileAndDownloadsWithoutTheKey() throws Exception {
        MiniMaxUpstream up = upstream();
        String q = "/v1/query/video_generation?task_id=" + TASK;
        String[] states = {"Preparing", "Queueing", "Processing"};
        String state = Scenario.STARTED;
        for (String s : states) {
            wm.stubFor(get(urlEqualTo(q)).inScenario("q").whenScenarioStateIs(state).willReturn(okJson(query(s, "")))
                    .willSetStateTo(s));
            state = s;
        }
        wm.stubFor(get(urlEqualTo(q)).inScenario("q").whenScenarioStateIs(state).willReturn(okJson(query("Success",
                ", \"file_id\": \"" + FILE + "\", \"video_width\": 1920, \"video_height\": 1080"))));
        wm.stubFor(get(urlEqualTo("/v1/files/retrieve?file_id=" + FILE)).willReturn(okJson("""
                {"file": {"file_id": %s, "bytes": 0, "created_at": 1758211235, "filename": "output.mp4",
                 "purpose": "video_generation", "download_url": "%s"},
                 "base_resp": {"status_code": 0, "status_msg": "success"}}
                """.formatted(FILE, cdn("/inference_output/video/output.mp4")))));
        wm.stubFor(get(urlEqualTo("/inference_output/video/output.mp4")).willReturn(aResponse().withBody(TestMedia.mp4())));

        List<Poll> polls = new ArrayList<>();
        Poll p;
        do {
            p = up.poll(TASK, T);
            polls.add(p);
        } while (p instanceof Poll.Running);

        assertThat(polls).hasSize(4);
        assertThat(polls.subList(0, 3)).allMatch(x -> x instanceof Poll.Running);
        Poll.Done done = (Poll.Done) polls.get(3);
        OutputFiles out = OutputFiles.in(tmp.resolve("v0"));
        Files.createDirectories(out.video().getParent());
        assertThat(up.fetch(TASK, done.videos().get(0), 0, out, T)).isFalse();
        assertThat(Files.readAllBytes(out.video())).isEqualTo(TestMedia.mp4());
        assertThat(TestMedia.frameCount(out.video())).isEqualTo(12);
        wm.verify(getRequestedFor(urlEqualTo("/v1/files/retrieve?file_id=" + FILE)).withHeader("Authorization",
                equalTo("Bearer " + KEY)));
        LoggedRequest cdnGet = wm.findAll(getRequestedFor(urlEqualTo("/inference_output/video/output.mp4"))).get(0);
        assertThat(header(cdnGet, "Authorization")).as("the key never goes to the CDN").isNull();
    }

    @Test
    void sensitiveContentIsTheContentFilterOnAFailedTaskAndARejectionAtSubmit() throws Exception {
        MiniMaxUpstream up = upstream();
        wm.stubFor(get(urlEqualTo("/v1/query/video_generation?task_id=" + TASK)).willReturn(okJson("""
                {"task_id": "%s", "status": "Fail", "base_resp": {"status_code": 1027, "status_msg": "output new_sensitive"}}
                """.formatted(TASK))));
        assertThat(up.poll(TASK, T)).isEqualTo(new Poll.Filtered("output new_sensitive (1027)"));

        wm.stubFor(post(urlEqualTo("/v1/video_generation")).willReturn(okJson(
                "{\"task_id\":\"\",\"base_resp\":{\"status_code\":1026,\"status_msg\":\"input new_sensitive\"}}")));
        UpstreamJob job = job(keyframes("MiniMax-Hailuo-02").seconds(6).build(), up);
        UpstreamException e = thrown(() -> up.submit(job, "k", T));
        assertThat(e.requestRejected()).isTrue();
        assertThat(e.refusedBeforeAcceptance()).isFalse();
        assertThat(e.getMessage()).contains("1026").contains("content filter").doesNotContain("new_sensitive");

        wm.stubFor(get(urlEqualTo("/v1/query/video_generation?task_id=" + TASK)).willReturn(okJson("""
                {"task_id": "%s", "status": "Fail", "base_resp": {"status_code": 1000, "status_msg": "unknown error"}}
                """.formatted(TASK))));
        assertThat(up.poll(TASK, T)).isEqualTo(new Poll.Failed("1000", "unknown error"));
    }

    @Test
    void rateLimitsAreProvableRefusalsHttp429WithRetryAfterAndBaseResp1002() throws Exception {
        MiniMaxUpstream up = upstream();
        UpstreamJob job = job(keyframes("MiniMax-Hailuo-02").seconds(6).build(), up);
        wm.stubFor(post(urlEqualTo("/v1/video_generation")).willReturn(aResponse().withStatus(429)
                .withHeader("Retry-After", "7").withBody("{\"base_resp\":{\"status_code\":1002,\"status_msg\":\"rate limit\"}}")));
        assertProvablyRefused(thrown(() -> up.submit(job, "k", T)), 7);

        wm.stubFor(post(urlEqualTo("/v1/video_generation")).willReturn(okJson(
                "{\"task_id\":\"\",\"base_resp\":{\"status_code\":1002,\"status_msg\":\"rate limit\"}}")));
        UpstreamException e = thrown(() -> up.submit(job, "k", T));
        assertThat(e.kind()).isEqualTo(UpstreamException.Kind.RATE_LIMITED);
        assertThat(e.refusedBeforeAcceptance()).isTrue();

        wm.stubFor(post(urlEqualTo("/v1/video_generation")).willReturn(okJson(
                "{\"task_id\":\"\",\"base_resp\":{\"status_code\":1004,\"status_msg\":\"not authorized\"}}")));
        assertThat(thrown(() -> up.submit(job, "k", T)).kind()).isEqualTo(UpstreamException.Kind.AUTH);
    }

    @Test
    void ambiguousFailuresOfASubmitAreNeverProvableRefusals() throws Exception {
        MiniMaxUpstream up = upstream();
        UpstreamJob job = job(keyframes("MiniMax-Hailuo-02").seconds(6).build(), up);
        for (int status : new int[]{500, 502, 504}) {
            wm.stubFor(post(urlEqualTo("/v1/video_generation")).willReturn(aResponse().withStatus(status)));
            assertAmbiguousSubmit(thrown(() -> up.submit(job, "k", T)));
        }
        wm.stubFor(post(urlEqualTo("/v1/video_generation")).willReturn(aResponse().withStatus(503)));
        assertThat(thrown(() -> up.submit(job, "k", T)).refusedBeforeAcceptance()).isTrue();
        // an internal error under HTTP 200: MiniMax may or may not have made the task
        wm.stubFor(post(urlEqualTo("/v1/video_generation")).willReturn(okJson(
                "{\"base_resp\":{\"status_code\":1024,\"status_msg\":\"internal error\"}}")));
        assertAmbiguousSubmit(thrown(() -> up.submit(job, "k", T)));
    }

    @Test
    void hasNoCancelAndRefusesRolesItHasNoFieldFor() throws Exception {
        MiniMaxUpstream up = upstream();
        assertThat(up.cancel(TASK, T)).isFalse();
        assertThat(wm.getAllServeEvents()).isEmpty();
        UpstreamJob ref = new UpstreamJob(plan(io.framegate.domain.GenerationRequest.builder().model("sora-2")
                .prompt("p").image(io.framegate.domain.ImageRole.REFERENCE, TestMedia.png(64, 64, 8, 8), "image/png", "r.png")
                .build()), List.of(new FittedImage(io.framegate.domain.ImageRole.REFERENCE, new byte[1], "image/png", 1, 1)));
        assertThat(up.refuse(ref)).contains("no field for reference");
    }
}
