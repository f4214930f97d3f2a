package io.framegate.cli;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.nio.file.Files;
import java.nio.file.Path;

import static com.github.tomakehurst.wiremock.client.WireMock.*;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

/** `generate --model` through a route in framegate.yaml reaches the provider's wire (a Gemini API stand-in). */
class GenerateRoutedTest {
    static final String OP = "models/veo-3.1-generate-001/operations/cli0op1";
    @TempDir
    Path dir;
    WireMockServer wm;

    @BeforeEach
    void start() {
        wm = new WireMockServer(options().dynamicPort());
        wm.start();
    }

    @AfterEach
    void stop() {
        wm.stop();
    }

    private Path config(String keyFile) throws Exception {
        Path cfg = dir.resolve("framegate.yaml");
        Files.writeString(cfg, """
                providers:
                  google: {type: gemini, base_url: %s, api_key_file: %s}
                routes:
                  veo-3.1-generate-001: [google]
                timing: {poll_initial: 10ms, poll_max: 20ms}
                """.formatted(wm.baseUrl(), keyFile));
        return cfg;
    }

    @Test
    void routedModelIsServedByTheProviderAndShowsCost() throws Exception {
        Path first = dir.resolve("first.png");
        ImageIO.write(new ExampleScene(3).view(320, 180, 0, 0), "png", first.toFile());
        // the upstream's video: a real MP4 made by the offline engine
        Path upstreamVideo = dir.resolve("upstream.mp4");
        assertThat(CliRun.of("generate", "--first", first.toString(), "--size", "96x54", "--num-frames", "6",
                "-o", upstreamVideo.toString()).code()).isEqualTo(0);
        Files.writeString(dir.resolve("key.txt"), "gm-secret\n");
        Path cfg = config("key.txt");
        wm.stubFor(post(urlEqualTo("/v1beta/models/veo-3.1-generate-001:predictLongRunning"))
                .withHeader("x-goog-api-key", equalTo("gm-secret"))
                .willReturn(okJson("{\"name\": \"" + OP + "\"}")));
        wm.stubFor(get(urlEqualTo("/v1beta/" + OP)).inScenario("op").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(okJson("{\"name\": \"" + OP + "\", \"done\": false}")).willSetStateTo("done"));
        wm.stubFor(get(urlEqualTo("/v1beta/" + OP)).inScenario("op").whenScenarioStateIs("done")
                .willReturn(okJson("""
                        { "name": "%s", "done": true, "response": { "generateVideoResponse": { "generatedSamples": [
                          { "video": { "uri": "%s/v1beta/files/cli0file:download?alt=media" } } ] } } }
                        """.formatted(OP, wm.baseUrl()))));
        wm.stubFor(get(urlEqualTo("/v1beta/files/cli0file:download?alt=media"))
                .willReturn(aResponse().withHeader("Content-Type", "video/mp4").withBody(Files.readAllBytes(upstreamVideo))));

        Path out = dir.resolve("veo.mp4");
        CliRun r = CliRun.of("generate", "--config", cfg.toString(), "--model", "veo-3.1", "--first", first.toString(),
                "--seconds", "4", "--prompt", "the lighthouse at dusk", "-o", out.toString());

        assertThat(r.code()).as(r.err()).isEqualTo(0);
        assertThat(r.err()).contains("estimated cost: $1.60");
        assertThat(r.out()).contains("via google").contains(OP).contains("cost: $1.6");
        assertThat(Files.readAllBytes(out)).isEqualTo(Files.readAllBytes(upstreamVideo));
        assertThat(dir.resolve("veo.thumbnail.webp")).isNotEmptyFile();
        assertThat(wm.findAll(postRequestedFor(urlMatching(".*predictLongRunning")))).hasSize(1);
        assertThat(wm.findAll(postRequestedFor(urlMatching(".*predictLongRunning"))).get(0).getBodyAsString())
                .contains("the lighthouse at dusk").contains("bytesBase64Encoded");
    }

    /**
     * {@code --fit cover} on a cloud route: the provider receives the image the engine's one fitter crops (here a
     * portrait picture for a 16:9 video, cut where its detail is), and {@code --fit zoom} is refused before any call.
     */
    @Test
    void fitCoverWorksOnACloudRouteAndAnUnknownFitIsRefusedFirst() throws Exception {
        java.awt.image.BufferedImage tall = new java.awt.image.BufferedImage(180, 320, java.awt.image.BufferedImage.TYPE_3BYTE_BGR);
        java.awt.Graphics2D g = tall.createGraphics();
        g.setColor(new java.awt.Color(200, 190, 180));
        g.fillRect(0, 0, 180, 320);
        g.setColor(java.awt.Color.BLACK);
        for (int x = 0; x < 180; x += 8) for (int y = 250 + (x / 8) % 2 * 4; y < 300; y += 8) g.fillRect(x, y, 4, 4);
        g.dispose();
        Path first = dir.resolve("tall.png");
        ImageIO.write(tall, "png", first.toFile());
        Files.writeString(dir.resolve("key.txt"), "gm-secret\n");
        Path cfg = config("key.txt");

        CliRun bad = CliRun.of("generate", "--config", cfg.toString(), "--model", "veo-3.1", "--first", first.toString(),
                "--fit", "zoom", "-o", dir.resolve("bad.mp4").toString());
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.err()).contains("--fit=zoom is not a fit mode; allowed: crop (cover), pad (contain, letterbox), stretch (fill)");
        assertThat(wm.getAllServeEvents()).isEmpty();

        wm.stubFor(post(urlEqualTo("/v1beta/models/veo-3.1-generate-001:predictLongRunning"))
                .willReturn(okJson("{\"name\": \"" + OP + "\"}")));
        wm.stubFor(get(urlEqualTo("/v1beta/" + OP)).willReturn(okJson("""
                { "name": "%s", "done": true, "response": { "generateVideoResponse": {
                  "raiMediaFilteredCount": 1, "raiMediaFilteredReasons": ["filtered"] } } }
                """.formatted(OP))));
        CliRun r = CliRun.of("generate", "--config", cfg.toString(), "--model", "veo-3.1", "--first", first.toString(),
                "--fit", "cover", "-o", dir.resolve("veo.mp4").toString());
        assertThat(r.err()).doesNotContain("fit");
        var body = new com.fasterxml.jackson.databind.ObjectMapper().readTree(
                wm.findAll(postRequestedFor(urlMatching(".*predictLongRunning"))).get(0).getBodyAsString());
        byte[] sent = java.util.Base64.getDecoder().decode(body.at("/instances/0/image/bytesBase64Encoded").asText());
        org.opencv.core.Mat got = io.framegate.engine.ImageDecoder.decode(new io.framegate.domain.InputImage(
                io.framegate.domain.ImageRole.FIRST_FRAME, sent, null, "sent"));
        org.opencv.core.Mat source = io.framegate.engine.ImageDecoder.decode(new io.framegate.domain.InputImage(
                io.framegate.domain.ImageRole.FIRST_FRAME, Files.readAllBytes(first), null, "tall"));
        // the video's 16:9 at the image's own resolution (320 rows): 568 x 320, cut, not padded
        assertThat(got.cols()).isEqualTo(568);
        assertThat(got.rows()).isEqualTo(320);
        org.opencv.core.Mat expected = io.framegate.engine.ImageFitter.fit(source, 568, 320, io.framegate.domain.FitMode.CROP);
        assertThat(org.opencv.core.Core.norm(got, expected, org.opencv.core.Core.NORM_INF)).isZero();
        org.opencv.core.Mat leftEdge = new org.opencv.core.Mat();
        org.opencv.core.Core.extractChannel(got.submat(new org.opencv.core.Rect(0, 0, 10, 320)), leftEdge, 0);
        assertThat(org.opencv.core.Core.minMaxLoc(leftEdge).maxVal).as("no black bar: the picture was cut").isGreaterThan(150);
        // the window holds the checkered band (rows 250..300), which a centre cut (rows 132..233) would miss
        assertThat(io.framegate.engine.ImageFitter.cropWindow(source, 568, 320).y).isGreaterThan(200);
    }

    @Test
    void upstreamFailureLeavesNoOutput() throws Exception {
        Path first = dir.resolve("first.png");
        ImageIO.write(new ExampleScene(3).view(160, 90, 0, 0), "png", first.toFile());
        Files.writeString(dir.resolve("key.txt"), "gm-secret");
        Path cfg = config("key.txt");
        wm.stubFor(post(urlEqualTo("/v1beta/models/veo-3.1-generate-001:predictLongRunning"))
                .willReturn(okJson("{\"name\": \"" + OP + "\"}")));
        wm.stubFor(get(urlEqualTo("/v1beta/" + OP)).willReturn(okJson("""
                { "name": "%s", "done": true, "response": { "generateVideoResponse": {
                  "raiMediaFilteredCount": 1, "raiMediaFilteredReasons": ["Veo could not generate 1 videos"] } } }
                """.formatted(OP))));
        Path out = dir.resolve("veo.mp4");
        CliRun r = CliRun.of("generate", "--config", cfg.toString(), "--model", "veo-3.1", "--first", first.toString(),
                "-o", out.toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("content_filtered").contains("Veo could not generate 1 videos");
        assertThat(out).doesNotExist();
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".part"));
        }
        // an earlier run's files stay as they were when this run fails
        byte[] earlier = "an earlier run's video".getBytes();
        Files.write(out, earlier);
        Files.write(dir.resolve("veo.thumbnail.webp"), earlier);
        CliRun again = CliRun.of("generate", "--config", cfg.toString(), "--model", "veo-3.1", "--first", first.toString(),
                "-o", out.toString());
        assertThat(again.code()).isEqualTo(1);
        assertThat(out).hasBinaryContent(earlier);
        assertThat(dir.resolve("veo.thumbnail.webp")).hasBinaryContent(earlier);
    }

    @Test
    void badConfigIsABadInputNamingTheField() throws Exception {
        Path first = dir.resolve("first.png");
        ImageIO.write(new ExampleScene(3).view(160, 90, 0, 0), "png", first.toFile());
        Path cfg = config("missing-key.txt");
        CliRun r = CliRun.of("generate", "--config", cfg.toString(), "--model", "veo-3.1", "--first", first.toString(),
                "-o", dir.resolve("x.mp4").toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("api_key_file");
        assertThat(wm.getAllServeEvents()).isEmpty();
    }

    /**
     * README, the CLI: {@code --aspect-ratio} + {@code --resolution} instead of {@code --size}, {@code --seed} and
     * {@code --negative-prompt}. Offline, 9:16 at 144p is a 144x256 video; through a Veo route the provider's request
     * carries the aspect ratio, resolution, seed and negative prompt (and a 9:16 first frame); an aspect ratio the model
     * cannot make exits 2 naming it, before any call.
     */
    @Test
    void aspectRatioResolutionSeedAndNegativePromptReachTheRender() throws Exception {
        Path first = dir.resolve("first.png");
        ImageIO.write(new ExampleScene(3).view(320, 180, 0, 0), "png", first.toFile());
        Path local = dir.resolve("local.mp4");
        CliRun offline = CliRun.of("generate", "--first", first.toString(), "--aspect-ratio", "9:16", "--resolution", "144p",
                "--num-frames", "6", "--seed", "7", "--negative-prompt", "blur", "-o", local.toString());
        assertThat(offline.code()).as(offline.err()).isEqualTo(0);
        assertThat(offline.out()).contains("(144x256, 6 frames");
        try (org.bytedeco.javacv.FFmpegFrameGrabber g = new org.bytedeco.javacv.FFmpegFrameGrabber(local.toFile())) {
            g.start();
            assertThat(g.getImageWidth()).isEqualTo(144);
            assertThat(g.getImageHeight()).isEqualTo(256);
        }

        Files.writeString(dir.resolve("key.txt"), "gm-secret\n");
        Path cfg = config("key.txt");
        CliRun refused = CliRun.of("generate", "--config", cfg.toString(), "--model", "veo-3.1", "--first", first.toString(),
                "--aspect-ratio", "4:3", "--resolution", "720p", "-o", dir.resolve("no.mp4").toString());
        assertThat(refused.code()).isEqualTo(2);
        assertThat(refused.err()).contains("aspect_ratio=4:3");
        assertThat(wm.getAllServeEvents()).as("refused before any call").isEmpty();

        wm.stubFor(post(urlEqualTo("/v1beta/models/veo-3.1-generate-001:predictLongRunning"))
                .willReturn(okJson("{\"name\": \"" + OP + "\"}")));
        wm.stubFor(get(urlEqualTo("/v1beta/" + OP)).willReturn(okJson("""
                { "name": "%s", "done": true, "response": { "generateVideoResponse": { "generatedSamples": [
                  { "video": { "uri": "%s/v1beta/files/cli0file:download?alt=media" } } ] } } }
                """.formatted(OP, wm.baseUrl()))));
        wm.stubFor(get(urlEqualTo("/v1beta/files/cli0file:download?alt=media"))
                .willReturn(aResponse().withHeader("Content-Type", "video/mp4").withBody(Files.readAllBytes(local))));
        Path out = dir.resolve("veo.mp4");
        CliRun r = CliRun.of("generate", "--config", cfg.toString(), "--model", "veo-3.1", "--first", first.toString(),
                "--aspect-ratio", "9:16", "--resolution", "1080p", "--seconds", "8", "--seed", "4242",
                "--negative-prompt", "text, watermark", "-o", out.toString());
        assertThat(r.code()).as(r.err()).isEqualTo(0);
        assertThat(out).hasSameBinaryContentAs(local);
        var body = new com.fasterxml.jackson.databind.ObjectMapper().readTree(
                wm.findAll(postRequestedFor(urlMatching(".*predictLongRunning"))).get(0).getBodyAsString());
        assertThat(body.at("/parameters/aspectRatio").asText()).isEqualTo("9:16");
        assertThat(body.at("/parameters/resolution").asText()).isEqualTo("1080p");
        assertThat(body.at("/parameters/seed").isIntegralNumber()).as(body.toString()).isTrue();
        assertThat(body.at("/parameters/seed").asLong()).isEqualTo(4242);
        assertThat(body.at("/parameters/negativePrompt").asText()).isEqualTo("text, watermark");
        byte[] sent = java.util.Base64.getDecoder().decode(body.at("/instances/0/image/bytesBase64Encoded").asText());
        java.awt.image.BufferedImage frame = ImageIO.read(new java.io.ByteArrayInputStream(sent));
        // fitted to 9:16 at the image's own resolution (its 320 columns), as the fit test's 16:9 is 568 x 320
        assertThat(frame.getWidth() + "x" + frame.getHeight()).isEqualTo("320x568");
    }
}
