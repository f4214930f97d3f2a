package io.framegate.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static com.github.tomakehurst.wiremock.client.WireMock.*;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 8 item 1: a job acknowledged with a 200 survives kill -9 of the server, and a cloud job is submitted upstream
 * once however the server is killed. Real {@code serve} processes on one data directory; an OpenAI-compatible
 * stand-in (WireMock, in this JVM) counts the submits of each job by its prompt.
 */
class KillNineTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String UPSTREAM_ID = "video_68d7512d07848190b3e45da0ecbebcde004da08e1e0678d5";
    static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir(cleanup = CleanupMode.ON_SUCCESS) // a failed run keeps the servers' logs and the database to look at
    Path dir;
    WireMockServer upstream;
    byte[] upstreamVideo;
    Path data;
    Path config;
    String key;
    int starts;

    @BeforeEach
    void standIn() throws Exception {
        upstream = new WireMockServer(options().dynamicPort());
        upstream.start();
        Path first = dir.resolve("first.png");
        ImageIO.write(image(96, 54, Color.ORANGE), "png", first.toFile());
        Path video = dir.resolve("upstream.mp4");
        CliRun made = CliRun.of("generate", "--first", first.toString(), "--size", "96x54", "--num-frames", "6",
                "-o", video.toString());
        assertThat(made.code()).as(made.err()).isEqualTo(0);
        upstreamVideo = Files.readAllBytes(video);

        data = Files.createDirectories(dir.resolve("data"));
        Files.writeString(dir.resolve("agg.key"), "sk-kill9-upstream\n");
        config = dir.resolve("framegate.yaml");
        // many attempts: this test kills the server on purpose, and each kill during a run counts as one
        Files.writeString(config, """
                providers:
                  agg: {type: openai, base_url: '%s/v1', api_key_file: agg.key}
                routes:
                  sora-2: [{channel: agg, allow_retired: true}]
                timing: {poll_initial: 100ms, poll_max: 200ms, deadline: 2m, retry_attempts: 2, retry_base: 50ms,
                         retry_max: 100ms, request_timeout: 10s}
                workers: {local: 1, cloud: 4, max_attempts: 20}
                """.formatted(upstream.baseUrl()));
    }

    @AfterEach
    void stopStandIn() {
        upstream.stop();
    }

    /** The stand-in accepts the job of this prompt as upstream job {@code upstreamId}, which is done at once. */
    void stubUpstreamJob(String prompt, String upstreamId) {
        upstream.stubFor(post(urlEqualTo("/v1/videos")).withRequestBody(containing(prompt))
                .willReturn(okJson(soraVideo(upstreamId, "queued"))));
        upstream.stubFor(get(urlEqualTo("/v1/videos/" + upstreamId)).willReturn(okJson(soraVideo(upstreamId, "completed"))));
        upstream.stubFor(get(urlEqualTo("/v1/videos/" + upstreamId + "/content?variant=video"))
                .willReturn(aResponse().withHeader("Content-Type", "video/mp4").withBody(upstreamVideo)));
        upstream.stubFor(get(urlMatching("/v1/videos/" + upstreamId + "/content\\?variant=(thumbnail|spritesheet)"))
                .willReturn(aResponse().withStatus(404).withBody("{\"error\": {\"message\": \"no such variant\"}}")));
    }

    /** Whether the server polled this upstream job: it does so only after its checkpoint (the handle) was stored. */
    boolean polled(String upstreamId) {
        return !upstream.findAll(getRequestedFor(urlEqualTo("/v1/videos/" + upstreamId))).isEmpty();
    }

    static String soraVideo(String status) {
        return soraVideo(UPSTREAM_ID, status);
    }

    static String soraVideo(String id, String status) {
        return """
                { "id": "%s", "object": "video", "created_at": 1758941485, "status": "%s", "model": "sora-2",
                  "progress": %d, "seconds": "4", "size": "1280x720", "completed_at": null, "expires_at": null,
                  "prompt": "p", "remixed_from_video_id": null, "error": null }
                """.formatted(id, status, "completed".equals(status) ? 100 : 0);
    }

    static BufferedImage image(int w, int h, Color c) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(c);
        g.fillRect(0, 0, w, h);
        g.setColor(Color.WHITE);
        g.fillRect(w / 4, h / 4, w / 3, h / 3);
        g.dispose();
        return img;
    }

    ServerProcess start() throws Exception {
        // a copy of the database as the killed server left it (before the next open recovers it): kept when the test fails
        Path db = data.resolve("framegate.mv.db");
        if (Files.exists(db)) {
            Files.createDirectories(dir.resolve("logs"));
            Files.copy(db, dir.resolve("logs").resolve("before-serve-" + (starts + 1) + ".mv.db"));
        }
        ServerProcess s = ServerProcess.start(data, config, dir.resolve("logs"), "serve-" + (++starts));
        if (key == null) key = s.awaitFirstStdoutLine();
        return s;
    }

    record Reply(int status, String body) {
        JsonNode json() throws Exception {
            return JSON.readTree(body);
        }
    }

    Reply send(ServerProcess s, String method, String path, String body) throws Exception {
        return send(s, method, path, body, null);
    }

    Reply send(ServerProcess s, String method, String path, String body, String idempotencyKey) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(s.base() + path)).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + key);
        if (idempotencyKey != null) b.header("Idempotency-Key", idempotencyKey);
        if (body != null) b.header("Content-Type", "application/json");
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        return new Reply(r.statusCode(), r.body());
    }

    String createLocal(ServerProcess s, String prompt) throws Exception {
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        ImageIO.write(image(160, 96, Color.GREEN), "png", png);
        String url = "data:image/png;base64," + Base64.getEncoder().encodeToString(png.toByteArray());
        Reply r = send(s, "POST", "/v1/videos", "{\"model\":\"framegate-local\",\"prompt\":\"" + prompt
                + "\",\"size\":\"160x96\",\"seconds\":\"1\",\"input_reference\":{\"image_url\":\"" + url + "\"}}");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json().path("id").asText();
    }

    String createCloud(ServerProcess s, String prompt) throws Exception {
        return createCloud(s, prompt, null);
    }

    /** Creates a sora-2 job; the Idempotency-Key, when given, is derived from the prompt. */
    String createCloud(ServerProcess s, String prompt, String idempotencyKey) throws Exception {
        Reply r = send(s, "POST", "/v1/videos", "{\"model\":\"sora-2\",\"prompt\":\"" + prompt
                + "\",\"seconds\":\"4\",\"size\":\"1280x720\"}", idempotencyKey);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json().path("id").asText();
    }

    int submitsOf(String prompt) {
        return upstream.findAll(postRequestedFor(urlEqualTo("/v1/videos")).withRequestBody(containing(prompt))).size();
    }

    void assertAllExist(ServerProcess s, Map<String, String> jobs) throws Exception {
        for (String id : jobs.keySet()) {
            Reply r = send(s, "GET", "/v1/videos/" + id, null);
            assertThat(r.status()).as("acknowledged job %s (%s) after a restart: %s", id, jobs.get(id), r.body()).isEqualTo(200);
        }
    }

    JsonNode awaitFinal(ServerProcess s, String id) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        JsonNode v = null;
        while (System.nanoTime() < deadline) {
            v = send(s, "GET", "/v1/videos/" + id, null).json();
            String st = v.path("status").asText();
            if (st.equals("completed") || st.equals("failed")) return v;
            Thread.sleep(100);
        }
        throw new AssertionError("job " + id + " did not finish: " + v + "\n" + ServerProcess.read(s.stderr));
    }

    /**
     * Kills the server 0, 50, 200 and 500 ms after a create answered 200 (a local and a cloud job each time), and once
     * right after the stand-in saw a cloud job's first poll, then restarts it on the same data directory: every
     * acknowledged job is there after each restart and finishes; a cloud job whose handle was checkpointed before
     * the kill is not submitted again. (A kill that lands inside the submit call itself is
     * {@link #aKillDuringTheSubmitNeverLeadsToASecondSubmit}: the providers' side.)
     */
    @Test
    void everyAcknowledgedJobSurvivesKillNineAndACheckpointedCloudJobIsNotSubmittedAgain() throws Exception {
        Map<String, String> jobs = new LinkedHashMap<>(); // id -> prompt
        Map<String, String> cloud = new LinkedHashMap<>(); // id -> upstream id
        List<String> checkpointedBeforeKill = new ArrayList<>();
        int[] delays = {0, 50, 200, 500, -1}; // -1: right after the first poll
        for (int round = 0; round < delays.length; round++) {
            try (ServerProcess s = start()) {
                assertAllExist(s, jobs);
                String localPrompt = "kill9 local " + round;
                jobs.put(createLocal(s, localPrompt), localPrompt);
                String cloudPrompt = "kill9 cloud " + round;
                String upstreamId = "video_kill9_" + round;
                stubUpstreamJob(cloudPrompt, upstreamId);
                String id = createCloud(s, cloudPrompt, "idem-" + round);
                jobs.put(id, cloudPrompt);
                cloud.put(id, upstreamId);
                if (delays[round] >= 0) {
                    Thread.sleep(delays[round]);
                } else {
                    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                    while (!polled(upstreamId) && System.nanoTime() < deadline) Thread.sleep(5);
                    assertThat(polled(upstreamId)).as("the server polls its upstream job").isTrue();
                }
                boolean wasPolled = polled(upstreamId); // checked before the kill: the checkpoint was stored by then
                s.kill9();
                if (wasPolled) checkpointedBeforeKill.add(id);
            }
        }
        assertThat(checkpointedBeforeKill).isNotEmpty();
        try (ServerProcess s = start()) {
            assertAllExist(s, jobs);
            int round = 0;
            for (Map.Entry<String, String> c : cloud.entrySet()) {
                assertThat(createCloud(s, jobs.get(c.getKey()), "idem-" + round++))
                        .as("the Idempotency-Key survived the kill: a retried create is the same job").isEqualTo(c.getKey());
            }
            for (Map.Entry<String, String> job : jobs.entrySet()) {
                JsonNode done = awaitFinal(s, job.getKey());
                int submits = submitsOf(job.getValue());
                if (checkpointedBeforeKill.contains(job.getKey())) {
                    assertThat(done.path("status").asText()).as("%s: %s", job.getValue(), done).isEqualTo("completed");
                    assertThat(submits).as("upstream submits of %s", job.getValue()).isEqualTo(1);
                } else if (cloud.containsKey(job.getKey())) {
                    String outcome = done.path("status").asText().equals("failed")
                            ? "failed " + done.at("/error/code").asText() : done.path("status").asText();
                    assertThat(outcome).as("%s: %s", job.getValue(), done)
                            .isIn("completed", "failed upstream_submit_uncertain");
                    // killed before its handle was stored: completed after a submit, or (the kill hit the submit)
                    // ended uncertain with at most the one submit that may have reached the upstream
                    if (outcome.equals("completed")) assertThat(submits).as("submits of %s", job.getValue()).isEqualTo(1);
                    else assertThat(submits).as("submits of %s", job.getValue()).isLessThanOrEqualTo(1);
                } else {
                    assertThat(done.path("status").asText()).as("%s: %s", job.getValue(), done).isEqualTo("completed");
                    assertThat(submits).isZero();
                }
            }
        }
    }

    @Test
    void aKillDuringTheSubmitNeverLeadsToASecondSubmit() throws Exception {
        String prompt = "kill9 during the submit";
        stubUpstreamJob(prompt, "video_kill9_submit");
        upstream.stubFor(post(urlEqualTo("/v1/videos")).withRequestBody(containing(prompt))
                .willReturn(okJson(soraVideo("queued")).withFixedDelay(4000)));
        String id;
        try (ServerProcess s = start()) {
            id = createCloud(s, prompt);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (submitsOf(prompt) == 0 && System.nanoTime() < deadline) Thread.sleep(20);
            assertThat(submitsOf(prompt)).as("the submit reached the upstream").isEqualTo(1);
            s.kill9();
        }
        try (ServerProcess s = start()) {
            JsonNode done = awaitFinal(s, id);
            Thread.sleep(500);
            assertThat(submitsOf(prompt)).as("no second submit after the restart").isEqualTo(1);
            assertThat(done.path("status").asText()).isEqualTo("failed");
            assertThat(done.at("/error/code").asText()).isEqualTo("upstream_submit_uncertain");
        }
    }
}
