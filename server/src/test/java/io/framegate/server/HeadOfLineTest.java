package io.framegate.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import io.framegate.server.jobs.WorkerSettings;
import io.framegate.server.media.MediaFinisher;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static com.github.tomakehurst.wiremock.client.WireMock.*;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 8 item 4 through the whole server: eight jobs of one key stuck on a hung upstream (its polls answer after
 * 20 s) do not delay another key's job on a healthy route (measured before the fix: 31 s instead of 1.6 s).
 */
class HeadOfLineTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path dir;
    WireMockServer hung;
    WireMockServer healthy;
    FramegateServer server;

    @AfterEach
    void stop() {
        if (hung != null) hung.stop(); // ends the hung polls, so the server's shutdown need not wait for them
        if (server != null) server.close();
        if (healthy != null) healthy.stop();
    }

    static String video(String id, String status) {
        return """
                { "id": "%s", "object": "video", "created_at": 1758941485, "status": "%s", "model": "sora-2",
                  "progress": 0, "seconds": "4", "size": "1280x720", "completed_at": null, "expires_at": null,
                  "prompt": "p", "remixed_from_video_id": null, "error": null }
                """.formatted(id, status);
    }

    JsonNode create(String key, String body) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/v1/videos"))
                .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    String status(String key, String id) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/v1/videos/" + id))
                .header("Authorization", "Bearer " + key).build(), HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(r.body()).path("status").asText();
    }

    @Test
    void eightJobsOnAHungUpstreamDoNotDelayAnotherKeysJobOnAHealthyRoute() throws Exception {
        hung = new WireMockServer(options().dynamicPort().containerThreads(40));
        healthy = new WireMockServer(options().dynamicPort());
        hung.start();
        healthy.start();
        hung.stubFor(post(urlEqualTo("/v1/videos")).willReturn(okJson(video("video_hung", "queued"))));
        hung.stubFor(get(urlEqualTo("/v1/videos/video_hung")).willReturn(okJson(video("video_hung", "in_progress"))
                .withFixedDelay(20_000)));
        healthy.stubFor(post(urlEqualTo("/v1/videos")).willReturn(okJson(video("video_ok", "queued"))));
        healthy.stubFor(get(urlEqualTo("/v1/videos/video_ok")).willReturn(okJson(video("video_ok", "completed"))));
        healthy.stubFor(get(urlEqualTo("/v1/videos/video_ok/content?variant=video"))
                .willReturn(aResponse().withHeader("Content-Type", "video/mp4").withBody(RoutedServerTest.mp4())));
        healthy.stubFor(get(urlMatching("/v1/videos/video_ok/content\\?variant=(thumbnail|spritesheet)"))
                .willReturn(aResponse().withStatus(404)));

        Path data = Files.createDirectories(dir.resolve("data"));
        Files.writeString(data.resolve("framegate.yaml"), """
                providers:
                  slow: {type: openai, base_url: '%s/v1', api_key_env: K}
                  fast: {type: openai, base_url: '%s/v1', api_key_env: K}
                routes:
                  sora-2: [{channel: slow, allow_retired: true}]
                  veo-3.1-fast-generate-001: [{channel: fast, model: sora-2, allow_retired: true}]
                timing: {poll_initial: 100ms, poll_max: 200ms, deadline: 2m, retry_attempts: 1, request_timeout: 30s}
                workers: {local: 1, cloud: 8}
                """.formatted(hung.baseUrl(), healthy.baseUrl()));
        ServerOptions o = ServerOptions.defaults(data).withHost("127.0.0.1").withPort(0).withAccessLog(null)
                .withWorkers(new WorkerSettings(1, 8, Duration.ofSeconds(30), Duration.ofMillis(100), Duration.ofSeconds(5)));
        server = FramegateServer.builder(o).environment(java.util.Map.of("K", "sk-test")::get)
                .localBackend(new TinyVideoBackend("local", true, 0)).finisher(new MediaFinisher()).build().start();
        String busy = server.keys().create("busy").secret();
        String other = server.keys().create("other").secret();

        List<String> stuck = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            stuck.add(create(busy, "{\"model\":\"sora-2\",\"prompt\":\"stuck " + i + "\",\"seconds\":\"4\",\"size\":\"1280x720\"}")
                    .path("id").asText());
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (hung.findAll(getRequestedFor(urlEqualTo("/v1/videos/video_hung"))).size() < 4 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(hung.findAll(getRequestedFor(urlEqualTo("/v1/videos/video_hung")))).as("jobs stuck polling").hasSizeGreaterThanOrEqualTo(4);

        long t0 = System.nanoTime();
        String id = create(other, "{\"model\":\"veo-3.1-fast-generate-001\",\"prompt\":\"healthy\",\"seconds\":\"8\","
                + "\"size\":\"1280x720\"}").path("id").asText();
        String s = status(other, id);
        while (!s.equals("completed") && !s.equals("failed") && System.nanoTime() - t0 < Duration.ofSeconds(60).toNanos()) {
            Thread.sleep(50);
            s = status(other, id);
        }
        long millis = (System.nanoTime() - t0) / 1_000_000;
        System.out.println("HeadOfLineTest: the healthy job finished in " + millis + " ms beside 8 hung jobs");
        assertThat(s).isEqualTo("completed");
        assertThat(millis).as("the healthy job did not wait for the hung upstream's 20 s polls").isLessThan(10_000);
        for (String stuckId : stuck) assertThat(status(busy, stuckId)).isIn("queued", "in_progress");
    }
}
