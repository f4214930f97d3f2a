package io.framegate.cli;

import io.framegate.server.admin.ServerFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code framegate serve} started as a process, as the README's quick start does: the first start prints a new API
 * key that works, makes {@code admin.token} (0600) and {@code server.json}; a clean stop removes
 * {@code server.json}; the next start prints no new key and the first one still works.
 */
class ServeStartTest {
    @TempDir
    Path dir;

    static int status(ServerProcess s, String path, String key) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(s.base() + path)).timeout(Duration.ofSeconds(30));
        if (key != null) b.header("Authorization", "Bearer " + key);
        return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    @Test
    void aFirstStartPrintsAWorkingKeyAndALaterStartKeepsIt() throws Exception {
        Path data = dir.resolve("data");
        Path config = Files.writeString(dir.resolve("framegate.yaml"), "limits:\n  max_queued_jobs: 100\n");
        String key;
        try (ServerProcess s = ServerProcess.start(data, config, dir.resolve("logs"), "first")) {
            key = s.awaitFirstStdoutLine();
            assertThat(key).startsWith("fg-");
            assertThat(ServerProcess.read(s.stderr)).contains("a key named 'default' was created");
            assertThat(status(s, "/healthz", null)).isEqualTo(200);
            assertThat(status(s, "/v1/videos", key)).isEqualTo(200);
            assertThat(status(s, "/v1/videos", "fg-not-a-key")).isEqualTo(401);
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(data.resolve("admin.token"))))
                    .isEqualTo("rw-------");
            assertThat(ServerFile.read(data)).as("server.json while it runs").isPresent();
            s.process.destroy(); // SIGTERM: a clean stop
            assertThat(s.process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(data.resolve("server.json")).as("removed at a clean stop").doesNotExist();
        try (ServerProcess again = ServerProcess.start(data, config, dir.resolve("logs"), "second")) {
            assertThat(status(again, "/v1/videos", key)).as("the first start's key").isEqualTo(200);
            // standard output carries the access log; a key would be a line of its own
            assertThat(ServerProcess.read(again.stdout).lines()).as("no new key on a later start")
                    .noneMatch(l -> l.startsWith("fg-"));
            assertThat(ServerProcess.read(again.stderr)).doesNotContain("a key named 'default' was created");
        }
    }

    @Test
    void maxUploadSetsTheLargestBodyAccepted() throws Exception {
        Path data = dir.resolve("data");
        Path config = Files.writeString(dir.resolve("framegate.yaml"), "limits:\n  max_queued_jobs: 100\n");
        try (ServerProcess s = ServerProcess.start(data, config, dir.resolve("logs"), "small", java.util.Map.of(),
                java.util.List.of("--max-upload", "1MB"))) {
            String key = s.awaitFirstStdoutLine();
            // 1.5 MB of JSON (a long prompt): refused by size before it is read, under the default 50 MB it is not
            String body = "{\"model\": \"sora-2\", \"prompt\": \"" + "a".repeat(1_500_000) + "\"}";
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(s.base() + "/v1/videos"))
                    .timeout(Duration.ofSeconds(30)).header("Authorization", "Bearer " + key)
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(r.body()).isEqualTo(413);
        }
        CliRun bad = CliRun.of("serve", "--port", "0", "--data", data.toString(), "--max-upload", "50 furlongs");
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.err()).contains("--max-upload").contains("50 furlongs").contains("1KB to 1GB");
        assertThat(CliRun.of("serve", "--port", "0", "--data", data.toString(), "--max-upload", "2GB").code()).isEqualTo(2);
    }

    /**
     * docs/limits.md, Per-request limits: without {@code --max-upload} the largest request body is 50 MB (binary,
     * 52,428,800 bytes): a create padded to just under it is served, one byte over it is a 413.
     */
    @Test
    void withoutMaxUploadTheLargestBodyIsFiftyMebibytes() throws Exception {
        Path data = dir.resolve("data");
        Path config = Files.writeString(dir.resolve("framegate.yaml"), "limits:\n  max_queued_jobs: 100\n");
        try (ServerProcess s = ServerProcess.start(data, config, dir.resolve("logs"), "default-upload")) {
            String key = s.awaitFirstStdoutLine();
            java.awt.image.BufferedImage img = new java.awt.image.BufferedImage(160, 96, java.awt.image.BufferedImage.TYPE_INT_RGB);
            java.io.ByteArrayOutputStream png = new java.io.ByteArrayOutputStream();
            javax.imageio.ImageIO.write(img, "png", png);
            String create = "{\"model\": \"framegate-local\", \"size\": \"160x96\", \"seconds\": \"1\", \"input_reference\": "
                    + "{\"image_url\": \"data:image/png;base64," + java.util.Base64.getEncoder().encodeToString(png.toByteArray())
                    + "\"}}";
            long limit = 50L * 1024 * 1024;
            // JSON allows whitespace after the value: the same create, padded to a chosen size
            HttpResponse<String> under = post(s, key, create + " ".repeat((int) (limit - 1024 - create.length())));
            assertThat(under.statusCode()).as(under.body()).isEqualTo(200);
            HttpResponse<String> over = post(s, key, create + " ".repeat((int) (limit + 1 - create.length())));
            assertThat(over.statusCode()).as(over.body()).isEqualTo(413);
        }
    }

    static HttpResponse<String> post(ServerProcess s, String key, String body) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(s.base() + "/v1/videos"))
                .timeout(Duration.ofSeconds(60)).header("Authorization", "Bearer " + key)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
